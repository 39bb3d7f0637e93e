// Tokenizer training: the vocabulary layout, round trips through text::Tokenizer, Korean
// words learned as whole tokens, and byte fallback for unseen text. Layer: tests/train.
#include "ondo/train/bpe_trainer.h"

#include <gtest/gtest.h>

#include "tiny_setup.h"

namespace ondo::train {
namespace {

const text::EncodeOptions kNoSpecial{false, false, {}};

TEST(BpeTrainer, FixedTokensComeFirst) {
  auto t = testing::make_tokenizer(400);
  EXPECT_EQ(t.tok->token_text(0), "<unk>");
  EXPECT_EQ(t.tok->bos_id(), 1);
  EXPECT_EQ(t.tok->eos_id(), 2);
  EXPECT_TRUE(t.tok->is_control(3));  // <|im_start|>
  EXPECT_EQ(t.tok->token_text(5), "<0x00>");
  EXPECT_EQ(t.tok->token_text(5 + 255), "<0xFF>");
}

TEST(BpeTrainer, RoundTripsSeenAndUnseenText) {
  auto t = testing::make_tokenizer(400);
  for (std::string s : {"the cat sat on the mat", "양파와 대파를 썰어 볶는다", "zebra 🦓 ünïcode\nnew line",
                        "{\"recipe_name\": \"김치찌개\"}"}) {
    auto ids = t.tok->encode(s, kNoSpecial);
    ASSERT_TRUE(ids.ok());
    std::string back = t.tok->decode(*ids);
    ASSERT_FALSE(back.empty());
    EXPECT_EQ(back.substr(1), s);  // SentencePiece's dummy prefix space
  }
}

TEST(BpeTrainer, LearnsKoreanWords) {
  std::vector<std::string> texts;
  for (int i = 0; i < 20; ++i) texts.push_back("양파를 썰고 대파를 볶는다 삼겹살을 굽는다");
  auto t = testing::make_tokenizer(330, texts);
  auto ids = t.tok->encode("양파를 썰고 삼겹살을 굽는다", kNoSpecial);
  ASSERT_TRUE(ids.ok());
  int bytes = 0;
  for (int32_t id : *ids) bytes += t.tok->token_text(id).starts_with("<0x");
  EXPECT_EQ(bytes, 0);
  EXPECT_LE(ids->size(), 6u);  // whole words, not characters
  EXPECT_EQ(t.tok->token_text((*ids)[0]), "\xE2\x96\x81양파를");
}

TEST(BpeTrainer, TooSmallVocabularyIsAnError) {
  BpeTrainOptions o;
  o.vocab_size = 100;
  auto v = train_bpe(testing::sample_texts(), o);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, ErrorCode::InvalidArgument);
}

}  // namespace
}  // namespace ondo::train
