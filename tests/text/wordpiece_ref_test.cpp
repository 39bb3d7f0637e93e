// The WordPiece tokenizer on the ref-bert-* models against the token ids llama.cpp evaluated
// for testdata/reference/embeddings: embedding inputs (add_special, parse_special: [CLS] ...
// [SEP]) and rerank pairs (rerank_pair_tokens: [CLS] query [SEP] document [SEP]). Layer: text.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ondo/gguf/reader.h"
#include "ondo/text/rerank_prompt.h"
#include "ondo/text/tokenizer.h"
#include "support/testdata.h"

namespace ondo::text {
namespace {

std::unique_ptr<Tokenizer> load(const std::filesystem::path& path) {
  auto file = gguf::GgufFile::open(path);
  EXPECT_TRUE(file.ok()) << file.error().message;
  if (!file.ok()) return nullptr;
  auto tok = Tokenizer::from_gguf(**file);
  EXPECT_TRUE(tok.ok()) << tok.error().message;
  return tok.ok() ? std::move(*tok) : nullptr;
}

TEST(WordPieceRef, EmbeddingInputsMatchLlamaCpp) {
  ONDO_TESTDATA_OR_SKIP(dir);
  for (const char* name : {"ref-bert-mean-f32", "ref-bert-cls-f16", "ref-bert-mean-q8_0"}) {
    const auto ref = nlohmann::json::parse(testing::read_file(dir / "reference" / "embeddings" / (std::string(name) + ".json")));
    auto tok = load(dir / "models" / ref["model_file"].get<std::string>());
    ASSERT_TRUE(tok);
    EXPECT_EQ(tok->model_name(), "bert");
    for (const auto& c : ref["cases"]) {
      EncodeOptions opts;
      opts.parse_special = true;
      auto ids = tok->encode(c["text"].get<std::string>(), opts);
      ASSERT_TRUE(ids.ok());
      EXPECT_EQ(*ids, c["tokens"].get<std::vector<int32_t>>()) << name << " " << c["name"];
    }
  }
}

TEST(WordPieceRef, RerankPairsMatchLlamaServer) {
  ONDO_TESTDATA_OR_SKIP(dir);
  const auto ref = nlohmann::json::parse(testing::read_file(dir / "reference" / "embeddings" / "ref-bert-rank-f32.json"));
  auto tok = load(dir / "models" / ref["model_file"].get<std::string>());
  ASSERT_TRUE(tok);
  EXPECT_EQ(tok->bos_id(), 101);
  EXPECT_EQ(tok->eos_id(), 102);
  EXPECT_TRUE(tok->add_eos());
  EXPECT_FALSE(tok->add_sep());
  int n = 0;
  for (const auto& c : ref["cases"]) {
    auto ids = rerank_pair_tokens(*tok, c["query"].get<std::string>(), c["document"].get<std::string>());
    ASSERT_TRUE(ids.ok());
    EXPECT_EQ(*ids, c["tokens"].get<std::vector<int32_t>>()) << c["name"];
    ++n;
  }
  EXPECT_EQ(n, 8);
}

}  // namespace
}  // namespace ondo::text
