// Jobs and fine-tuning through `ondo serve` (issue 17.3), driven by the official openai npm
// client (node/fine_tuning_client.mjs): validation errors, list/retrieve/cancel of queued
// fine-tuning jobs on a server without workers; then, restarted on the same store with a
// worker, the queued fine-tuning job trained (LoRA over the served model) to success, and a
// train job created with POST /v1/jobs followed over SSE to success.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "serve/serve_process.h"
#include "support/run_command.h"
#include "support/testdata.h"

namespace ondo::testing {
namespace {

class JobsServe : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    auto dir = testdata_dir(&why);
    if (!dir || !std::filesystem::exists(*dir / "models" / "stories260K.gguf")) {
      if (testdata_required()) FAIL() << "stories260K.gguf missing: " << why;
      GTEST_SKIP() << "reference models not found (" << why << ")";
    }
    model_ = *dir / "models" / "stories260K.gguf";
    const auto modules = std::filesystem::path(ONDO_SOURCE_DIR) / "tests" / "serve" / "node" / "node_modules";
    if (std::system("node --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "node is not installed (scripts/setup)";
    if (!std::filesystem::exists(modules / "openai")) GTEST_SKIP() << "openai missing (run scripts/setup)";
    dir_ = std::filesystem::path(::testing::TempDir()) / ("ondo_jobs_serve_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    if (server_.pid() > 0) {
      EXPECT_EQ(server_.stop(), 0) << server_.log();
    }
    std::filesystem::remove_all(dir_);
  }
  void start(int workers) {
    ASSERT_TRUE(server_.start({"-m", model_.string() + "=tiny", "-t", "1", "--data-dir", (dir_ / "data").string(),
                               "--admin-key", "admin-secret", "--workers", std::to_string(workers)}))
        << server_.log();
  }
  std::filesystem::path model_, dir_;
  ServeProcess server_;
};

TEST_F(JobsServe, FineTuningApiAndATrainJobFollowedToSuccess) {
  {
    std::ofstream f(dir_ / "d.jsonl");
    for (int i = 0; i < 20; ++i) f << R"({"text": "the cat sat on the mat and ate the fish )" << i % 5 << R"("})" << "\n";
  }
  ASSERT_EQ(run_ondo("tokenizer train --data " + (dir_ / "d.jsonl").string() + " --vocab 280 --out " +
                     (dir_ / "tok.gguf").string())
                .exit_code,
            0);
  const std::string out = (dir_ / "out.json").string();
  start(0);
  int rc = 0;
  std::string log = run_node("fine_tuning_client.mjs", "queue " + server_.base_url() + "/v1 tiny " + out, &rc);
  ASSERT_EQ(rc, 0) << log << "\n" << server_.log();
  ASSERT_EQ(server_.stop(), 0) << server_.log();

  start(1);
  const nlohmann::json params = {{"data", (dir_ / "d.jsonl").string()}, {"tokenizer", (dir_ / "tok.gguf").string()},
                                 {"layers", 1}, {"dim", 16}, {"heads", 2}, {"ffn", 32}, {"ctx", 32}, {"batch", 2},
                                 {"steps", 30}, {"warmup", 2}, {"ckpt_every", 10}};
  log = run_node("fine_tuning_client.mjs", "run " + server_.base_url() + "/v1 " + out + " '" + params.dump() + "'", &rc);
  EXPECT_EQ(rc, 0) << log << "\n" << server_.log();
  EXPECT_NE(log.find("all checks passed"), std::string::npos) << log;
  const auto result = nlohmann::json::parse(read_file(out), nullptr, false);
  ASSERT_TRUE(result.is_object());
  EXPECT_TRUE(std::filesystem::exists(result.value("model", "")));
}

}  // namespace
}  // namespace ondo::testing
