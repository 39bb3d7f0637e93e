// Structured output through `ondo serve` with reference models that would write anything
// but JSON (stories260K and a random-weight llama), driven from node: the seeded
// random-schema guarantee checked by ajv (2020-12 + formats), the recipe schema of reference
// case 1, streaming, refusals; and tool calling through the official openai client in the
// generic wrapper and in the Hermes and Llama 3.1 formats of real chat templates.
#include <gtest/gtest.h>

#include <cstdio>

#include "serve/serve_process.h"
#include "support/run_command.h"
#include "support/testdata.h"

namespace ondo::testing {
namespace {

class StructuredServe : public ::testing::Test {
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
    if (!std::filesystem::exists(modules / "ajv-formats") || !std::filesystem::exists(modules / "openai")) {
      GTEST_SKIP() << "npm packages missing (run scripts/setup: npm ci --prefix tests/serve/node)";
    }
  }
  // One server with both models; `tmpl` (a template name in ONDO_TESTDATA/templates) or "".
  void start(const std::string& tmpl) {
    std::vector<std::string> args = {"-m", (dir_ / "models" / "stories260K.gguf").string() + "=tiny", "-m",
                                     (dir_ / "models" / "ref-llama-spm-q8_0.gguf").string() + "=rand",
                                     "-t", "1", "--parallel", "4", "--ctx", "2048"};
    if (!tmpl.empty()) {
      const auto path = dir_ / "templates" / (tmpl + ".jinja");
      if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " missing";
      args.insert(args.end(), {"--chat-template", path.string()});
    }
    ASSERT_TRUE(server_.start(args)) << server_.log();
  }
  void TearDown() override {
    if (server_.pid() > 0) EXPECT_EQ(server_.stop(), 0) << server_.log();
  }
  void tools_round_trip() {
    for (const char* script : {"tools_client.mjs", "tools_end_client.mjs"}) {
      for (const char* model : {"tiny", "rand"}) {
        int rc = 0;
        const std::string out = run_node(script, server_.base_url() + "/v1 " + model, &rc);
        EXPECT_EQ(rc, 0) << script << " " << model << ":\n" << out;
        EXPECT_NE(out.find("all checks passed"), std::string::npos) << out;
      }
    }
  }
  std::filesystem::path dir_;
  ServeProcess server_;
};

// 600 random schemas (seed 20240611) over both models, 8 requests in flight.
TEST_F(StructuredServe, RandomSchemasAlwaysValidate) {
  start("");
  int rc = 0;
  const std::string out = run_node("structured_guarantee.mjs", server_.base_url() + " tiny,rand 600 20240611", &rc);
  std::printf("%s", out.c_str());
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("all checks passed"), std::string::npos) << out;
}

TEST_F(StructuredServe, ToolCallsGenericWrapper) {
  start("");
  tools_round_trip();
}

TEST_F(StructuredServe, ToolCallsHermesFormat) {
  start("Qwen-Qwen2.5-7B-Instruct");
  tools_round_trip();
}

TEST_F(StructuredServe, ToolCallsLlama31Format) {
  start("meta-llama-Llama-3.1-8B-Instruct");
  tools_round_trip();
}

// tool_choice auto must leave a plain answer that starts with "{" possible: the built-in
// recipe model answers with its recipe JSON as text although tools are offered.
TEST_F(StructuredServe, AutoToolsLeaveJsonAnswersAsText) {
  const auto recipe = std::filesystem::path(ONDO_SOURCE_DIR) / "models" / "ondo-recipe.gguf";
  if (!std::filesystem::exists(recipe)) GTEST_SKIP() << recipe << " missing";
  ASSERT_TRUE(server_.start({"-m", recipe.string() + "=recipe", "-t", "1", "--ctx", "256"})) << server_.log();
  int rc = 0;
  const std::string out = run_node("tools_auto_text.mjs", server_.base_url() + "/v1 recipe", &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("all checks passed"), std::string::npos) << out;
}

}  // namespace
}  // namespace ondo::testing
