// Fine-tuning through `ondo serve --workers 1` proves its point (issue 17 "Done when"), driven
// by the official openai npm client (node/fine_tuning_learn.mjs): a small chat JSONL trains an
// adapter whose training loss falls and whose model answers the trained prompt as trained
// while the base does not; the adapter is served the moment the job ends; a job whose base
// model is no longer served fails naming it.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "serve/serve_process.h"
#include "support/testdata.h"

namespace ondo::testing {
namespace {

class FineTuningServe : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    auto dir = testdata_dir(&why);
    if (!dir || !std::filesystem::exists(*dir / "models" / "ref-llama-spm-q8_0.gguf")) {
      if (testdata_required()) FAIL() << "ref-llama-spm-q8_0.gguf missing: " << why;
      GTEST_SKIP() << "reference models not found (" << why << ")";
    }
    models_ = *dir / "models";
    const auto modules = std::filesystem::path(ONDO_SOURCE_DIR) / "tests" / "serve" / "node" / "node_modules";
    if (std::system("node --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "node is not installed (scripts/setup)";
    if (!std::filesystem::exists(modules / "openai")) GTEST_SKIP() << "openai missing (run scripts/setup)";
    dir_ = std::filesystem::path(::testing::TempDir()) / ("ondo_ft_serve_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    if (server_.pid() > 0) {
      EXPECT_EQ(server_.stop(), 0) << server_.log();
    }
    std::filesystem::remove_all(dir_);
  }
  void start(const std::string& model, const std::string& alias, int workers) {
    ASSERT_TRUE(server_.start({"-m", model + "=" + alias, "-t", "1", "--data-dir", (dir_ / "data").string(),
                               "--admin-key", "admin-secret", "--workers", std::to_string(workers)}))
        << server_.log();
  }
  std::filesystem::path models_, dir_;
  ServeProcess server_;
};

TEST_F(FineTuningServe, TheTunedModelAnswersAsTrainedAndTheBaseDoesNot) {
  start((models_ / "ref-llama-spm-q8_0.gguf").string(), "ref", 1);
  int rc = 0;
  const std::string log = run_node("fine_tuning_learn.mjs", "learn " + server_.base_url() + " ref", &rc);
  EXPECT_EQ(rc, 0) << log << "\n" << server_.log();
  EXPECT_NE(log.find("all checks passed"), std::string::npos) << log;
}

TEST_F(FineTuningServe, AJobWhoseBaseIsNoLongerServedFailsNamingIt) {
  const auto copy = dir_ / "gone.gguf";
  std::filesystem::copy_file(models_ / "stories260K.gguf", copy);
  start(copy.string(), "gone", 0);
  const std::string out = (dir_ / "orphan.json").string();
  int rc = 0;
  std::string log = run_node("fine_tuning_learn.mjs", "orphan-create " + server_.base_url() + " gone " + out, &rc);
  ASSERT_EQ(rc, 0) << log << "\n" << server_.log();
  ASSERT_EQ(server_.stop(), 0) << server_.log();
  std::filesystem::remove(copy);  // the model is gone, and the server no longer serves it

  start((models_ / "stories260K.gguf").string(), "tiny", 1);
  log = run_node("fine_tuning_learn.mjs", "orphan-check " + server_.base_url() + " " + out, &rc);
  EXPECT_EQ(rc, 0) << log << "\n" << server_.log();
  EXPECT_NE(log.find("all checks passed"), std::string::npos) << log;
}

}  // namespace
}  // namespace ondo::testing
