// `ondo run`, `ondo logits` and `ondo info` driven as a user drives them, on the reference
// models: the TinyStories greedy continuation must equal llama.cpp's byte for byte.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support/reference_data.h"
#include "support/run_command.h"

namespace ondo {
namespace {

std::string hex(const std::string& s) {
  static const char* d = "0123456789abcdef";
  std::string h;
  for (unsigned char c : s) {
    h += d[c >> 4];
    h += d[c & 15];
  }
  return h;
}

TEST(CliRun, TinyStoriesGreedyTextIsTheReference) {
  ONDO_TESTDATA_OR_SKIP(dir);
  const auto ref = testing::load_reference(dir / "reference" / "stories260K.json");
  const auto r = testing::run_ondo("run -m " + (dir / "models" / "stories260K.gguf").string() +
                                   " -p 'Once upon a time' -n 64 --temp 0 -t 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(hex(r.out), ref.greedy_text_hex);
}

TEST(CliRun, SameSeedSameText) {
  ONDO_TESTDATA_OR_SKIP(dir);
  const std::string cmd = "run -m " + (dir / "models" / "stories260K.gguf").string() +
                          " -p 'Once upon a time' -n 40 --temp 0.9 --seed 123 -t 1";
  const auto a = testing::run_ondo(cmd), b = testing::run_ondo(cmd);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_FALSE(a.out.empty());
}

TEST(CliRun, JsonSchemaOutputParsesAndHasTheRequiredShape) {
  ONDO_TESTDATA_OR_SKIP(dir);
  const std::string schema = ::testing::TempDir() + "ondo_recipe_schema.json";
  {
    std::ofstream f(schema);
    f << R"({"type":"object","properties":{"recipe_name":{"type":"string","maxLength":40},)"
         R"("recipe_ingredients":{"type":"array","items":{"type":"string","maxLength":20},"maxItems":3},)"
         R"("recipes":{"type":"array","items":{"type":"string","maxLength":40},"maxItems":3}},)"
         R"("required":["recipe_name","recipe_ingredients","recipes"],"additionalProperties":false})";
  }
  for (int seed : {1, 2, 3}) {
    const auto r = testing::run_ondo("run -m " + (dir / "models" / "stories260K.gguf").string() +
                                     " -p 'Once upon a time' -n 1500 --seed " + std::to_string(seed) +
                                     " --json-schema " + schema);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
    ASSERT_TRUE(j.is_object()) << r.out;
    EXPECT_EQ(j.size(), 3u) << r.out;
    EXPECT_TRUE(j.at("recipe_name").is_string());
    EXPECT_LE(j.at("recipes").size(), 3u);
    for (const auto& step : j.at("recipes")) EXPECT_TRUE(step.is_string());
  }
}

TEST(CliRun, UnsupportedSchemaKeywordIsRefused) {
  const std::string schema = ::testing::TempDir() + "ondo_bad_schema.json";
  std::ofstream(schema) << R"({"type":"object","patternProperties":{"^a":{}}})";
  const auto r = testing::run_ondo("run -m x.gguf -p hi --json-schema " + schema);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("keyword 'patternProperties'"), std::string::npos) << r.err;
}

TEST(CliLogits, PrintsOneRowPerTokenAsJson) {
  ONDO_TESTDATA_OR_SKIP(dir);
  const auto ref = testing::load_reference(dir / "reference" / "stories260K.json");
  const auto r = testing::run_ondo("logits -m " + (dir / "models" / "stories260K.gguf").string() + " --tokens 1,403,407 -t 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("n_vocab").get<int>(), 512);
  ASSERT_EQ(j.at("logits").size(), 3u);
  EXPECT_EQ(j.at("logits")[0].size(), 512u);
}

TEST(CliErrors, MissingModelAndBadTokensAreClearErrors) {
  auto r = testing::run_ondo("run -m /nonexistent/model.gguf -p hi");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("/nonexistent/model.gguf"), std::string::npos) << r.err;
  r = testing::run_ondo("logits -m x.gguf --tokens 1,,2");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("item #2 (counting from 1) is empty"), std::string::npos) << r.err;
  r = testing::run_ondo("run --bogus");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown option '--bogus'"), std::string::npos) << r.err;
}

TEST(CliErrors, TokenOutOfRangeIsReported) {
  ONDO_TESTDATA_OR_SKIP(dir);
  const auto r = testing::run_ondo("logits -m " + (dir / "models" / "stories260K.gguf").string() + " --tokens 1,512");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("item #2 (counting from 1) is id 512, out of range (the vocabulary's ids are 0 to 511)"),
            std::string::npos) << r.err;
}

}  // namespace
}  // namespace ondo
