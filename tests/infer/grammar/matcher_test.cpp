// Matcher at the token level: masks equal accept(), multi-terminal tokens, UTF-8 split
// across tokens, control and end-of-generation tokens, completion, forks.
// Layer: tests of infer/grammar.
#include <gtest/gtest.h>

#include <random>

#include "grammar_test_util.h"

namespace ondo::infer::grammar {
namespace {

using testing::bit;
using testing::byte_token;
using testing::gbnf;
using testing::small_table;

// Extra tokens, ids from 259 on.
const std::vector<std::string> kExtra = {"ab", "abc", "\"}", "\":", "{\"", "\xE2\x82", "\xAC", "\xE2\x82\xAC", "1,2", "bb"};
int32_t extra(size_t i) { return 259 + int32_t(i); }

// For every token: in the mask <=> accept() on a copy succeeds.
void expect_mask_matches_accept(Matcher& m, const TokenTable& table) {
  std::vector<uint64_t> mask(table.n_words());
  m.fill_mask(mask);
  for (int32_t id = 0; id < table.n_vocab(); ++id) {
    Matcher copy = m;
    EXPECT_EQ(bit(mask, id), copy.accept(id).ok()) << "token " << id;
  }
}

TEST(Matcher, TokensSpanningTerminals) {
  auto table = small_table(kExtra);
  auto g = gbnf("root ::= \"{\" \"\\\"\" [a-c]+ \"\\\"\" \"}\"");
  Matcher m(g, table);
  ASSERT_TRUE(m.accept(extra(4)).ok());  // {"
  std::vector<uint64_t> mask(table->n_words());
  m.fill_mask(mask);
  EXPECT_TRUE(bit(mask, extra(0)));   // ab
  EXPECT_TRUE(bit(mask, extra(1)));   // abc
  EXPECT_FALSE(bit(mask, extra(2)));  // "} needs a letter first
  EXPECT_FALSE(bit(mask, 0));         // EOG: not complete
  EXPECT_FALSE(bit(mask, 1));         // control
  EXPECT_FALSE(bit(mask, 2));         // empty
  ASSERT_TRUE(m.accept(extra(1)).ok());
  expect_mask_matches_accept(m, *table);
  EXPECT_FALSE(m.can_stop());
  ASSERT_TRUE(m.accept(extra(2)).ok());  // "} closes two terminals at once
  EXPECT_TRUE(m.is_complete());
  m.fill_mask(mask);
  for (int32_t id = 0; id < table->n_vocab(); ++id) EXPECT_EQ(bit(mask, id), id == 0) << id;
  EXPECT_TRUE(m.accept(0).ok());
  EXPECT_TRUE(m.finished());
  EXPECT_FALSE(m.accept(byte_token('a')).ok());
}

TEST(Matcher, Utf8SplitAcrossTokens) {
  auto table = small_table(kExtra);
  auto g = gbnf("root ::= [\\u20AC] \"!\"");  // the euro sign, then "!"
  Matcher m(g, table);
  std::vector<uint64_t> mask(table->n_words());
  m.fill_mask(mask);
  EXPECT_TRUE(bit(mask, extra(5)));   // E2 82 (first two bytes)
  EXPECT_TRUE(bit(mask, extra(7)));   // whole character
  EXPECT_FALSE(bit(mask, extra(6)));  // AC alone
  EXPECT_TRUE(bit(mask, byte_token(0xE2)));
  EXPECT_FALSE(bit(mask, byte_token(0xE3)));
  Matcher split = m;
  ASSERT_TRUE(split.accept(extra(5)).ok());
  expect_mask_matches_accept(split, *table);
  ASSERT_TRUE(split.accept(extra(6)).ok());
  EXPECT_TRUE(split.accept(byte_token('!')).ok());
  EXPECT_TRUE(split.is_complete());
  ASSERT_TRUE(m.accept(byte_token(0xE2)).ok());
  EXPECT_FALSE(m.accept(extra(6)).ok());  // E2 AC: 82 was required
}

TEST(Matcher, CanStopButContinue) {
  auto table = small_table(kExtra);
  auto g = gbnf("root ::= [0-9]+ (\",\" [0-9]+)*");
  Matcher m(g, table);
  EXPECT_FALSE(m.can_stop());
  ASSERT_TRUE(m.accept(extra(8)).ok());  // 1,2
  EXPECT_TRUE(m.can_stop());
  EXPECT_FALSE(m.is_complete());
  std::vector<uint64_t> mask(table->n_words());
  m.fill_mask(mask);
  EXPECT_TRUE(bit(mask, 0));
  EXPECT_TRUE(bit(mask, byte_token(',')));
  EXPECT_FALSE(bit(mask, byte_token('a')));
}

TEST(Matcher, ForksAreIndependent) {
  auto table = small_table(kExtra);
  auto g = gbnf("root ::= \"a\" (\"b\" | \"c\")");
  Matcher a(g, table);
  ASSERT_TRUE(a.accept(byte_token('a')).ok());
  Matcher b = a;
  ASSERT_TRUE(a.accept(byte_token('b')).ok());
  ASSERT_TRUE(b.accept(byte_token('c')).ok());
  EXPECT_TRUE(a.is_complete());
  EXPECT_TRUE(b.is_complete());
  Matcher c(g, table);
  EXPECT_FALSE(c.accept(extra(9)).ok());  // "bb"
  EXPECT_FALSE(c.accept(-1).ok());
  EXPECT_FALSE(c.accept(table->n_vocab()).ok());
}

// Seeded random grammar walks on the small table: at every step the mask equals accept().
TEST(Matcher, RandomWalkMaskConsistency) {
  auto table = small_table(kExtra);
  auto g = gbnf(
      "root ::= \"{\" ws (pair (\",\" ws pair)*)? \"}\"\n"
      "pair ::= \"\\\"\" [a-c\\u00e9\\u20AC]{1,3} \"\\\"\" \":\" ws (\"1\" | \"2\" | root)\n"
      "ws ::= \" \"?\n");
  std::mt19937 rng(1234);
  std::vector<uint64_t> mask(table->n_words());
  for (int walk = 0; walk < 20; ++walk) {
    Matcher m(g, table);
    for (int step = 0; step < 40 && !m.is_complete(); ++step) {
      expect_mask_matches_accept(m, *table);
      m.fill_mask(mask);
      std::vector<int32_t> allowed;
      for (int32_t id = 0; id < table->n_vocab(); ++id) if (bit(mask, id)) allowed.push_back(id);
      ASSERT_FALSE(allowed.empty());
      const int32_t pick = allowed[rng() % allowed.size()];
      ASSERT_TRUE(m.accept(pick).ok());
      if (pick == 0) break;
    }
  }
}

}  // namespace
}  // namespace ondo::infer::grammar
