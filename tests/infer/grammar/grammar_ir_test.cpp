// The whole-grammar checks of IrBuilder::finish and the matcher's rule expansion on long
// rule chains (inputs generated here): unit-rule chains past the old 1,024 expansion limit
// match; chains past the documented limits are refused at compile time with a clear error;
// 100k-rule chains, left-recursive or right-recursive, compile or fail without recursing
// per rule or quadratic work. Layer: tests of infer/grammar.
#include <gtest/gtest.h>

#include <string>

#include "grammar_test_util.h"
#include "ondo/infer/grammar/grammar_ir.h"

namespace ondo::infer::grammar {
namespace {

using testing::accepts;
using testing::gbnf;

// root ::= r0, r0 ::= r1, ..., r{n-1} ::= rn, each rule optionally with `extra` appended
// after the reference and with `alt` as a second alternative; rn ::= "z".
std::string chain(int n, const std::string& extra = "", const std::string& alt = "") {
  std::string g = "root ::= r0\n";
  for (int i = 0; i < n; ++i) {
    g += "r" + std::to_string(i) + " ::= r" + std::to_string(i + 1) + extra + (alt.empty() ? "" : " | " + alt) + "\n";
  }
  return g + "r" + std::to_string(n) + " ::= \"z\"\n";
}

Error compile_error(const std::string& text) {
  auto g = parse_gbnf(text);
  return g.ok() ? Error{ErrorCode::Internal, "compiled"} : g.error();
}

TEST(GrammarChains, UnitRuleChainsBeyondTheOldExpansionLimitMatch) {
  // 3,000 unit rules: this grammar used to compile and then allow no token at all.
  auto g = gbnf(chain(3000));
  ASSERT_TRUE(g);
  EXPECT_TRUE(accepts(g, "z"));
  EXPECT_FALSE(accepts(g, "y"));
  // Every rule with a second alternative: each is a pending choice while the chain expands.
  auto h = gbnf(chain(3000, "", "\"b\""));
  ASSERT_TRUE(h);
  EXPECT_TRUE(accepts(h, "z"));
  EXPECT_TRUE(accepts(h, "b"));
  EXPECT_FALSE(accepts(h, "bz"));
}

TEST(GrammarChains, ChainsAtTheLimitMatchAndPastItAreRefused) {
  // root + r0..r{n}: the longest chain from root has n + 2 rules.
  auto g = gbnf(chain(int(kMaxLeftChain) - 2, "", "\"b\""));
  ASSERT_TRUE(g);
  EXPECT_TRUE(accepts(g, "z"));
  const Error e = compile_error(chain(int(kMaxLeftChain) - 1));
  EXPECT_EQ(e.code, ErrorCode::InvalidArgument);
  EXPECT_EQ(e.message, "grammar: rule 'root' starts a chain of more than 4096 rules before any input (limit 4096)");
}

TEST(GrammarChains, HundredThousandRuleChainIsRefusedWithoutCrashing) {
  const std::string text = chain(100000);
  ASSERT_LT(text.size(), GrammarLimits{}.max_text_bytes);
  const Error e = compile_error(text);
  EXPECT_EQ(e.code, ErrorCode::InvalidArgument);
  EXPECT_NE(e.message.find("chain of more than 4096 rules before any input (limit 4096)"), std::string::npos)
      << e.message;
}

TEST(GrammarChains, NestingBeforeInputIsBounded) {
  // r_i ::= r_{i+1} "x": each reference leaves a continuation on the parse stack.
  auto g = gbnf(chain(200, " \"x\""));
  ASSERT_TRUE(g);
  EXPECT_TRUE(accepts(g, "z" + std::string(200, 'x')));
  EXPECT_FALSE(accepts(g, "z" + std::string(199, 'x')));
  const Error e = compile_error(chain(300, " \"x\""));
  EXPECT_EQ(e.code, ErrorCode::InvalidArgument);
  EXPECT_NE(e.message.find("rules nested more than 256 deep before any input (limit 256)"), std::string::npos)
      << e.message;
}

TEST(GrammarChains, LongLeftRecursiveCycleIsReported) {
  std::string text = chain(50000);
  text += "r50001 ::= r0\n";  // r50000 ::= "z" | r50001 closes the cycle
  text.replace(text.find("r50000 ::= \"z\""), 14, "r50000 ::= \"z\" | r50001");
  const Error e = compile_error(text);
  EXPECT_EQ(e.code, ErrorCode::InvalidArgument);
  EXPECT_EQ(e.message.rfind("grammar: left recursion is not supported ('r0' -> 'r1' -> 'r2'", 0), 0u) << e.message.substr(0, 200);
  EXPECT_NE(e.message.find("'r50001' -> 'r0')"), std::string::npos);
}

TEST(GrammarChains, LongRightRecursiveChainCompilesInLinearTime) {
  // r_i ::= "a" r_{i+1}: no chain before input; finding the productive rules used to take
  // one pass over all rules per rule (40k rules: 14 s).
  std::string text = "root ::= r0\n";
  const int n = 100000;
  for (int i = 0; i < n; ++i) text += "r" + std::to_string(i) + " ::= \"a\" r" + std::to_string(i + 1) + "\n";
  text += "r" + std::to_string(n) + " ::= \"b\"\n";
  ASSERT_LT(text.size(), GrammarLimits{}.max_text_bytes);
  auto g = gbnf(text);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->n_rules(), size_t(n) + 2);
  EXPECT_FALSE(accepts(g, "aab"));
  static const auto table = testing::small_table();
  Matcher m(g, table);
  for (int i = 0; i < 300; ++i) ASSERT_TRUE(m.accept(testing::byte_token('a')).ok()) << i;
  EXPECT_FALSE(m.accept(testing::byte_token('c')).ok());
}

TEST(GrammarChains, ManyDistinctClassesCompileInLinearTime) {
  // 60,000 distinct four-letter classes in one sequence: byte sets were deduplicated by a
  // scan over all earlier ones.
  const std::string letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string text = "root ::=", first;
  int n = 0;
  for (size_t a = 0; a < letters.size() && n < 60000; ++a) {
    for (size_t b = a + 1; b < letters.size() && n < 60000; ++b) {
      for (size_t c = b + 1; c < letters.size() && n < 60000; ++c) {
        for (size_t d = c + 1; d < letters.size() && n < 60000; ++d, ++n) {
          const std::string cls = {letters[a], letters[b], letters[c], letters[d]};
          text += " [" + cls + "]";
          first += letters[d];
        }
      }
    }
  }
  auto g = gbnf(text);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->ir().byte_sets.size(), 60000u);
  EXPECT_TRUE(accepts(g, first));
  EXPECT_FALSE(accepts(g, "z" + first.substr(1)));
}

}  // namespace
}  // namespace ondo::infer::grammar
