// Pre-tokenizers: every registry row compiles, names resolve, and the splits of a few
// inputs follow llama.cpp's rules (words shown byte-level encoded: ' ' is U+0120). Layer: text.
#include <gtest/gtest.h>

#include "ondo/text/pretok/pretok.h"

namespace ondo::text {
namespace {

std::vector<std::string> split(std::string_view pre, std::string_view text) {
  const PreTokSpec* spec = find_pre_tokenizer(pre);
  EXPECT_NE(spec, nullptr) << pre;
  if (!spec) return {};
  auto p = PreTokenizer::create(*spec);
  EXPECT_TRUE(p.ok()) << p.error().message;
  return p.ok() ? (*p)->split(text) : std::vector<std::string>{};
}

using Words = std::vector<std::string>;
const std::string G = "\xC4\xA0";  // byte-level ' '

TEST(PreTokenizer, EveryRegistryRowCompilesAndIsFoundByItsLabel) {
  for (int i = 0; i < int(PreTok::Count); ++i) {
    const PreTokSpec& spec = pre_tokenizer_spec(PreTok(i));
    EXPECT_EQ(find_pre_tokenizer(spec.label), &spec) << spec.label;
    auto p = PreTokenizer::create(spec);
    EXPECT_TRUE(p.ok()) << spec.label << ": " << (p.ok() ? "" : p.error().message);
  }
  EXPECT_EQ(find_pre_tokenizer("no-such-pre"), nullptr);
  EXPECT_EQ(find_pre_tokenizer("")->id, PreTok::Default);
}

TEST(PreTokenizer, Gpt2KeepsOneSpaceForTheNextWord) {
  EXPECT_EQ(split("gpt-2", "Hello  world"), (Words{"Hello", G, G + "world"}));
  EXPECT_EQ(split("gpt-2", "it's 42!"), (Words{"it", "'s", G + "42", "!"}));
  EXPECT_EQ(split("gpt-2", "a  "), (Words{"a", G + G}));  // a run that ends the text stays whole
}

TEST(PreTokenizer, Llama3GroupsDigitsByThreeAndFoldsContractions) {
  EXPECT_EQ(split("llama-bpe", "1234567"), (Words{"123", "456", "7"}));
  EXPECT_EQ(split("llama-bpe", "DON'T"), (Words{"DON", "'T"}));
  EXPECT_EQ(split("llama-bpe", "a\n\nb"), (Words{"a", "\xC4\x8A\xC4\x8A", "b"}));
}

TEST(PreTokenizer, RegexSetsSplitInOrder) {
  EXPECT_EQ(split("qwen2", "x 12"), (Words{"x", G, "1", "2"}));         // \p{N} one digit each
  EXPECT_EQ(split("starcoder", "ab12"), (Words{"ab", "1", "2"}));
  EXPECT_EQ(split("falcon", "1234"), (Words{"123", "4"}));
  EXPECT_EQ(split("deepseek-coder", "ab 12"), (Words{"ab", G, "1", "2"}));
  EXPECT_TRUE(split("deepseek-llm", "").empty());
}

}  // namespace
}  // namespace ondo::text
