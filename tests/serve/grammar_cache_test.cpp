// GrammarCache: hits return the same compiled grammar, keys separate kinds and texts, the
// LRU keeps the count and memory bounds, and compile errors are returned, not cached.
#include <gtest/gtest.h>

#include "ondo/serve/grammar_cache.h"

namespace ondo::serve {
namespace {

using GrammarPtr = GrammarCache::GrammarPtr;

GrammarCache::Compile gbnf(const std::string& text, int* calls) {
  return [text, calls]() -> Result<GrammarPtr> {
    ++*calls;
    return infer::grammar::parse_gbnf(text);
  };
}

TEST(GrammarCache, HitsShareTheCompiledGrammar) {
  GrammarCache cache(8, 1 << 20);
  int calls = 0;
  auto a = cache.get("gbnf", "root ::= \"a\"", gbnf("root ::= \"a\"", &calls));
  auto b = cache.get("gbnf", "root ::= \"a\"", gbnf("root ::= \"a\"", &calls));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->get(), b->get());
  EXPECT_EQ(calls, 1);
  auto other_kind = cache.get("json_schema", "root ::= \"a\"", gbnf("root ::= \"a\"", &calls));
  ASSERT_TRUE(other_kind.ok());
  EXPECT_NE(other_kind->get(), a->get());
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(cache.stats().hits, 1u);
  EXPECT_EQ(cache.stats().misses, 2u);
}

TEST(GrammarCache, EvictsLeastRecentlyUsedByCount) {
  GrammarCache cache(2, 1 << 20);
  int calls = 0;
  auto get = [&](const std::string& t) { return cache.get("gbnf", t, gbnf(t, &calls)); };
  ASSERT_TRUE(get("root ::= \"a\"").ok());
  ASSERT_TRUE(get("root ::= \"b\"").ok());
  ASSERT_TRUE(get("root ::= \"a\"").ok());  // a is now the most recent
  ASSERT_TRUE(get("root ::= \"c\"").ok());  // evicts b
  EXPECT_EQ(cache.stats().entries, 2u);
  EXPECT_EQ(calls, 3);
  ASSERT_TRUE(get("root ::= \"a\"").ok());
  EXPECT_EQ(calls, 3);
  ASSERT_TRUE(get("root ::= \"b\"").ok());
  EXPECT_EQ(calls, 4);
}

TEST(GrammarCache, MemoryBoundAndErrors) {
  int calls = 0;
  auto probe = infer::grammar::parse_gbnf("root ::= \"a\"");
  ASSERT_TRUE(probe.ok());
  const size_t one = GrammarCache::estimate_bytes(**probe, 12);
  GrammarCache cache(100, one + one / 2);  // room for one such grammar
  ASSERT_TRUE(cache.get("gbnf", "root ::= \"a\"", gbnf("root ::= \"a\"", &calls)).ok());
  ASSERT_TRUE(cache.get("gbnf", "root ::= \"b\"", gbnf("root ::= \"b\"", &calls)).ok());
  EXPECT_EQ(cache.stats().entries, 1u);
  EXPECT_LE(cache.stats().bytes, one + one / 2);
  auto bad = cache.get("gbnf", "root ::= nope", gbnf("root ::= nope", &calls));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("nope"), std::string::npos);
  EXPECT_FALSE(cache.get("gbnf", "root ::= nope", gbnf("root ::= nope", &calls)).ok());
  EXPECT_EQ(calls, 4);  // errors are compiled again, not cached
}

}  // namespace
}  // namespace ondo::serve
