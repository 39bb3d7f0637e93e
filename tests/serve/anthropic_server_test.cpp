// POST /v1/messages and /v1/messages/count_tokens through `ondo serve` with reference models
// (stories260K and a random-weight llama), driven by the official @anthropic-ai/sdk client
// (node/anthropic_client.mjs) with an API key (sent as x-api-key), in the generic tool-call
// wrapper and in the Hermes and Llama 3.1 formats of real chat templates.
#include <gtest/gtest.h>

#include <cstdio>

#include "serve/serve_process.h"
#include "support/testdata.h"

namespace ondo::testing {
namespace {

constexpr const char* kKey = "sk-ant-test-key";

class AnthropicServe : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    auto dir = testdata_dir(&why);
    if (!dir || !std::filesystem::exists(*dir / "models" / "stories260K.gguf")) {
      if (testdata_required()) FAIL() << "stories260K.gguf missing: " << why;
      GTEST_SKIP() << "reference models not found (" << why << ")";
    }
    dir_ = *dir;
    const auto modules = std::filesystem::path(ONDO_SOURCE_DIR) / "tests" / "serve" / "node" / "node_modules";
    if (std::system("node --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "node is not installed (scripts/setup)";
    for (const char* pkg : {"@anthropic-ai/sdk", "ajv"}) {
      if (!std::filesystem::exists(modules / pkg)) {
        GTEST_SKIP() << pkg << " missing (run scripts/setup: npm ci --prefix tests/serve/node)";
      }
    }
  }
  // One server with both models and an API key; `tmpl` (a template name in
  // ONDO_TESTDATA/templates) or "".
  void start(const std::string& tmpl) {
    std::vector<std::string> args = {"-m", (dir_ / "models" / "stories260K.gguf").string() + "=tiny", "-m",
                                     (dir_ / "models" / "ref-llama-spm-q8_0.gguf").string() + "=rand",
                                     "-t", "1", "--parallel", "4", "--ctx", "2048", "--api-key", kKey};
    if (!tmpl.empty()) {
      const auto path = dir_ / "templates" / (tmpl + ".jinja");
      if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " missing";
      args.insert(args.end(), {"--chat-template", path.string()});
    }
    ASSERT_TRUE(server_.start(args)) << server_.log();
  }
  void TearDown() override {
    if (server_.pid() > 0) {
      EXPECT_EQ(server_.stop(), 0) << server_.log();
    }
  }
  void run_client() {
    for (const char* model : {"tiny", "rand"}) {
      int rc = 0;
      const std::string out = run_node("anthropic_client.mjs", server_.base_url() + " " + model + " " + kKey, &rc);
      EXPECT_EQ(rc, 0) << model << ":\n" << out;
      EXPECT_NE(out.find("all checks passed"), std::string::npos) << out;
    }
  }
  std::filesystem::path dir_;
  ServeProcess server_;
};

TEST_F(AnthropicServe, SdkWithGenericToolCalls) {
  start("");
  run_client();
}

TEST_F(AnthropicServe, SdkWithHermesToolCalls) {
  start("Qwen-Qwen2.5-7B-Instruct");
  run_client();
}

TEST_F(AnthropicServe, SdkWithLlama31ToolCalls) {
  start("meta-llama-Llama-3.1-8B-Instruct");
  run_client();
}

}  // namespace
}  // namespace ondo::testing
