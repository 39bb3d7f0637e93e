// Training data: .txt pieces, .jsonl text and chat prompt/completion examples with their loss
// masks, errors naming the line, validation split and the seeded batcher. Layer: tests/train.
#include "ondo/train/dataset.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tiny_setup.h"

namespace ondo::train {
namespace {

class DatasetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) / ("ondo_dataset_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    tok_ = testing::make_tokenizer(400);
    tmpl_ = text::ChatTemplate::parse(*text::builtin_chat_template("chatml"), "chatml").value();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path write(const char* name, const std::string& body) {
    std::ofstream(dir_ / name) << body;
    return dir_ / name;
  }
  std::filesystem::path dir_;
  testing::TokenizerFile tok_;
  std::optional<text::ChatTemplate> tmpl_;
};

TEST_F(DatasetTest, TextFileIsCutIntoOverlappingPieces) {
  auto ex = load_examples(write("a.txt", "the cat sat on the mat the dog ate the bone"), *tok_.tok, nullptr, 4);
  ASSERT_TRUE(ex.ok()) << ex.error().message;
  auto all = tok_.tok->encode("the cat sat on the mat the dog ate the bone").value();
  ASSERT_GE(ex->size(), 2u);
  EXPECT_EQ((*ex)[0].tokens, std::vector<int32_t>(all.begin(), all.begin() + 5));
  EXPECT_EQ((*ex)[1].tokens[0], all[4]);  // one token of overlap: every token is a target once
  for (const Example& e : *ex) EXPECT_EQ(e.mask, std::vector<uint8_t>(e.tokens.size(), 1));
}

TEST_F(DatasetTest, ChatExamplesCountOnlyTheCompletion) {
  auto path = write("c.jsonl", R"({"prompt": "the cat", "completion": "ate the fish"})"
                               "\n"
                               R"({"text": "the dog"})"
                               "\n");
  auto ex = load_examples(path, *tok_.tok, &*tmpl_, 64);
  ASSERT_TRUE(ex.ok()) << ex.error().message;
  ASSERT_EQ(ex->size(), 2u);
  const Example& c = (*ex)[0];
  std::vector<int32_t> counted;
  for (size_t i = 0; i < c.tokens.size(); ++i) {
    if (c.mask[i]) counted.push_back(c.tokens[i]);
  }
  // the assistant part: completion text, <|im_end|> and the newline after it (which SPM
  // tokenizes with a dummy-prefix space, as after every special token)
  EXPECT_EQ(tok_.tok->decode(counted, true), "ate the fish<|im_end|> \n");
  const Example& t = (*ex)[1];
  EXPECT_EQ(t.tokens.front(), tok_.tok->bos_id());
  EXPECT_EQ(t.tokens.back(), tok_.tok->eos_id());
}

TEST_F(DatasetTest, BadLinesNameTheLine) {
  auto ex = load_examples(write("b.jsonl", "{\"text\": \"ok\"}\n{\"other\": 1}\n"), *tok_.tok, &*tmpl_, 16);
  ASSERT_FALSE(ex.ok());
  EXPECT_NE(ex.error().message.find("line 2"), std::string::npos) << ex.error().message;
  auto no_tmpl = load_examples(write("p.jsonl", R"({"prompt": "a", "completion": "b"})"), *tok_.tok, nullptr, 16);
  ASSERT_FALSE(no_tmpl.ok());
  EXPECT_FALSE(load_examples(dir_ / "missing.txt", *tok_.tok, nullptr, 16).ok());
}

std::vector<Example> numbered(int n, int len) {
  std::vector<Example> out;
  for (int i = 0; i < n; ++i) out.push_back({std::vector<int32_t>(size_t(len), i + 10), std::vector<uint8_t>(size_t(len), 1)});
  return out;
}

TEST(Batcher, PacksWholeExamplesAndIsSeeded) {
  const auto ex = numbered(10, 3);
  Batcher a(ex, 8, 5, 0), b(ex, 8, 5, 0);
  DataCursor ca, cb;
  Batch ba, bb;
  a.next(2, ca, ba);
  b.next(2, cb, bb);
  EXPECT_EQ(ba.tokens, bb.tokens);
  EXPECT_EQ(ca.index, 6u);  // three examples of 3 tokens fit a row of 9 slots
  // targets are the inputs shifted by one; an example's first token is never a target
  for (int64_t s = 0; s + 1 < 8; ++s) EXPECT_EQ(ba.targets[size_t(s)], ba.tokens[size_t(s + 1)]);
  EXPECT_EQ(ba.mask[2], 0);
  EXPECT_EQ(ba.mask[1], 1);
  // a later epoch wraps around with a new order
  for (int i = 0; i < 3; ++i) a.next(2, ca, ba);
  EXPECT_EQ(ca.epoch, 2u);
}

TEST(Batcher, ValidationSplitIsDisjointAndSeeded) {
  auto all = numbered(40, 2), again = numbered(40, 2);
  auto val = split_validation(all, 0.1, 3), val2 = split_validation(again, 0.1, 3);
  EXPECT_EQ(val.size(), 4u);
  EXPECT_EQ(all.size(), 36u);
  for (size_t i = 0; i < val.size(); ++i) EXPECT_EQ(val[i].tokens, val2[i].tokens);
  for (const Example& v : val) {
    for (const Example& t : all) EXPECT_NE(v.tokens, t.tokens);
  }
}

}  // namespace
}  // namespace ondo::train
