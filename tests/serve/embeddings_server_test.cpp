// POST /v1/embeddings and POST /v1/rerank, /rerank through `ondo serve` with the ref-bert
// models: embeddings by the official openai npm client (node/embeddings_client.mjs: float,
// base64, token arrays, dimensions, truncation, errors), rerank by plain HTTP against
// llama.cpp's reference scores (ref-bert-rank-f32: max abs diff <= 2e-4), top_n,
// return_documents, the unversioned alias and its errors.
#include <gtest/gtest.h>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <cmath>

#include "serve/serve_process.h"
#include "support/testdata.h"

namespace ondo::testing {
namespace {

using json = nlohmann::json;

class EmbeddingsServe : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    auto dir = testdata_dir(&why);
    if (!dir || !std::filesystem::exists(*dir / "models" / "ref-bert-rank-f32.gguf")) {
      if (testdata_required()) FAIL() << "ref-bert models missing: " << why;
      GTEST_SKIP() << "ref-bert models not found (" << why << ")";
    }
    dir_ = *dir;
    ASSERT_TRUE(server_.start({"-m", (dir_ / "models" / "ref-bert-mean-f32.gguf").string() + "=emb", "-m",
                               (dir_ / "models" / "ref-bert-rank-f32.gguf").string() + "=rank", "-t", "1"}))
        << server_.log();
  }
  void TearDown() override {
    if (server_.pid() > 0) EXPECT_EQ(server_.stop(), 0) << server_.log();
  }
  httplib::Result post(const std::string& path, const json& body) {
    httplib::Client c("127.0.0.1", server_.port());
    c.set_read_timeout(120);
    return c.Post(path, body.dump(), "application/json");
  }
  std::filesystem::path dir_;
  ServeProcess server_;
};

TEST_F(EmbeddingsServe, OpenAiClient) {
  const auto modules = std::filesystem::path(ONDO_SOURCE_DIR) / "tests" / "serve" / "node" / "node_modules";
  if (std::system("node --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "node is not installed (scripts/setup)";
  if (!std::filesystem::exists(modules / "openai")) GTEST_SKIP() << "openai missing (npm ci --prefix tests/serve/node)";
  int rc = 0;
  const std::string ref = (dir_ / "reference" / "embeddings" / "ref-bert-mean-f32.json").string();
  const std::string out = run_node("embeddings_client.mjs", server_.base_url() + "/v1 emb " + ref + " rank", &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("all checks passed"), std::string::npos) << out;
  std::printf("%s", out.c_str());
}

TEST_F(EmbeddingsServe, RerankMatchesLlamaCpp) {
  const json ref = json::parse(read_file(dir_ / "reference" / "embeddings" / "ref-bert-rank-f32.json"));
  // Each reference pair as its own request (the reference cases do not share queries).
  double worst = 0.0;
  for (const json& c : ref["cases"]) {
    auto r = post("/v1/rerank", {{"model", "rank"}, {"query", c["query"]}, {"documents", {c["document"]}}});
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    const json body = json::parse(r->body);
    ASSERT_EQ(body["results"].size(), 1u);
    EXPECT_EQ(body["results"][0]["index"], 0);
    EXPECT_FALSE(body["results"][0].contains("document"));
    EXPECT_EQ(body["usage"]["prompt_tokens"], c["n_tokens"]);
    const double d = std::fabs(body["results"][0]["relevance_score"].get<double>() - c["score"].get<double>());
    EXPECT_LE(d, 2e-4) << c["name"];
    worst = std::max(worst, d);
  }
  std::printf("[ measured ] rerank over HTTP: max abs diff %.3g\n", worst);
  // Each request is logged and counted with its model and prompt tokens.
  const std::string first = "model=rank stream=0 finish=stop prompt_tokens=" + std::to_string(ref["cases"][0]["n_tokens"].get<int>());
  EXPECT_NE(server_.log().find(first), std::string::npos) << server_.log();
  httplib::Client c("127.0.0.1", server_.port());
  const std::string metrics = c.Get("/metrics")->body;
  EXPECT_NE(metrics.find("ondo_requests_total{route=\"/v1/rerank\",status=\"200\"}"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("ondo_prompt_tokens_total{model=\"rank\"}"), std::string::npos) << metrics;

  // One query, several documents: sorted by score, top_n, documents returned, /rerank alias.
  const json c0 = ref["cases"][0];
  json docs = json::array();
  std::vector<double> want;
  for (const json& c : ref["cases"]) {
    if (c["query"] != c0["query"]) continue;
    docs.push_back(c["document"]);
    want.push_back(c["score"].get<double>());
  }
  ASSERT_GE(docs.size(), 2u);
  auto r = post("/rerank", {{"model", "rank"}, {"query", c0["query"]}, {"documents", docs}, {"top_n", 1},
                            {"return_documents", true}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const json body = json::parse(r->body);
  ASSERT_EQ(body["results"].size(), 1u);
  const size_t best = size_t(std::max_element(want.begin(), want.end()) - want.begin());
  EXPECT_EQ(body["results"][0]["index"], best);
  EXPECT_EQ(body["results"][0]["document"]["text"], docs[best]);
  EXPECT_NEAR(body["results"][0]["relevance_score"].get<double>(), want[best], 2e-4);
}

TEST_F(EmbeddingsServe, RerankErrors) {
  auto check = [&](const std::string& path, const json& body, int status, const std::string& param,
                   const std::string& fragment) {
    auto r = post(path, body);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, status) << r->body;
    const json e = json::parse(r->body)["error"];
    EXPECT_EQ(e["param"], param) << r->body;
    EXPECT_NE(e["message"].get<std::string>().find(fragment), std::string::npos) << r->body;
  };
  check("/v1/rerank", {{"model", "emb"}, {"query", "q"}, {"documents", {"d"}}}, 400, "model", "not a reranker");
  check("/v1/rerank", {{"model", "rank"}, {"documents", {"d"}}}, 400, "query", "missing");
  check("/v1/rerank", {{"model", "rank"}, {"query", "q"}, {"documents", json::array()}}, 400, "documents", "empty");
  check("/v1/rerank", {{"model", "rank"}, {"query", "q"}, {"documents", {"a", 3}}}, 400, "documents[1]", "expected a string");
  check("/v1/rerank", {{"model", "rank"}, {"query", "q"}, {"documents", {"d"}}, {"top_n", 0}}, 400, "top_n", "");
  std::string long_doc;
  for (int i = 0; i < 600; ++i) long_doc += "word ";
  check("/v1/rerank", {{"model", "rank"}, {"query", "q"}, {"documents", {"d", long_doc}}}, 400, "documents[1]",
        "document 1 is 604 tokens");
  auto r = post("/v1/rerank", {{"model", "rank"}, {"query", "q"}, {"documents", {"d", long_doc}}, {"truncate", true}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
}

}  // namespace
}  // namespace ondo::testing
