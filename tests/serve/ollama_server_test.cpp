// The Ollama API through `ondo serve` on stories260K (alias "tiny"), driven by the official
// ollama npm client (node/ollama_client.mjs): version, list, show, ps, generate and chat
// (blocking and NDJSON streams), format json and a schema, options, tool calls, errors.
#include <gtest/gtest.h>

#include <cstdlib>

#include "serve/serve_process.h"
#include "support/testdata.h"

namespace ondo::testing {
namespace {

class OllamaServe : public TinyServeTest {
 protected:
  std::vector<std::string> extra_args() const override { return {"--parallel", "4", "--ctx", "1024"}; }
};

TEST_F(OllamaServe, OfficialClient) {
  const auto modules = std::filesystem::path(ONDO_SOURCE_DIR) / "tests" / "serve" / "node" / "node_modules";
  if (std::system("node --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "node is not installed (scripts/setup)";
  for (const char* pkg : {"ollama", "ajv", "ajv-formats"}) {
    if (!std::filesystem::exists(modules / pkg)) GTEST_SKIP() << pkg << " missing (run scripts/setup: npm ci --prefix tests/serve/node)";
  }
  int rc = 0;
  const std::string out = run_node("ollama_client.mjs", server_.base_url() + " tiny", &rc);
  EXPECT_EQ(rc, 0) << out << "\n--- server log ---\n" << server_.log();
  EXPECT_NE(out.find("all checks passed"), std::string::npos) << out;
}

}  // namespace
}  // namespace ondo::testing
