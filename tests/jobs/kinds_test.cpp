// The imatrix and eval job kinds and the quantize job's `imatrix` param, run through
// jobs::Worker over a real store (SQLite and PostgreSQL): results and artifacts, progress,
// cancel mid-run, submission errors; and, for every kind, a job whose model file is missing
// or not a model when the worker picks it up fails at once with the reason (attempt 1, no
// lease-expiry retries). Layer: tests/jobs.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "ondo/jobs/kinds.h"
#include "ondo/jobs/queue.h"
#include "ondo/model/quantize/imatrix_file.h"
#include "store/engine_test.h"
#include "support/testdata.h"

namespace ondo::jobs {
namespace {

// Plain English prose, enough tokens for a few calibration chunks of the tiny model.
std::string prose(int sentences) {
  static const char* kWords[] = {"the", "little", "girl", "saw", "a", "big", "red", "ball", "in", "park",
                                 "and", "she", "was", "happy", "to", "play", "with", "her", "dog", "one"};
  std::string out;
  for (int s = 0; s < sentences; ++s) {
    out += "Once upon a time";
    for (int w = 0; w < 12; ++w) out += std::string(" ") + kWords[(s * 7 + w * 3) % 20];
    out += ".\n";
  }
  return out;
}

class KindsTest : public store::testing_support::EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (IsSkipped()) return;
    std::string why;
    auto dir = ondo::testing::testdata_dir(&why);
    if (!dir || !std::filesystem::exists(*dir / "models" / "stories260K.gguf")) {
      if (ondo::testing::testdata_required()) FAIL() << "stories260K.gguf missing: " << why;
      GTEST_SKIP() << "reference models not found (" << why << ")";
    }
    model_ = (*dir / "models" / "stories260K.gguf").string();
    spm_f32_ = (*dir / "models" / "ref-llama-spm-f32.gguf").string();
    dir_ = std::filesystem::temp_directory_path() / ("ondo-kinds-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    ASSERT_TRUE(register_builtin_kinds(kinds_, {test_prompts()}).ok());
  }
  void TearDown() override {
    std::filesystem::remove_all(dir_);
    EngineTest::TearDown();
  }

  // A stand-in for the registry (serve/job_prompts.h is above jobs): "greet@1" puts a system
  // message before the row's messages.
  static PromptResolver test_prompts() {
    return [](store::Store&, const std::string& spec) -> Result<ResolvedPrompt> {
      if (spec != "greet@1") return make_error(ErrorCode::NotFound, "no prompt '" + spec + "'");
      ResolvedPrompt r;
      r.ref = "greet@1";
      r.params = {{"max_tokens", 3}};
      r.render = [](const nlohmann::ordered_json&) -> Result<nlohmann::ordered_json> {
        return nlohmann::ordered_json::array({{{"role", "system"}, {"content", "You tell short stories."}}});
      };
      return r;
    };
  }

  WorkerOptions options() {
    WorkerOptions o;
    o.name = "w";
    o.jobs_dir = dir_ / "jobs";
    o.lease_ms = 10000;
    o.heartbeat_ms = 50;
    o.poll_ms = 20;
    return o;
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name, std::ios::binary) << text; }

  std::string upload(const std::string& text) {
    store::FileRecord f{"file-" + std::to_string(++files_) + "abc", "calib.txt", "user_data", int64_t(text.size()), 1};
    EXPECT_TRUE(store_->insert_file(f, text).ok());
    return f.id;
  }
  // Queued through submit_job (the submission checks), or straight into the store.
  std::string submit(const std::string& kind, const nlohmann::json& params) {
    auto j = submit_job(*store_, kind, params, "test");
    EXPECT_TRUE(j.ok()) << j.error().message;
    return j.ok() ? j->id : "";
  }
  std::string insert(const std::string& id, const std::string& kind, const nlohmann::json& params) {
    store::JobRecord j;
    j.id = id;
    j.kind = kind;
    j.state = "queued";
    j.params = params.dump();
    j.created_ms = now_ms();
    EXPECT_TRUE(store_->insert_job(j).ok());
    return id;
  }
  store::JobRecord get(const std::string& id) {
    auto r = store_->find_job(id);
    EXPECT_TRUE(r.ok() && r->has_value());
    return r.ok() && r->has_value() ? **r : store::JobRecord{};
  }
  // Runs queued jobs (oldest first; jobs queued in one millisecond may come in any order)
  // until `id` has run.
  store::JobRecord run(const std::string& id) {
    Worker w(*store_, kinds_, pool_, options());
    for (int i = 0; i < 100 && (get(id).state == "queued" || get(id).state == "running"); ++i) {
      auto ran = w.run_once();
      EXPECT_TRUE(ran.ok() && *ran) << (ran.ok() ? "nothing claimed" : ran.error().message);
      if (!ran.ok() || !*ran) break;
    }
    return get(id);
  }
  nlohmann::json json_of(const std::string& s) { return nlohmann::json::parse(s, nullptr, false); }
  std::string submit_error(const std::string& kind, const nlohmann::json& params) {
    auto j = submit_job(*store_, kind, params, "test");
    return j.ok() ? "(accepted)" : j.error().message;
  }
  // Runs `id` on a worker thread, cancels it once its progress reaches step 1, and returns its
  // final record (bounded: 60 s).
  store::JobRecord cancel_mid_run(const std::string& id) {
    Worker w(*store_, kinds_, pool_, options());
    w.start();
    bool asked = false;
    for (int i = 0; i < 6000; ++i) {
      const store::JobRecord j = get(id);
      if (j.state == "succeeded" || j.state == "failed" || j.state == "cancelled") break;
      const nlohmann::json p = json_of(j.progress);
      if (!asked && p.is_object() && p.value("step", 0) >= 1) {
        EXPECT_TRUE(store_->cancel_job(id, now_ms()).ok());
        asked = true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    w.stop();
    EXPECT_TRUE(asked) << "the job never reported progress";
    return get(id);
  }

  KindRegistry kinds_;
  core::ComputePool pool_{1};
  std::filesystem::path dir_;
  std::string model_, spm_f32_;
  int files_ = 0;
};

TEST_P(KindsTest, ImatrixJobWritesAnImatrixThatQuantizeJobsTakeByJobIdOrPath) {
  const std::string calib = upload(prose(60));
  const std::string id = submit("imatrix", {{"model", spm_f32_}, {"calibration_file", calib}, {"chunk", 32}, {"chunks", 4}});
  const store::JobRecord j = run(id);
  ASSERT_EQ(j.state, "succeeded") << j.error;
  const nlohmann::json r = json_of(j.result);
  EXPECT_EQ(r["chunks"], 4);
  EXPECT_EQ(r["chunk_size"], 32);
  EXPECT_EQ(r["tokens"], 4 * 32);
  EXPECT_EQ(r["datasets"], nlohmann::json::array({calib}));
  EXPECT_EQ(json_of(j.progress)["step"], 4);
  EXPECT_EQ(json_of(j.progress)["total"], 4);
  auto im = model::quantize::read_imatrix(r["imatrix"].get<std::string>());
  ASSERT_TRUE(im.ok()) << im.error().message;
  EXPECT_EQ(im->entries.size(), r["entries"].get<size_t>());
  EXPECT_GT(im->entries.size(), 0u);
  EXPECT_TRUE(im->entries.count("blk.0.attn_q.weight"));

  // The same model quantized without, with the job's imatrix (by job id), and with its file.
  const std::string plain = submit("quantize", {{"input", spm_f32_}, {"output", path("plain.gguf")}, {"type", "Q4_K_M"}});
  const std::string by_job = submit("quantize", {{"input", spm_f32_}, {"output", path("job.gguf")}, {"type", "Q4_K_M"}, {"imatrix", id}});
  const std::string by_file = submit("quantize", {{"input", spm_f32_}, {"output", path("file.gguf")}, {"type", "Q4_K_M"},
                                                  {"imatrix", r["imatrix"]}});
  for (const auto& q : {plain, by_job, by_file}) ASSERT_EQ(run(q).state, "succeeded") << get(q).error;
  const nlohmann::json rj = json_of(get(by_job).result);
  EXPECT_EQ(rj["imatrix"], r["imatrix"]);
  EXPECT_GT(rj["weighted_tensors"].get<int>(), 0);
  EXPECT_FALSE(json_of(get(plain).result).contains("imatrix"));
  const std::string a = ondo::testing::read_file(path("plain.gguf"));
  const std::string b = ondo::testing::read_file(path("job.gguf"));
  ASSERT_FALSE(b.empty());
  EXPECT_NE(a, b) << "the importance weights changed nothing";
  EXPECT_EQ(b, ondo::testing::read_file(path("file.gguf")));
}

TEST_P(KindsTest, ImatrixAndQuantizeSubmissionErrorsNameTheParam) {
  EXPECT_EQ(submit_error("imatrix", {{"model", spm_f32_}}),
            "params.calibration_file: give exactly one of calibration_file (a file id or path) and random_chunks");
  EXPECT_EQ(submit_error("imatrix", {{"model", spm_f32_}, {"calibration_file", path("none.txt")}}),
            "params.calibration_file: " + path("none.txt") + ": not a readable file");
  EXPECT_EQ(submit_error("imatrix", {{"model", spm_f32_}, {"random_chunks", 2}, {"chunk", 1}}),
            "params.chunk: expected an integer in 2..1048576, seen 1");
  EXPECT_EQ(submit_error("imatrix", {{"model", path("gone.gguf")}, {"random_chunks", 2}}),
            "params.model: " + path("gone.gguf") + ": the model file is missing");
  const std::string train_like = insert("job-t", "train", nlohmann::json::object());
  EXPECT_EQ(submit_error("quantize", {{"input", spm_f32_}, {"type", "Q8_0"}, {"imatrix", train_like}}),
            "params.imatrix: job 'job-t' is of kind train, not an imatrix job");
  const std::string queued = insert("job-i", "imatrix", {{"model", spm_f32_}, {"random_chunks", 1}});
  EXPECT_EQ(submit_error("quantize", {{"input", spm_f32_}, {"type", "Q8_0"}, {"imatrix", queued}}),
            "params.imatrix: imatrix job 'job-i' has not succeeded (it is queued)");
  EXPECT_EQ(submit_error("quantize", {{"input", spm_f32_}, {"type", "Q8_0"}, {"imatrix", path("no.imatrix")}}),
            "params.imatrix: " + path("no.imatrix") + ": not a readable file");
}

TEST_P(KindsTest, ImatrixJobFromRandomTokensAndCancelMidRun) {
  const std::string id = submit("imatrix", {{"model", spm_f32_}, {"random_chunks", 400}, {"chunk", 64}, {"seed", 3}});
  const store::JobRecord j = cancel_mid_run(id);
  EXPECT_EQ(j.state, "cancelled") << j.error;
  const nlohmann::json p = json_of(j.progress);
  EXPECT_LT(p.value("step", 0), 400) << "the job ran to its end before the cancel";
  EXPECT_FALSE(std::filesystem::exists(dir_ / "jobs" / id / "imatrix.gguf"));
}

TEST_P(KindsTest, EvalJobRunsEveryTargetAndWritesSummaryAndRows) {
  std::string rows;
  for (int i = 0; i < 3; ++i) {
    rows += nlohmann::json{{"id", "r" + std::to_string(i)}, {"prompt", "Tell me about the dog " + std::to_string(i)},
                           {"expected", "no"}, {"checks", {{"contains", "the"}}}}.dump() + "\n";
  }
  const std::string data = upload(rows);
  const std::string id = submit("eval", {{"dataset", data},
                                         {"targets", {{{"model", model_}, {"label", "base"}, {"params", {{"max_tokens", 4}, {"temperature", 0}}}},
                                                      {{"model", model_}, {"prompt", "greet@1"}}}}});
  const store::JobRecord j = run(id);
  ASSERT_EQ(j.state, "succeeded") << j.error;
  const nlohmann::json r = json_of(j.result);
  EXPECT_EQ(r["dataset"], data);
  EXPECT_EQ(r["n_rows"], 3);
  ASSERT_EQ(r["targets"].size(), 2u);
  EXPECT_EQ(r["targets"][0]["label"], "base");
  EXPECT_EQ(r["targets"][1]["prompt"], "greet@1");
  EXPECT_EQ(r["targets"][1]["params"]["max_tokens"], 3);  // from the prompt version's params
  EXPECT_FALSE(r["targets"][0].contains("rows"));
  EXPECT_TRUE(r["targets"][0]["metrics"].contains("contains")) << r.dump(2);
  EXPECT_NE(r["table"].get<std::string>().find("base"), std::string::npos) << r["table"];
  EXPECT_EQ(json_of(j.progress)["step"], 6);
  EXPECT_EQ(json_of(j.progress)["total"], 6);
  ASSERT_EQ(r["rows_files"].size(), 2u);
  for (const auto& f : r["rows_files"]) {
    std::ifstream in(f.get<std::string>());
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      const nlohmann::json row = json_of(line);
      EXPECT_TRUE(row.contains("output") && row.contains("metrics")) << line;
      ++n;
    }
    EXPECT_EQ(n, 3);
  }
  const nlohmann::json summary = json_of(ondo::testing::read_file(r["summary_file"].get<std::string>()));
  EXPECT_EQ(summary["targets"][1]["rows"].size(), 3u);
  // The rows of one target with temperature 0 are the same when run again.
  const std::string again = submit("eval", {{"dataset", data},
                                            {"targets", {{{"model", model_}, {"params", {{"max_tokens", 4}, {"temperature", 0}}}}}}});
  ASSERT_EQ(run(again).state, "succeeded");
  const nlohmann::json s2 = json_of(ondo::testing::read_file(json_of(get(again).result)["summary_file"].get<std::string>()));
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(s2["targets"][0]["rows"][i]["output"], summary["targets"][0]["rows"][i]["output"]);
}

TEST_P(KindsTest, EvalJobErrorsAndCancelMidRun) {
  write("d.jsonl", R"({"prompt": "hi", "expected": "x"})" "\n");
  EXPECT_EQ(submit_error("eval", {{"dataset", path("d.jsonl")}}),
            "params.targets: expected an array of 1 to 16 targets {model, ...}");
  EXPECT_EQ(submit_error("eval", {{"dataset", path("d.jsonl")}, {"targets", {{{"prompt", "greet@1"}}}}}),
            "params.targets[0].model: required (a GGUF path)");
  EXPECT_EQ(submit_error("eval", {{"dataset", path("d.jsonl")}, {"targets", {{{"model", model_}, {"params", {{"top_p", 2}}}}}}}),
            "params.targets[0].params.top_p: expected a number in [0.000000, 1.000000]");
  EXPECT_EQ(submit_error("eval", {{"dataset", path("nope.jsonl")}, {"targets", {{{"model", model_}}}}}),
            "params.dataset: " + path("nope.jsonl") + ": not a readable file");
  // An unknown prompt fails the job with the registry's reason.
  const std::string bad_prompt = submit("eval", {{"dataset", path("d.jsonl")}, {"targets", {{{"model", model_}, {"prompt", "nope@2"}}}}});
  const store::JobRecord bp = run(bad_prompt);
  EXPECT_EQ(bp.state, "failed");
  EXPECT_EQ(bp.error, "params.targets[0].prompt: no prompt 'nope@2'");
  // A long run, cancelled after its first row.
  std::string rows;
  for (int i = 0; i < 50; ++i) rows += nlohmann::json{{"prompt", "Tell a story " + std::to_string(i)}, {"expected", "x"}}.dump() + "\n";
  write("long.jsonl", rows);
  const std::string id = submit("eval", {{"dataset", path("long.jsonl")},
                                         {"targets", {{{"model", model_}, {"params", {{"max_tokens", 200}}}}}}});
  const store::JobRecord j = cancel_mid_run(id);
  EXPECT_EQ(j.state, "cancelled") << j.error;
  EXPECT_LT(json_of(j.progress).value("step", 0), 50);
}

// Issue 17.8: a job whose model went away (or was replaced by something that is not a model)
// after submission fails when the worker picks it up, with the path and the reason, on its
// first attempt -- for every kind.
TEST_P(KindsTest, EveryKindFailsAtOnceWhenItsModelIsMissingOrNotAModel) {
  write("junk.gguf", "this is not a model");
  write("d.jsonl", R"({"prompt": "hi", "expected": "x"})" "\n");
  const std::string data = upload(R"({"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"}]})" "\n");
  struct Case {
    std::string kind, param;
    std::function<nlohmann::json(const std::string&)> params;
  };
  const std::vector<Case> cases = {
      {"train", "tokenizer",
       [&](const std::string& m) {
         return nlohmann::json{{"data", path("d.jsonl")}, {"tokenizer", m}, {"layers", 1}, {"dim", 8}, {"heads", 1},
                               {"ffn", 8}, {"ctx", 8}, {"batch", 1}, {"steps", 2}};
       }},
      {"quantize", "input", [&](const std::string& m) { return nlohmann::json{{"input", m}, {"type", "Q8_0"}}; }},
      {"imatrix", "model", [&](const std::string& m) { return nlohmann::json{{"model", m}, {"random_chunks", 1}}; }},
      {"eval", "targets[0].model",
       [&](const std::string& m) { return nlohmann::json{{"dataset", path("d.jsonl")}, {"targets", {{{"model", m}}}}}; }},
      {"fine_tune", "model_path",
       [&](const std::string& m) {
         return nlohmann::json{{"model", "tiny"}, {"model_path", m}, {"training_file", data},
                               {"lora", {{"attention", {{"enabled", true}, {"modules", {"q", "v"}}}}}}};
       }},
  };
  int n = 0;
  for (const Case& c : cases) {
    for (const auto& [file, why] : {std::pair{path("gone.gguf"), std::string("the model file is missing")},
                                    std::pair{path("junk.gguf"), std::string("is not a GGUF model file")},
                                    std::pair{dir_.string(), std::string("is a directory, not a model file")}}) {
      SCOPED_TRACE(c.kind + " " + file);
      const std::string id = insert("job-m" + std::to_string(++n), c.kind, c.params(file));
      const store::JobRecord j = run(id);
      EXPECT_EQ(j.state, "failed");
      EXPECT_EQ(j.error, "params." + c.param + ": " + file + ": " + why);
      EXPECT_EQ(j.error_code, "invalid_argument");
      EXPECT_EQ(j.attempt, 1);
    }
  }
}

// A model's output cut inside a UTF-8 character ends up in results and events; recording it
// must not throw (it did: the worker died on json::dump), it is stored with U+FFFD.
TEST_P(KindsTest, AResultWithInvalidUtf8IsRecordedNotThrown) {
  ASSERT_TRUE(kinds_.add("cut", [](JobContext& ctx) -> Result<nlohmann::json> {
                      const std::string cut = "caf\xc3";
                      (void)ctx.event("info", "row done", {{"output", cut}});
                      return nlohmann::json{{"output", cut}};
                    }).ok());
  const std::string id = insert("job-cut", "cut", nlohmann::json::object());
  const store::JobRecord j = run(id);
  EXPECT_EQ(j.state, "succeeded") << j.error;
  EXPECT_EQ(json_of(j.result)["output"], "caf\xef\xbf\xbd");
}

INSTANTIATE_TEST_SUITE_P(Engines, KindsTest, ::testing::Values("sqlite", "postgres"), [](const auto& info) { return info.param; });

}  // namespace
}  // namespace ondo::jobs
