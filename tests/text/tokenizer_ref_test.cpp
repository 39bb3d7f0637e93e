// The SPM tokenizer against llama.cpp's reference run of stories260K: prompt ids, each
// token's piece, and the greedy continuation's text as concatenated pieces. Layer: text.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ondo/gguf/reader.h"
#include "ondo/text/tokenizer.h"
#include "support/testdata.h"

namespace ondo::text {
namespace {

std::string from_hex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(char(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

class Stories260K : public ::testing::Test {
 protected:
  void SetUp() override {
    ONDO_TESTDATA_OR_SKIP(dir);
    ref_ = nlohmann::json::parse(testing::read_file(dir / "reference" / "stories260K.json"));
    auto file = gguf::GgufFile::open(dir / "models" / "stories260K.gguf");
    ASSERT_TRUE(file.ok()) << file.error().message;
    auto tok = Tokenizer::from_gguf(**file);
    ASSERT_TRUE(tok.ok()) << tok.error().message;
    tok_ = std::move(*tok);
  }
  nlohmann::json ref_;
  std::unique_ptr<Tokenizer> tok_;
};

TEST_F(Stories260K, PromptTokensMatch) {
  const bool add_special = ref_["prompt_add_special"].get<bool>();
  auto ids = tok_->encode(ref_["prompt_text"].get<std::string>(), {.add_special = add_special});
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, ref_["tokens"].get<std::vector<int32_t>>());
  EXPECT_EQ(tok_->n_vocab(), 512);
  EXPECT_EQ(tok_->model_name(), "llama");
  EXPECT_EQ(tok_->bos_id(), 1);
  EXPECT_EQ(tok_->eos_id(), 2);
  EXPECT_TRUE(tok_->add_bos());
  EXPECT_FALSE(tok_->add_eos());
  EXPECT_TRUE(tok_->is_end_of_generation(2));
  EXPECT_FALSE(tok_->is_end_of_generation(1));
  EXPECT_TRUE(tok_->is_control(1));
}

TEST_F(Stories260K, PromptPiecesMatch) {
  const auto ids = ref_["tokens"].get<std::vector<int32_t>>();
  const auto hex = ref_["token_pieces_hex"].get<std::vector<std::string>>();
  ASSERT_EQ(ids.size(), hex.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    EXPECT_EQ(tok_->piece(ids[i], /*render_special=*/true), from_hex(hex[i])) << "token " << ids[i];
  }
  EXPECT_EQ(tok_->piece(1), "");  // BOS is a control token
}

TEST_F(Stories260K, GreedyTextIsConcatenatedPieces) {
  const auto ids = ref_["greedy"]["tokens"].get<std::vector<int32_t>>();
  const std::string text = tok_->decode(ids);
  EXPECT_EQ(text, from_hex(ref_["greedy"]["text_hex"].get<std::string>()));
  EXPECT_EQ(text, ref_["greedy"]["text"].get<std::string>());
}

}  // namespace
}  // namespace ondo::text
