// Ollama's embedding routes (POST /api/embed, /api/embeddings) through `ondo serve` with the
// ref-bert models next to stories260K, driven by the official ollama npm client
// (node/ollama_embed_client.mjs): vectors against llama.cpp's reference (normalised and
// pooled) and against /v1/embeddings for the same inputs, dimensions, truncation, the load
// call, errors in Ollama's shape; and the access log and metrics of one request.
#include <gtest/gtest.h>

#include <httplib.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "serve/serve_process.h"
#include "support/testdata.h"

namespace ondo::testing {
namespace {

class OllamaEmbedServe : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    auto dir = testdata_dir(&why);
    if (!dir || !std::filesystem::exists(*dir / "models" / "ref-bert-rank-f32.gguf") ||
        !std::filesystem::exists(*dir / "models" / "stories260K.gguf")) {
      if (testdata_required()) FAIL() << "ref-bert models or stories260K.gguf missing: " << why;
      GTEST_SKIP() << "reference models not found (" << why << ")";
    }
    dir_ = *dir;
    ASSERT_TRUE(server_.start({"-m", (dir_ / "models" / "ref-bert-mean-f32.gguf").string() + "=emb", "-m",
                               (dir_ / "models" / "ref-bert-rank-f32.gguf").string() + "=rank", "-m",
                               (dir_ / "models" / "stories260K.gguf").string() + "=tiny", "-t", "1"}))
        << server_.log();
  }
  void TearDown() override {
    if (server_.pid() > 0) {
      EXPECT_EQ(server_.stop(), 0) << server_.log();
    }
  }
  std::filesystem::path dir_;
  ServeProcess server_;
};

TEST_F(OllamaEmbedServe, OfficialClient) {
  const auto modules = std::filesystem::path(ONDO_SOURCE_DIR) / "tests" / "serve" / "node" / "node_modules";
  if (std::system("node --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "node is not installed (scripts/setup)";
  if (!std::filesystem::exists(modules / "ollama")) GTEST_SKIP() << "ollama missing (npm ci --prefix tests/serve/node)";
  const std::string ref = (dir_ / "reference" / "embeddings" / "ref-bert-mean-f32.json").string();
  int rc = 0;
  const std::string out = run_node("ollama_embed_client.mjs", server_.base_url() + " emb " + ref + " rank tiny", &rc);
  EXPECT_EQ(rc, 0) << out << "\n--- server log ---\n" << server_.log();
  EXPECT_NE(out.find("all checks passed"), std::string::npos) << out;
  std::printf("%s", out.c_str());
}

TEST_F(OllamaEmbedServe, CountedInLogAndMetrics) {
  httplib::Client c("127.0.0.1", server_.port());
  c.set_read_timeout(120);
  auto r = c.Post("/api/embed", R"({"model":"emb","input":["hello world","two"]})", "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  // [CLS] hello world [SEP] and [CLS] two [SEP]
  EXPECT_NE(r->body.find("\"prompt_eval_count\":7"), std::string::npos) << r->body;
  // The access log line is written after the body was sent: wait for it (at most 10 s).
  const std::string line = "POST /api/embed 200 ";
  for (int i = 0; i < 200 && server_.log().find(line) == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(server_.log().find("model=emb stream=0 finish=stop prompt_tokens=7"), std::string::npos) << server_.log();
  const std::string metrics = c.Get("/metrics")->body;
  EXPECT_NE(metrics.find("ondo_requests_total{route=\"/api/embed\",status=\"200\"}"), std::string::npos) << metrics;
  // GET on the route: 405 with Allow, as every route of the table.
  auto g = c.Get("/api/embeddings");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->status, 405);
  EXPECT_EQ(g->get_header_value("Allow"), "POST");
}

}  // namespace
}  // namespace ondo::testing
