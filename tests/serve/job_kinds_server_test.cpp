// The imatrix, quantize-with-imatrix and eval job kinds through `ondo serve --workers 1`
// (issue 17.6-7), driven by node/job_kinds_client.mjs: files uploaded with the official openai
// client, jobs queued on POST /v1/jobs and followed over SSE, a bad request's error, and a
// long eval job cancelled mid-run.
#include <gtest/gtest.h>

#include "serve/serve_process.h"
#include "support/testdata.h"

namespace ondo::testing {
namespace {

TEST(JobKindsServe, ImatrixQuantizeAndEvalJobsThroughTheApi) {
  std::string why;
  auto data = testdata_dir(&why);
  if (!data || !std::filesystem::exists(*data / "models" / "stories260K.gguf")) {
    if (testdata_required()) FAIL() << "reference models missing: " << why;
    GTEST_SKIP() << "reference models not found (" << why << ")";
  }
  const auto modules = std::filesystem::path(ONDO_SOURCE_DIR) / "tests" / "serve" / "node" / "node_modules";
  if (std::system("node --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "node is not installed (scripts/setup)";
  if (!std::filesystem::exists(modules / "openai")) GTEST_SKIP() << "openai missing (run scripts/setup)";
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / ("ondo_job_kinds_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string tiny = (*data / "models" / "stories260K.gguf").string();
  const std::string f32 = (*data / "models" / "ref-llama-spm-f32.gguf").string();
  ServeProcess server;
  ASSERT_TRUE(server.start({"-m", tiny + "=tiny", "-t", "1", "--data-dir", (dir / "data").string(), "--admin-key",
                            "admin-secret", "--workers", "1"}))
      << server.log();
  int rc = 0;
  const std::string log = run_node("job_kinds_client.mjs", server.base_url() + "/v1 " + f32 + " " + tiny, &rc);
  EXPECT_EQ(rc, 0) << log << "\n" << server.log();
  EXPECT_NE(log.find("all checks passed"), std::string::npos) << log;
  EXPECT_EQ(server.stop(), 0) << server.log();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ondo::testing
