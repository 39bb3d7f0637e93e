// POST /v1/responses through `ondo serve` with reference models (stories260K and a
// random-weight llama), driven by the official openai npm client (responses.create and
// responses.stream: node/responses_client.mjs) and by LangChain's ChatOpenAI with
// useResponsesApi (langchain_responses.mjs), in the generic tool-call wrapper and in the
// Hermes and Llama 3.1 formats of real chat templates.
#include <gtest/gtest.h>

#include <cstdio>

#include "serve/serve_process.h"
#include "support/run_command.h"
#include "support/testdata.h"

namespace ondo::testing {
namespace {

class ResponsesServe : public ::testing::Test {
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
    for (const char* pkg : {"openai", "ajv-formats", "@langchain/openai", "@langchain/core"}) {
      if (!std::filesystem::exists(modules / pkg)) {
        GTEST_SKIP() << pkg << " missing (run scripts/setup: npm ci --prefix tests/serve/node)";
      }
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
    if (server_.pid() > 0) {
      EXPECT_EQ(server_.stop(), 0) << server_.log();
    }
  }
  void run_clients() {
    for (const char* model : {"tiny", "rand"}) {
      for (const char* script : {"responses_client.mjs", "langchain_responses.mjs"}) {
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

TEST_F(ResponsesServe, ClientsWithGenericToolCalls) {
  start("");
  run_clients();
}

TEST_F(ResponsesServe, ClientsWithHermesToolCalls) {
  start("Qwen-Qwen2.5-7B-Instruct");
  run_clients();
}

TEST_F(ResponsesServe, ClientsWithLlama31ToolCalls) {
  start("meta-llama-Llama-3.1-8B-Instruct");
  run_clients();
}

}  // namespace
}  // namespace ondo::testing
