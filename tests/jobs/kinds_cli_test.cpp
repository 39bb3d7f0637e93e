// The imatrix, quantize-with-imatrix and eval kinds as a user runs them from the command line:
// `ondo jobs submit` then `ondo worker --once`, with an eval target that uses a registry prompt
// made with `ondo prompt` (the worker resolves it through serve/job_prompts.h), and
// submission errors. Layer: tests/jobs.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "support/run_command.h"
#include "support/testdata.h"

namespace ondo::jobs {
namespace {

using ondo::testing::run_ondo;

class KindsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) / ("ondo_kinds_cli_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string p(const std::string& name) const { return (dir_ / name).string(); }
  std::string data_dir() const { return " --data-dir " + p("data"); }
  std::string submit(const std::string& kind, const nlohmann::json& params) {
    auto r = run_ondo("jobs submit " + kind + " '" + params.dump() + "'" + data_dir());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    return j.is_object() ? j.value("id", "") : "";
  }
  nlohmann::json show(const std::string& id) {
    auto r = run_ondo("jobs show " + id + data_dir());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    return j.is_object() ? j : nlohmann::json::object();
  }
  void work() {
    auto r = run_ondo("worker --once -t 1" + data_dir());
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::filesystem::path dir_;
};

TEST_F(KindsCli, SubmitImatrixQuantizeAndEvalWithARegistryPrompt) {
  ONDO_TESTDATA_OR_SKIP(data);
  const std::string f32 = (data / "models" / "ref-llama-spm-f32.gguf").string();
  const std::string tiny = (data / "models" / "stories260K.gguf").string();
  const std::string im = submit("imatrix", {{"model", f32}, {"random_chunks", 2}, {"chunk", 16}});
  work();
  const nlohmann::json imj = show(im);
  ASSERT_EQ(imj["state"], "succeeded") << imj.dump(2);
  EXPECT_EQ(imj["result"]["chunks"], 2);
  const std::string q = submit("quantize", {{"input", f32}, {"type", "Q4_K_M"}, {"imatrix", im}});
  work();
  const nlohmann::json qj = show(q);
  ASSERT_EQ(qj["state"], "succeeded") << qj.dump(2);
  EXPECT_GT(qj["result"]["weighted_tensors"].get<int>(), 0);

  ASSERT_EQ(run_ondo("prompt create storyteller" + data_dir()).exit_code, 0);
  const nlohmann::json version = {{"system", "You tell stories about {{animal}}."},
                                  {"variables", {{"animal", {{"type", "string"}}}}},
                                  {"params", {{"max_tokens", 2}}}};
  auto v = run_ondo("prompt version storyteller --json '" + version.dump() + "'" + data_dir());
  ASSERT_EQ(v.exit_code, 0) << v.err;
  std::ofstream(p("d.jsonl")) << R"({"id": "a", "input": {"animal": "cats"}, "expected": "x"})" "\n"
                              << R"({"id": "b", "input": {"animal": "dogs"}, "expected": "x"})" "\n";
  const std::string ev = submit("eval", {{"dataset", p("d.jsonl")}, {"targets", {{{"model", tiny}, {"prompt", "storyteller@1"}}}}});
  work();
  const nlohmann::json evj = show(ev);
  ASSERT_EQ(evj["state"], "succeeded") << evj.dump(2);
  EXPECT_EQ(evj["result"]["targets"][0]["prompt"], "storyteller@1");
  EXPECT_EQ(evj["result"]["targets"][0]["params"]["max_tokens"], 2);  // the version's params
  EXPECT_EQ(evj["result"]["n_rows"], 2);
  EXPECT_EQ(evj["progress"]["step"], 2);

  const std::string missing = submit("eval", {{"dataset", p("d.jsonl")}, {"targets", {{{"model", tiny}, {"prompt", "nope"}}}}});
  work();
  const nlohmann::json mj = show(missing);
  EXPECT_EQ(mj["state"], "failed");
  EXPECT_NE(mj["error"]["message"].get<std::string>().find("params.targets[0].prompt: "), std::string::npos) << mj.dump(2);
  EXPECT_NE(mj["error"]["message"].get<std::string>().find("nope"), std::string::npos) << mj.dump(2);

  auto bad = run_ondo("jobs submit quantize '" + nlohmann::json{{"input", f32}, {"type", "Q8_0"}, {"imatrix", ev}}.dump() + "'" + data_dir());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("params.imatrix: job '" + ev + "' is of kind eval, not an imatrix job"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace ondo::jobs
