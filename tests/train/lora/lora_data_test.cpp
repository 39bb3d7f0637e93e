// Fine-tuning data: the upload validator names the bad line; chat examples count the
// assistant turns only; Alpaca counts the output; text counts everything.
#include "ondo/train/lora/lora_data.h"

#include <gtest/gtest.h>

#include "train/tiny_setup.h"

namespace ondo::train::lora {
namespace {

std::string err(std::string_view bytes, DataFormat f) {
  auto r = validate_training_file(bytes, f);
  return r.ok() ? "" : r.error().message;
}

TEST(LoraData, ValidatorNamesTheLineAndTheProblem) {
  const std::string good = R"({"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"yo"}]})";
  EXPECT_EQ(validate_training_file(good + "\n\n" + good + "\n", DataFormat::Chat).value(), 2);
  EXPECT_NE(err(good + "\n{not json}\n", DataFormat::Chat).find("line 2: not valid JSON"), std::string::npos);
  EXPECT_NE(err(good + "\n" + good + "\n[1]\n", DataFormat::Chat).find("line 3: not a JSON object"),
            std::string::npos);
  EXPECT_NE(err(R"({"messages":[{"role":"user","content":"hi"}]})", DataFormat::Chat).find("line 1: no assistant"),
            std::string::npos);
  EXPECT_NE(err(R"({"messages":[{"role":"robot","content":"hi"}]})", DataFormat::Chat).find("messages[0].role 'robot'"),
            std::string::npos);
  EXPECT_NE(err(R"({"messages":[{"role":"user","content":3}]})", DataFormat::Chat).find("messages[0].content"),
            std::string::npos);
  EXPECT_NE(err(R"({"instruction":"a"})", DataFormat::Alpaca).find("line 1: missing \"output\""), std::string::npos);
  EXPECT_NE(err("{\"instruction\":\"a\",\"output\":\"b\"}\n{\"instruction\":1,\"output\":\"b\"}", DataFormat::Alpaca)
                .find("line 2: \"instruction\" must be a string"),
            std::string::npos);
  EXPECT_NE(err("", DataFormat::Alpaca).find("no examples"), std::string::npos);
  EXPECT_NE(err("  \n", DataFormat::Text).find("empty"), std::string::npos);
  EXPECT_FALSE(parse_data_format("csv").ok());
  EXPECT_EQ(parse_data_format("alpaca").value(), DataFormat::Alpaca);
}

class LoraDataTok : public ::testing::Test {
 protected:
  void SetUp() override {
    tf_ = testing::make_tokenizer(300);
    auto t = text::ChatTemplate::parse(*text::builtin_chat_template("chatml"), "chatml");
    ASSERT_TRUE(t.ok());
    tmpl_ = std::make_unique<text::ChatTemplate>(std::move(t).value());
  }
  // The counted tokens of e, decoded.
  std::string counted(const Example& e) const {
    std::vector<int32_t> ids;
    for (size_t i = 0; i < e.tokens.size(); ++i)
      if (e.mask[i]) ids.push_back(e.tokens[i]);
    return tf_.tok->decode(ids, true);
  }
  testing::TokenizerFile tf_;
  std::unique_ptr<text::ChatTemplate> tmpl_;
};

TEST_F(LoraDataTok, ChatCountsOnlyAssistantTurns) {
  const std::string line =
      R"({"messages":[{"role":"system","content":"the cat"},{"role":"user","content":"the dog"},)"
      R"({"role":"assistant","content":"ate the bone"},{"role":"user","content":"the mat"},)"
      R"({"role":"assistant","content":"sat on the fish"}]})";
  auto ex = tokenize_training_file(line, DataFormat::Chat, *tf_.tok, *tmpl_, 512, "d.jsonl");
  ASSERT_TRUE(ex.ok()) << ex.error().message;
  ASSERT_EQ(ex->size(), 1u);
  const std::string c = counted((*ex)[0]);
  EXPECT_NE(c.find("ate the bone"), std::string::npos) << c;
  EXPECT_NE(c.find("sat on the fish"), std::string::npos) << c;
  EXPECT_EQ(c.find("the dog"), std::string::npos) << c;
  EXPECT_EQ(c.find("the mat"), std::string::npos) << c;
  EXPECT_EQ(c.find("user"), std::string::npos) << c;
}

TEST_F(LoraDataTok, AlpacaCountsTheOutput) {
  const std::string line = R"({"instruction":"the cat","input":"the mat","output":"the dog ate the bone"})";
  auto ex = tokenize_training_file(line, DataFormat::Alpaca, *tf_.tok, *tmpl_, 512, "a.jsonl");
  ASSERT_TRUE(ex.ok()) << ex.error().message;
  const std::string c = counted((*ex)[0]);
  EXPECT_NE(c.find("the dog ate the bone"), std::string::npos) << c;
  EXPECT_EQ(c.find("the mat"), std::string::npos) << c;
  const std::string all = tf_.tok->decode((*ex)[0].tokens, true);
  EXPECT_NE(all.find("the cat\n\nthe mat"), std::string::npos) << all;
}

TEST_F(LoraDataTok, TextIsCutIntoCountedPieces) {
  auto ex = tokenize_training_file("the cat sat on the mat the dog ate the bone", DataFormat::Text, *tf_.tok, *tmpl_,
                                   4, "t.txt");
  ASSERT_TRUE(ex.ok()) << ex.error().message;
  ASSERT_GE(ex->size(), 2u);
  for (const Example& e : *ex) {
    EXPECT_LE(e.tokens.size(), 5u);
    for (uint8_t m : e.mask) EXPECT_EQ(m, 1);
  }
}

TEST_F(LoraDataTok, ErrorsNameTheFileAndLine) {
  auto ex = tokenize_training_file("{\"instruction\":\"a\",\"output\":\"b\"}\n{\"output\":\"b\"}\n", DataFormat::Alpaca,
                                   *tf_.tok, *tmpl_, 64, "bad.jsonl");
  ASSERT_FALSE(ex.ok());
  EXPECT_NE(ex.error().message.find("bad.jsonl"), std::string::npos) << ex.error().message;
  EXPECT_NE(ex.error().message.find("line 2"), std::string::npos) << ex.error().message;
}

}  // namespace
}  // namespace ondo::train::lora
