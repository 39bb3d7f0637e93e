// `ondo jobs` and `ondo worker` as a user runs them: a train job queued with `jobs submit`,
// its worker killed with SIGKILL mid-run, a new worker resuming it from the last checkpoint
// after the lease runs out, and the final model equal byte for byte to an uninterrupted
// run's; `jobs cancel`, `jobs show`, `jobs list` and their errors. Layer: tests/jobs.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/run_command.h"

namespace ondo::jobs {
namespace {

using ondo::testing::read_file;
using ondo::testing::run_ondo;

class WorkerCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) / ("ondo_worker_cli_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::ofstream f(dir_ / "d.jsonl");
    for (int i = 0; i < 40; ++i) f << R"({"text": "the cat sat on the mat number )" << i % 7 << R"( and ate the fish"})" << "\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string p(const std::string& name) const { return (dir_ / name).string(); }
  std::string data_dir() const { return " --data-dir " + p("data"); }

  std::string train_params(int steps) const {
    nlohmann::json j = {{"data", p("d.jsonl")}, {"tokenizer", p("tok.gguf")}, {"layers", 1}, {"dim", 16}, {"heads", 2},
                        {"ffn", 32}, {"ctx", 32}, {"batch", 2}, {"steps", steps}, {"warmup", 2}, {"ckpt_every", 50},
                        {"seed", 7}};
    return "'" + j.dump() + "'";
  }
  // Submits a job and returns its id.
  std::string submit(const std::string& kind, const std::string& params) {
    auto r = run_ondo("jobs submit " + kind + " " + params + data_dir());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_TRUE(j.is_object()) << r.out;
    return j.is_object() ? j.value("id", "") : "";
  }
  nlohmann::json show(const std::string& id) {
    auto r = run_ondo("jobs show " + id + data_dir());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    return j.is_object() ? j : nlohmann::json::object();
  }
  pid_t spawn_worker(const std::string& log) {
    const std::string bin = (ondo::testing::binary_dir() / "ondo").string();
    std::vector<std::string> args = {bin, "worker", "--data-dir", p("data"), "-t", "1", "--lease", "2"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = 0;
    EXPECT_EQ(posix_spawn(&pid, bin.c_str(), &fa, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    return pid;
  }
  std::filesystem::path dir_;
};

TEST_F(WorkerCli, KilledWorkersTrainJobResumesFromItsCheckpointToTheSameModel) {
  ASSERT_EQ(run_ondo("tokenizer train --data " + p("d.jsonl") + " --vocab 300 --out " + p("tok.gguf")).exit_code, 0);
  const std::string killed = submit("train", train_params(2000));
  ASSERT_FALSE(killed.empty());
  const pid_t first = spawn_worker(p("w1.log"));
  // Wait (bounded) until the job has recorded a checkpoint, then kill the worker outright.
  bool checkpointed = false;
  for (int i = 0; i < 1200 && !checkpointed; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    checkpointed = !show(killed)["checkpoints"].empty();
  }
  ::kill(first, SIGKILL);
  ::waitpid(first, nullptr, 0);
  ASSERT_TRUE(checkpointed) << read_file(p("w1.log"));
  nlohmann::json mid = show(killed);
  ASSERT_EQ(mid["state"], "running") << mid.dump(2);  // still leased to the dead worker
  ASSERT_LT(mid["checkpoints"].size(), 40u) << "the job finished before the kill; make it longer";

  // A new worker takes it once the 2 s lease has run out, and finishes from the checkpoint.
  auto rest = run_ondo("worker --once -t 1 --lease 2" + data_dir());
  for (int i = 0; i < 40 && show(killed)["state"] == "running"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    rest = run_ondo("worker --once -t 1 --lease 2" + data_dir());
  }
  ASSERT_EQ(rest.exit_code, 0) << rest.err;
  const nlohmann::json done = show(killed);
  ASSERT_EQ(done["state"], "succeeded") << done.dump(2);
  EXPECT_EQ(done["attempt"], 2);
  bool resumed = false;
  for (const auto& e : done["events"]) resumed = resumed || e["message"].get<std::string>().find("resumed from") == 0;
  EXPECT_TRUE(resumed) << done["events"].dump(2);

  // The same job straight through: the same bytes.
  const std::string straight = submit("train", train_params(2000));
  auto once = run_ondo("worker --once -t 1" + data_dir());
  ASSERT_EQ(once.exit_code, 0) << once.err;
  const nlohmann::json s = show(straight);
  ASSERT_EQ(s["state"], "succeeded") << s.dump(2);
  const std::string a = read_file(done["result"]["model"].get<std::string>());
  const std::string b = read_file(s["result"]["model"].get<std::string>());
  ASSERT_FALSE(a.empty());
  EXPECT_TRUE(a == b) << "the resumed model differs from the uninterrupted one";
}

TEST_F(WorkerCli, SubmitListShowCancelAndTheirErrors) {
  std::ofstream(p("in.gguf")) << "not a model";
  const std::string id = submit("quantize", "'{\"input\":\"" + p("in.gguf") + "\",\"type\":\"Q8_0\"}'");
  ASSERT_EQ(id.rfind("job-", 0), 0u) << id;
  auto list = run_ondo("jobs list --kind quantize" + data_dir());
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find(id), std::string::npos);
  auto cancel = run_ondo("jobs cancel " + id + data_dir());
  ASSERT_EQ(cancel.exit_code, 0) << cancel.err;
  EXPECT_EQ(nlohmann::json::parse(cancel.out)["state"], "cancelled");

  const std::string bad_file = submit("quantize", "'{\"input\":\"" + p("in.gguf") + "\",\"type\":\"Q8_0\"}'");
  ASSERT_EQ(run_ondo("worker --once -t 1" + data_dir()).exit_code, 0);
  const nlohmann::json failed = show(bad_file);
  EXPECT_EQ(failed["state"], "failed");
  EXPECT_NE(failed["error"]["message"].get<std::string>().find("in.gguf"), std::string::npos) << failed.dump(2);

  auto bad_type = run_ondo("jobs submit quantize '{\"input\":\"" + p("in.gguf") + "\",\"type\":\"Q9\"}'" + data_dir());
  EXPECT_EQ(bad_type.exit_code, 2);
  EXPECT_NE(bad_type.err.find("params.type: unknown type 'Q9'"), std::string::npos) << bad_type.err;
  auto missing = run_ondo("jobs submit train '{\"data\":\"" + p("nope.jsonl") + "\"}'" + data_dir());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("params.tokenizer: required"), std::string::npos) << missing.err;
  auto not_json = run_ondo("jobs submit train '{'" + data_dir());
  EXPECT_EQ(not_json.exit_code, 2);
  auto unknown = run_ondo("jobs show job-nope" + data_dir());
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("no job 'job-nope'"), std::string::npos) << unknown.err;
  auto action = run_ondo("jobs frobnicate" + data_dir());
  EXPECT_EQ(action.exit_code, 2);
}

}  // namespace
}  // namespace ondo::jobs
