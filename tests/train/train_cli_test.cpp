// `ondo tokenizer train`, `ondo train` and `ondo run` on the result, run as a user runs them
// (tiny shapes, a few steps). Layer: tests/train.
#include <gtest/gtest.h>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <fcntl.h>

#include <filesystem>
#include <fstream>

#include "support/run_command.h"

namespace ondo::train {
namespace {

using ondo::testing::run_ondo;

class TrainCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) / ("ondo_train_cli_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::ofstream f(dir_ / "d.jsonl");
    for (int i = 0; i < 30; ++i) {
      f << R"({"prompt": "{\"ingredients\": [\"양파\"]}", "completion": "{\"recipe_name\": \"양파볶음 )" << i % 3
        << R"(\"}"})" << "\n";
    }
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string p(const char* name) const { return (dir_ / name).string(); }
  std::filesystem::path dir_;
};

TEST_F(TrainCli, TrainsAModelThatRuns) {
  auto tok = run_ondo("tokenizer train --data " + p("d.jsonl") + " --vocab 300 --out " + p("tok.gguf"));
  ASSERT_EQ(tok.exit_code, 0) << tok.err;
  const std::string shape = " --layers 1 --dim 16 --heads 2 --ffn 32 --ctx 64 --batch 2 --warmup 1 -t 1";
  auto tr = run_ondo("train --data " + p("d.jsonl") + " --tokenizer " + p("tok.gguf") + shape +
                     " --steps 4 --ckpt-every 2 --ckpt-dir " + p("ck") + " --out " + p("m.gguf"));
  ASSERT_EQ(tr.exit_code, 0) << tr.err;
  EXPECT_NE(tr.err.find("step 4/4 | loss"), std::string::npos) << tr.err;
  EXPECT_NE(tr.err.find("tok/s"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(p("ck/ckpt-2.gguf")));
  auto run = run_ondo("run -m " + p("m.gguf") + " --chat -p hello -n 4 --temp 0 -t 1");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  std::filesystem::create_directories(dir_ / "r");
  // resuming from step 2 to step 4 writes the same model bytes as the straight run
  auto re = run_ondo("train --data " + p("d.jsonl") + " --tokenizer " + p("tok.gguf") + shape + " --steps 4 --resume " +
                     p("ck/ckpt-2.gguf") + " --out " + p("r/m.gguf"));
  ASSERT_EQ(re.exit_code, 0) << re.err;
  EXPECT_TRUE(ondo::testing::read_file(p("m.gguf")) == ondo::testing::read_file(p("r/m.gguf")));
}

// SIGINT between steps: a checkpoint is written and the process exits with 130; --resume
// then finishes the run.
TEST_F(TrainCli, SigintWritesACheckpoint) {
  ASSERT_EQ(run_ondo("tokenizer train --data " + p("d.jsonl") + " --vocab 300 --out " + p("tok.gguf")).exit_code, 0);
  const std::string bin = (ondo::testing::binary_dir() / "ondo").string(), err = p("err.txt");
  std::vector<std::string> args = {bin, "train", "--data", p("d.jsonl"), "--tokenizer", p("tok.gguf"), "--layers", "1",
                                   "--dim", "16", "--heads", "2", "--ffn", "32", "--ctx", "64", "--batch", "2",
                                   "--steps", "1000000", "-t", "1", "--ckpt-dir", p("ck"), "--out", p("m.gguf")};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, bin.c_str(), &fa, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&fa);
  // wait (bounded) until training has started, then interrupt
  for (int i = 0; i < 600 && ondo::testing::read_file(err).find("step 2/") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(pid, SIGINT);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << ondo::testing::read_file(err);
  EXPECT_EQ(WEXITSTATUS(status), 130);
  EXPECT_NE(ondo::testing::read_file(err).find("interrupted"), std::string::npos);
  ASSERT_TRUE(std::filesystem::exists(p("ck/ckpt-interrupted.gguf")));
  EXPECT_FALSE(std::filesystem::exists(p("m.gguf")));
}

TEST_F(TrainCli, RejectsBadShapesAndMissingOptions) {
  ASSERT_EQ(run_ondo("tokenizer train --data " + p("d.jsonl") + " --vocab 300 --out " + p("tok.gguf")).exit_code, 0);
  auto bad = run_ondo("train --data " + p("d.jsonl") + " --tokenizer " + p("tok.gguf") +
                      " --layers 1 --dim 15 --heads 2 --ffn 8 --ctx 8 --batch 1 --steps 1 --out " + p("x.gguf"));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("not a multiple of heads"), std::string::npos) << bad.err;
  auto missing = run_ondo("train --data " + p("d.jsonl") + " --out " + p("x.gguf"));
  EXPECT_EQ(missing.exit_code, 2);
  auto usage = run_ondo("tokenizer");
  EXPECT_EQ(usage.exit_code, 2);
}

}  // namespace
}  // namespace ondo::train
