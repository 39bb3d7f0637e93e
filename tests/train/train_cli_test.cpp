// `ondo tokenizer train`, `ondo train` and `ondo run` on the result, run as a user runs them
// (tiny shapes, a few steps). Layer: tests/train.
#include <gtest/gtest.h>

#include <unistd.h>

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
