// parse_gbnf(): syntax accepted and each kind of error, checked through matching.
// Layer: tests of infer/grammar.
#include <gtest/gtest.h>

#include "grammar_test_util.h"

namespace ondo::infer::grammar {
namespace {

using testing::accepts;
using testing::gbnf;

std::string parse_error(std::string_view text, ErrorCode code = ErrorCode::InvalidArgument) {
  auto g = parse_gbnf(text);
  EXPECT_FALSE(g.ok()) << text;
  if (g.ok()) return "";
  EXPECT_EQ(g.error().code, code) << g.error().message;
  return g.error().message;
}

TEST(GbnfParser, LiteralsAlternationGroups) {
  auto g = gbnf("root ::= \"ab\" (\"c\" | \"de\") tail\ntail ::= \"!\" | \"\"\n");
  EXPECT_TRUE(accepts(g, "abc"));
  EXPECT_TRUE(accepts(g, "abde!"));
  EXPECT_FALSE(accepts(g, "ab"));
  EXPECT_FALSE(accepts(g, "abd"));
  EXPECT_FALSE(accepts(g, "abc!!"));
}

TEST(GbnfParser, Escapes) {
  auto g = gbnf(R"(root ::= "\n\t\"\\\x41\u00e9\U0001F600" [\]\-a])");
  EXPECT_TRUE(accepts(g, "\n\t\"\\A\xC3\xA9\xF0\x9F\x98\x80]"));
  EXPECT_TRUE(accepts(g, "\n\t\"\\A\xC3\xA9\xF0\x9F\x98\x80-"));
  EXPECT_TRUE(accepts(g, "\n\t\"\\A\xC3\xA9\xF0\x9F\x98\x80" "a"));
  EXPECT_FALSE(accepts(g, "\n\t\"\\A\xC3\xA9\xF0\x9F\x98\x80" "b"));
}

TEST(GbnfParser, ClassesAndAny) {
  auto g = gbnf("root ::= [a-cx] [^a-z] .");
  EXPECT_TRUE(accepts(g, "bA\xE2\x82\xAC"));  // any char: euro sign
  EXPECT_TRUE(accepts(g, "x1z"));
  EXPECT_FALSE(accepts(g, "dAz"));
  EXPECT_FALSE(accepts(g, "aqz"));
  EXPECT_TRUE(accepts(g, "a\xC3\xA9z"));      // é is outside a-z
  EXPECT_FALSE(accepts(g, "aA\xC3"));         // cut character
  EXPECT_FALSE(accepts(g, "aA\x80"));         // stray continuation byte is not a character
}

TEST(GbnfParser, NonAsciiRangeBoundaries) {
  auto g = gbnf("root ::= [\\u07FF-\\u0801]+");
  EXPECT_TRUE(accepts(g, "\xDF\xBF\xE0\xA0\x80\xE0\xA0\x81"));
  EXPECT_FALSE(accepts(g, "\xE0\xA0\x82"));
  EXPECT_FALSE(accepts(g, "\xDF\xBE"));
}

TEST(GbnfParser, Repetitions) {
  auto g = gbnf("root ::= \"a\"* \"b\"+ \"c\"? \"d\"{2} \"e\"{1,} \"f\"{0,2}");
  EXPECT_TRUE(accepts(g, "bdde"));
  EXPECT_TRUE(accepts(g, "aaabbcddeeeff"));
  EXPECT_FALSE(accepts(g, "dde"));
  EXPECT_FALSE(accepts(g, "bde"));
  EXPECT_FALSE(accepts(g, "bddd"));
  EXPECT_FALSE(accepts(g, "bddefff"));
  auto r = gbnf("root ::= (\"x\" \"y\"){2,3}");
  EXPECT_FALSE(accepts(r, "xy"));
  EXPECT_TRUE(accepts(r, "xyxy"));
  EXPECT_TRUE(accepts(r, "xyxyxy"));
  EXPECT_FALSE(accepts(r, "xyxyxyxy"));
}

TEST(GbnfParser, CommentsAndMultilineRules) {
  auto g = gbnf(
      "# a comment\n"
      "root ::=\n"
      "  item (\n"
      "    \",\" item   # inside a group\n"
      "  )*\n"
      "item ::= [0-9] |\n"
      "  \"x\"\n");
  EXPECT_TRUE(accepts(g, "1,x,2"));
  EXPECT_FALSE(accepts(g, "1,"));
}

TEST(GbnfParser, CustomRootAndRecursion) {
  auto g = parse_gbnf("expr ::= \"(\" expr \")\" | \"x\"", "expr");
  ASSERT_TRUE(g.ok()) << g.error().message;
  EXPECT_TRUE(accepts(*g, "((x))"));
  EXPECT_FALSE(accepts(*g, "((x)"));
}

TEST(GbnfParser, SyntaxErrorsNameLineAndColumn) {
  EXPECT_NE(parse_error("root ::= \"a\"\nfoo = \"b\"").find("line 2, column 5"), std::string::npos);
  EXPECT_NE(parse_error("root ::= \"abc").find("unterminated string"), std::string::npos);
  EXPECT_NE(parse_error("root ::= [abc").find("unterminated character class"), std::string::npos);
  EXPECT_NE(parse_error("root ::= (\"a\"").find("unclosed '('"), std::string::npos);
  EXPECT_NE(parse_error("root ::= *").find("nothing to repeat"), std::string::npos);
  EXPECT_NE(parse_error("root ::= \"a\"{3,1}").find("n < m"), std::string::npos);
  EXPECT_NE(parse_error("root ::= \"\\q\"").find("unknown escape"), std::string::npos);
  EXPECT_NE(parse_error("root ::= \"\\uD800\"").find("not a Unicode scalar"), std::string::npos);
  EXPECT_NE(parse_error("root ::= [z-a]").find("reversed"), std::string::npos);
  EXPECT_NE(parse_error("root ::= \"\xC3\"").find("invalid UTF-8"), std::string::npos);
  EXPECT_NE(parse_error("root ::= \"a\" )").find("line 1, column 14: unexpected ')'"), std::string::npos);
}

TEST(GbnfParser, RuleErrors) {
  EXPECT_NE(parse_error("root ::= \"a\" missing").find("line 1, column 14: rule 'missing' is not defined"),
            std::string::npos);
  EXPECT_NE(parse_error("root ::= \"a\"\nroot ::= \"b\"").find("defined twice"), std::string::npos);
  EXPECT_NE(parse_error("start ::= \"a\"").find("no root rule 'root'"), std::string::npos);
  EXPECT_NE(parse_error("root ::= root \"a\" | \"b\"").find("left recursion"), std::string::npos);
  EXPECT_NE(parse_error("root ::= a\na ::= b? a \"x\" | \"y\"\nb ::= \"z\"").find("'a' -> 'a'"), std::string::npos);
  EXPECT_NE(parse_error("root ::= \"a\" root").find("can never finish"), std::string::npos);
}

TEST(GbnfParser, SizeLimits) {
  GrammarLimits small;
  small.max_text_bytes = 8;
  auto g = parse_gbnf("root ::= \"abcdef\"", "root", small);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code, ErrorCode::TooLarge);
  parse_error("root ::= \"a\"{1000000}", ErrorCode::TooLarge);
  GrammarLimits few;
  few.max_elements = 100;
  auto h = parse_gbnf("root ::= \"a\"{0,500}", "root", few);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().code, ErrorCode::TooLarge);
  std::string deep = "root ::= ";
  for (int i = 0; i < 1000; ++i) deep += "(";
  parse_error(deep, ErrorCode::TooLarge);
}

TEST(GbnfParser, QuoteRoundTrips) {
  const std::string text = "a\"b\\c\nd\x01\xC3\xA9";
  auto g = gbnf("root ::= " + gbnf_quote(text));
  EXPECT_TRUE(accepts(g, text));
  EXPECT_FALSE(accepts(g, text + "x"));
}

}  // namespace
}  // namespace ondo::infer::grammar
