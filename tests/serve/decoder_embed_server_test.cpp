// Decoders as embedding models through `ondo serve --pooling` (issue 16.1): the llama
// reference model with mean pooling and the qwen2 one with last pooling answer
// /v1/embeddings (official openai client, node/decoder_embed_client.mjs: the vectors equal
// `ondo embed --pooling ...` of the same texts, alone == batched, chat refused, a vector
// store on the model ingests and finds files) and Ollama's /api/embed (the same vectors);
// --pooling errors. There is no llama.cpp reference for decoder embeddings in testdata; the
// pooled vector is checked against the model's own hidden states in
// tests/model/decoder_embed_test.cpp.
#include <gtest/gtest.h>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "serve/serve_process.h"
#include "support/testdata.h"

namespace ondo::testing {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

const std::vector<std::string> kTexts = {"Hello world", "The fridge keeps the milk cold.", "a",
                                         "Tomatoes ripen on the counter, not in the fridge."};

class DecoderEmbedServe : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    auto dir = testdata_dir(&why);
    if (!dir || !fs::exists(*dir / "models" / "ref-llama-spm-f32.gguf")) {
      if (testdata_required()) FAIL() << "reference models missing: " << why;
      GTEST_SKIP() << "reference models not found (" << why << ")";
    }
    models_ = *dir / "models";
    work_ = fs::path(::testing::TempDir()) / ("ondo-decembed-" + std::to_string(::getpid()));
    fs::remove_all(work_);
    fs::create_directories(work_);
  }
  void TearDown() override {
    if (server_.pid() > 0) EXPECT_EQ(server_.stop(), 0) << server_.log();
    fs::remove_all(work_);
  }
  bool start() {
    return server_.start({"-m", (models_ / "ref-llama-spm-f32.gguf").string() + "=dec", "-m",
                          (models_ / "ref-qwen2-small-q8_0.gguf").string() + "=qdec", "--pooling", "dec=mean",
                          "--pooling", "qdec=last", "-t", "1", "--data-dir", (work_ / "data").string(), "--api-key",
                          "sk-dec"});
  }
  // `ondo embed` of kTexts as {"texts", "vectors"}.
  json cli_vectors(const std::string& file, const std::string& pooling) {
    std::string args = "embed -t 1 -m " + (models_ / file).string() + " --pooling " + pooling + " --";
    for (const std::string& t : kTexts) args += " '" + t + "'";
    CommandResult r = run_ondo(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return {{"texts", kTexts}, {"vectors", json::parse(r.out)}};
  }
  fs::path models_, work_;
  ServeProcess server_;
};

TEST_F(DecoderEmbedServe, OpenAiClientAndVectorStore) {
  const auto modules = fs::path(ONDO_SOURCE_DIR) / "tests" / "serve" / "node" / "node_modules";
  if (std::system("node --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "node is not installed (scripts/setup)";
  if (!fs::exists(modules / "openai")) GTEST_SKIP() << "openai missing (npm ci --prefix tests/serve/node)";
  ASSERT_TRUE(start()) << server_.log();
  EXPECT_NE(server_.log().find("model 'dec'"), std::string::npos);
  EXPECT_NE(server_.log().find("pooling mean"), std::string::npos) << server_.log();
  for (const auto& [alias, file, pooling] : {std::tuple<std::string, std::string, std::string>{"dec", "ref-llama-spm-f32.gguf", "mean"},
                                             {"qdec", "ref-qwen2-small-q8_0.gguf", "last"}}) {
    const fs::path want = work_ / (alias + ".json");
    std::ofstream(want) << cli_vectors(file, pooling).dump();
    int rc = 0;
    const std::string out = run_node("decoder_embed_client.mjs", server_.base_url() + "/v1 " + alias + " " + want.string(), &rc);
    EXPECT_EQ(rc, 0) << alias << ": " << out << server_.log();
    EXPECT_NE(out.find("all checks passed"), std::string::npos) << out;
    std::printf("%s: %s", alias.c_str(), out.c_str());
  }
}

TEST_F(DecoderEmbedServe, OllamaEmbedEqualsOpenAi) {
  ASSERT_TRUE(start()) << server_.log();
  httplib::Client c("127.0.0.1", server_.port());
  c.set_read_timeout(120);
  c.set_bearer_token_auth("sk-dec");
  auto oa = c.Post("/v1/embeddings", json{{"model", "qdec"}, {"input", kTexts}}.dump(), "application/json");
  ASSERT_TRUE(oa);
  ASSERT_EQ(oa->status, 200) << oa->body;
  auto ol = c.Post("/api/embed", json{{"model", "qdec"}, {"input", kTexts}}.dump(), "application/json");
  ASSERT_TRUE(ol);
  ASSERT_EQ(ol->status, 200) << ol->body;
  const json a = json::parse(oa->body), b = json::parse(ol->body);
  ASSERT_EQ(b["embeddings"].size(), kTexts.size());
  for (size_t i = 0; i < kTexts.size(); ++i) {
    const auto& va = a["data"][i]["embedding"];
    const auto& vb = b["embeddings"][i];
    ASSERT_EQ(va.size(), vb.size());
    for (size_t j = 0; j < va.size(); ++j) EXPECT_NEAR(va[j].get<double>(), vb[j].get<double>(), 1e-6) << i << " " << j;
  }
}

TEST(DecoderEmbedServeErrors, PoolingOptionErrors) {
  for (const auto& [arg, fragment] : {std::pair<std::string, std::string>{"--pooling max", "'max' is not one of mean, cls, last"},
                                      {"-m x.gguf=a --pooling b=mean", "no model is served as 'b'"},
                                      {"--pooling mean --pooling last", "given twice"}}) {
    CommandResult r = run_ondo("serve --port 0 " + arg);
    EXPECT_NE(r.exit_code, 0) << arg;
    EXPECT_NE(r.err.find(fragment), std::string::npos) << arg << ": " << r.err;
  }
  CommandResult r = run_ondo("embed -m x.gguf --pooling rank -- hi");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--pooling: pooling 'rank' is not one of mean, cls, last"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace ondo::testing
