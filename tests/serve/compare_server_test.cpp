// POST /v1/compare (issue 17.5) and the "lora" field on the Responses, Anthropic and Ollama
// APIs (issue 17.4), on a server with two adapters from the testdata, driven by the official
// clients (node/compare_client.mjs, node/lora_families_client.mjs).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "serve/serve_process.h"
#include "support/testdata.h"

namespace ondo::testing {
namespace {

class AdaptersServe : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    auto dir = testdata_dir(&why);
    if (!dir || !std::filesystem::exists(*dir / "models" / "lora" / "ref-llama-spm-lora-attn.gguf")) {
      if (testdata_required()) FAIL() << "LoRA test data missing: " << why;
      GTEST_SKIP() << "LoRA test data not found (" << why << ")";
    }
    if (std::system("node --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "node is not installed (scripts/setup)";
    const auto modules = std::filesystem::path(ONDO_SOURCE_DIR) / "tests" / "serve" / "node" / "node_modules";
    for (const char* m : {"openai", "@anthropic-ai/sdk", "ollama"}) {
      if (!std::filesystem::exists(modules / m)) GTEST_SKIP() << m << " missing (run scripts/setup)";
    }
    const auto lora = *dir / "models" / "lora";
    ASSERT_TRUE(server_.start({"-m", (*dir / "models" / "ref-llama-spm-f32.gguf").string() + "=base", "-t", "1",
                               "--parallel", "4", "--ctx", "256", "--lora",
                               "attn=" + (lora / "ref-llama-spm-lora-attn.gguf").string(), "--lora",
                               "mlp=" + (lora / "ref-llama-spm-lora-mlp.gguf").string()}))
        << server_.log();
  }
  void TearDown() override {
    if (server_.pid() > 0) {
      EXPECT_EQ(server_.stop(), 0) << server_.log();
    }
  }
  ServeProcess server_;
};

TEST_F(AdaptersServe, CompareAnswersEachModelAsItsSoloRequest) {
  int rc = 0;
  const std::string out = run_node("compare_client.mjs", server_.base_url() + "/v1 base", &rc);
  EXPECT_EQ(rc, 0) << out << "\n" << server_.log();
  EXPECT_NE(out.find("all checks passed"), std::string::npos) << out;
}

TEST_F(AdaptersServe, ResponsesAnthropicAndOllamaTakeAdapters) {
  int rc = 0;
  const std::string out = run_node("lora_families_client.mjs", server_.base_url() + " base", &rc);
  EXPECT_EQ(rc, 0) << out << "\n" << server_.log();
  EXPECT_NE(out.find("all checks passed"), std::string::npos) << out;
}

}  // namespace
}  // namespace ondo::testing
