// Cited answers (issue 16.5) through `ondo serve` with the official openai npm client
// (node/rag_client.mjs): one server with the ref-bert embedder ("emb") and stories260K
// ("tiny"); upload, vector store, ingestion, then chat completions with the `rag` field,
// blocking and streaming, whose citations name the uploaded files; 404 and 400 errors.
#include <gtest/gtest.h>

#include <filesystem>

#include "serve/serve_process.h"
#include "support/testdata.h"

namespace ondo::testing {
namespace {

namespace fs = std::filesystem;

TEST(RagServe, OpenAiClientGetsCitedAnswers) {
  std::string why;
  auto dir = testdata_dir(&why);
  if (!dir || !fs::exists(*dir / "models" / "ref-bert-mean-f32.gguf") || !fs::exists(*dir / "models" / "stories260K.gguf")) {
    if (testdata_required()) FAIL() << "models missing: " << why;
    GTEST_SKIP() << "models not found (" << why << ")";
  }
  const auto modules = fs::path(ONDO_SOURCE_DIR) / "tests" / "serve" / "node" / "node_modules";
  if (std::system("node --version >/dev/null 2>&1") != 0 || !fs::exists(modules / "openai")) {
    GTEST_SKIP() << "node or the openai package is missing (scripts/setup)";
  }
  const fs::path work = fs::path(::testing::TempDir()) / ("ondo-rag-" + std::to_string(::getpid()));
  fs::remove_all(work);
  fs::create_directories(work);
  ServeProcess server;
  ASSERT_TRUE(server.start({"-m", (*dir / "models" / "ref-bert-mean-f32.gguf").string() + "=emb", "-m",
                            (*dir / "models" / "stories260K.gguf").string() + "=tiny", "-t", "1", "--ctx", "2048",
                            "--data-dir", (work / "data").string(), "--api-key", "sk-rag", "--admin-key", "adm"}))
      << server.log();
  int rc = 0;
  const std::string out = run_node("rag_client.mjs", server.base_url() + "/v1", &rc);
  EXPECT_EQ(rc, 0) << out << server.log();
  EXPECT_NE(out.find("all checks passed"), std::string::npos) << out;
  EXPECT_EQ(server.stop(), 0) << server.log();
  fs::remove_all(work);
}

}  // namespace
}  // namespace ondo::testing
