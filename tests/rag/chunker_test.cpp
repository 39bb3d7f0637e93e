// Token-aware chunking: limits, overlap, boundary preferences, headings staying with their
// sections, every word kept in order; and OpenAI's limits on the strategy's numbers.
#include "ondo/rag/chunker.h"

#include <gtest/gtest.h>

#include <sstream>

namespace ondo::rag {
namespace {

// One token per whitespace-separated word (the real tokenizer is used by the server tests).
int32_t words(std::string_view s) {
  std::istringstream in{std::string(s)};
  std::string w;
  int32_t n = 0;
  while (in >> w) ++n;
  return n;
}

std::string numbered(int from, int to, const std::string& stem) {
  std::string out;
  for (int i = from; i < to; ++i) out += (out.empty() ? "" : " ") + stem + std::to_string(i);
  return out;
}

std::vector<std::string> split_words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

TEST(ChunkerTest, ShortDocumentIsOneChunk) {
  Document d{{Block{true, 1, "Title"}, Block{false, 0, "Two words."}}};
  auto chunks = chunk_document(d, {100, 20}, words);
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].text, "Title\n\nTwo words.");
  EXPECT_EQ(chunks[0].tokens, 3);
}

TEST(ChunkerTest, LimitsOverlapAndOrder) {
  Document d;
  for (int p = 0; p < 10; ++p) d.blocks.push_back(Block{false, 0, numbered(p * 37, p * 37 + 37, "w") + "."});
  const ChunkingOptions o{100, 30};
  auto chunks = chunk_document(d, o, words);
  ASSERT_GT(chunks.size(), 3u);
  // Every chunk within the limit; consecutive chunks overlap by at most 30 words; the words
  // of all chunks, overlaps removed, are the document's words in order.
  std::vector<std::string> seen;
  for (size_t i = 0; i < chunks.size(); ++i) {
    EXPECT_LE(chunks[i].tokens, 100) << i;
    EXPECT_EQ(chunks[i].tokens, words(chunks[i].text)) << i;
    const auto ws = split_words(chunks[i].text);
    size_t skip = 0;
    while (skip < ws.size() && !seen.empty() && std::find(seen.begin(), seen.end(), ws[skip]) != seen.end()) ++skip;
    EXPECT_LE(skip, 30u) << i;
    if (i > 0) EXPECT_GT(skip, 0u) << "chunk " << i << " does not overlap the one before";
    for (size_t k = skip; k < ws.size(); ++k) seen.push_back(ws[k]);
  }
  std::vector<std::string> all;
  for (const Block& b : d.blocks) {
    for (auto& w : split_words(b.text)) all.push_back(w);
  }
  EXPECT_EQ(seen, all);
}

TEST(ChunkerTest, PrefersParagraphEndsOverMidSentence) {
  // Paragraphs of 60 words: with 100 per chunk and no overlap, chunks end at paragraph ends.
  Document d;
  for (int p = 0; p < 4; ++p) d.blocks.push_back(Block{false, 0, numbered(p * 60, p * 60 + 60, "x")});
  auto chunks = chunk_document(d, {100, 0}, words);
  ASSERT_EQ(chunks.size(), 4u);
  for (int p = 0; p < 4; ++p) EXPECT_EQ(chunks[size_t(p)].text, d.blocks[size_t(p)].text);
}

TEST(ChunkerTest, HeadingsStayWithTheirSections) {
  Document d{{Block{true, 1, "Cooling"}, Block{false, 0, numbered(0, 70, "c")}, Block{true, 1, "Storage"},
              Block{false, 0, numbered(0, 150, "s")}}};
  auto chunks = chunk_document(d, {100, 10}, words);
  ASSERT_GE(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].text.rfind("Cooling\n\nc0 ", 0), 0u) << chunks[0].text;
  EXPECT_EQ(chunks[0].text.find("Storage"), std::string::npos) << "a chunk ends before a heading, not after it";
  for (size_t i = 1; i < chunks.size(); ++i) {
    // Every later chunk is in the Storage section and starts with its heading.
    EXPECT_EQ(chunks[i].text.rfind("Storage\n\n", 0), 0u) << i << ": " << chunks[i].text;
    EXPECT_LE(chunks[i].tokens, 100);
  }
}

TEST(ChunkerTest, LongRunsWithoutSpacesAreCut) {
  Document d{{Block{false, 0, std::string(500, 'a') + " tail"}}};
  auto chunks = chunk_document(d, {100, 0}, [](std::string_view s) { return int32_t(s.size()); });
  ASSERT_GE(chunks.size(), 5u);
  std::string joined;
  for (const auto& c : chunks) {
    EXPECT_LE(c.tokens, 100);
    joined += c.text;
  }
  EXPECT_EQ(joined, std::string(500, 'a') + " tail");  // the pieces of the run, then the next word
}

TEST(ChunkerTest, StrategyLimitsAreOpenAIs) {
  EXPECT_TRUE(validate_chunking({800, 400}, "chunking_strategy.static").ok());
  EXPECT_TRUE(validate_chunking({100, 0}, "x").ok());
  auto small = validate_chunking({99, 0}, "chunking_strategy.static");
  ASSERT_FALSE(small.ok());
  EXPECT_EQ(small.error().field, "chunking_strategy.static.max_chunk_size_tokens");
  EXPECT_EQ(small.error().message, "chunking_strategy.static.max_chunk_size_tokens: must be 100 to 4096 (seen 99)");
  auto overlap = validate_chunking({800, 401}, "chunking_strategy.static");
  ASSERT_FALSE(overlap.ok());
  EXPECT_EQ(overlap.error().field, "chunking_strategy.static.chunk_overlap_tokens");
  EXPECT_FALSE(validate_chunking({4097, 0}, "x").ok());
  EXPECT_FALSE(validate_chunking({800, -1}, "x").ok());
}

}  // namespace
}  // namespace ondo::rag
