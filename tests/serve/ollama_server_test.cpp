// The Ollama API through `ondo serve` on stories260K (alias "tiny") and a random-weight llama
// ("rand", for format "json": it closes its object), driven by the official
// ollama npm client (node/ollama_client.mjs): version, list, show, ps, generate and chat
// (blocking and NDJSON streams), format json and a schema, options, tool calls, errors.
#include <gtest/gtest.h>

#include <cstdlib>

#include "serve/serve_process.h"
#include "support/testdata.h"

namespace ondo::testing {
namespace {

class OllamaServe : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    auto dir = testdata_dir(&why);
    if (!dir || !std::filesystem::exists(*dir / "models" / "stories260K.gguf")) {
      if (testdata_required()) FAIL() << "stories260K.gguf missing: " << why;
      GTEST_SKIP() << "reference models not found (" << why << ")";
    }
    const auto modules = std::filesystem::path(ONDO_SOURCE_DIR) / "tests" / "serve" / "node" / "node_modules";
    if (std::system("node --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "node is not installed (scripts/setup)";
    for (const char* pkg : {"ollama", "ajv", "ajv-formats"}) {
      if (!std::filesystem::exists(modules / pkg)) GTEST_SKIP() << pkg << " missing (run scripts/setup: npm ci --prefix tests/serve/node)";
    }
    ASSERT_TRUE(server_.start({"-m", (*dir / "models" / "stories260K.gguf").string() + "=tiny", "-m",
                               (*dir / "models" / "ref-llama-spm-q8_0.gguf").string() + "=rand", "-t", "1", "--parallel", "4",
                               "--ctx", "1024"}))
        << server_.log();
  }
  void TearDown() override {
    if (server_.pid() > 0) EXPECT_EQ(server_.stop(), 0) << server_.log();
  }
  ServeProcess server_;
};

TEST_F(OllamaServe, OfficialClient) {
  int rc = 0;
  const std::string out = run_node("ollama_client.mjs", server_.base_url() + " tiny rand", &rc);
  EXPECT_EQ(rc, 0) << out << "\n--- server log ---\n" << server_.log();
  EXPECT_NE(out.find("all checks passed"), std::string::npos) << out;
}

}  // namespace
}  // namespace ondo::testing
