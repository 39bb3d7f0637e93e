// `ondo embed` run as a user runs it on the ref-bert models: one JSON vector per TEXT equal
// to llama.cpp's normalised vectors (max abs diff <= 1e-4 on mean-f32), --no-normalize,
// rerank scores with --query, and the errors. Layer: cli tests (run build/ondo).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>

#include "support/run_command.h"
#include "support/testdata.h"

namespace ondo::cli {
namespace {

using json = nlohmann::json;

std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

double max_diff(const json& got, const json& want) {
  double m = 0.0;
  EXPECT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size() && i < want.size(); ++i) {
    m = std::max(m, std::fabs(got[i].get<double>() - want[i].get<double>()));
  }
  return m;
}

TEST(EmbedCli, VectorsMatchLlamaCpp) {
  ONDO_TESTDATA_OR_SKIP(dir);
  const json ref = json::parse(testing::read_file(dir / "reference" / "embeddings" / "ref-bert-mean-f32.json"));
  const std::string m = "-m " + quoted((dir / "models" / "ref-bert-mean-f32.gguf").string()) + " -t 1 -- ";
  std::string texts;
  for (size_t i = 0; i < 4; ++i) texts += " " + quoted(ref["cases"][i]["text"].get<std::string>());
  const testing::CommandResult r = testing::run_ondo("embed " + m + texts);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json out = json::parse(r.out);
  ASSERT_EQ(out.size(), 4u);
  for (size_t i = 0; i < 4; ++i) EXPECT_LE(max_diff(out[i], ref["cases"][i]["embedding_normalized"]), 1e-4) << i;
  const testing::CommandResult raw = testing::run_ondo("embed --no-normalize " + m + quoted(ref["cases"][0]["text"]));
  ASSERT_EQ(raw.exit_code, 0) << raw.err;
  EXPECT_LE(max_diff(json::parse(raw.out)[0], ref["cases"][0]["embedding"]), 1e-4);
}

TEST(EmbedCli, RerankScoresAndErrors) {
  ONDO_TESTDATA_OR_SKIP(dir);
  const json ref = json::parse(testing::read_file(dir / "reference" / "embeddings" / "ref-bert-rank-f32.json"));
  const json& c = ref["cases"][0];
  const std::string rank = "-m " + quoted((dir / "models" / "ref-bert-rank-f32.gguf").string()) + " -t 1";
  const testing::CommandResult r =
      testing::run_ondo("embed " + rank + " --query " + quoted(c["query"]) + " -- " + quoted(c["document"]));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NEAR(json::parse(r.out)[0].get<double>(), c["score"].get<double>(), 2e-4);

  const testing::CommandResult no_query = testing::run_ondo("embed " + rank + " -- text");
  EXPECT_NE(no_query.exit_code, 0);
  EXPECT_NE(no_query.err.find("--query"), std::string::npos) << no_query.err;
  // A decoder embeds with last-token pooling by default (a unit vector of its width); a
  // reranker's pooling is refused for it, naming the choices.
  const std::string stories = quoted((dir / "models" / "stories260K.gguf").string());
  const testing::CommandResult generator = testing::run_ondo("embed -m " + stories + " -- hi");
  ASSERT_EQ(generator.exit_code, 0) << generator.err;
  const json vec = json::parse(generator.out)[0];
  double norm = 0.0;
  for (const auto& v : vec) norm += v.get<double>() * v.get<double>();
  EXPECT_EQ(vec.size(), 64u);
  EXPECT_NEAR(norm, 1.0, 1e-5);
  const testing::CommandResult rank_pooling = testing::run_ondo("embed -m " + stories + " --pooling rank -- hi");
  EXPECT_NE(rank_pooling.exit_code, 0);
  EXPECT_NE(rank_pooling.err.find("is not one of mean, cls, last"), std::string::npos) << rank_pooling.err;
  const testing::CommandResult no_text = testing::run_ondo("embed -m " + quoted((dir / "models" / "ref-bert-mean-f32.gguf").string()));
  EXPECT_NE(no_text.exit_code, 0);
  EXPECT_NE(no_text.err.find("no text"), std::string::npos) << no_text.err;
}

}  // namespace
}  // namespace ondo::cli
