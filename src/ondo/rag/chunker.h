// Token-aware chunking of a Document (OpenAI's static strategy: max_chunk_size_tokens,
// chunk_overlap_tokens) that prefers to end a chunk before a heading, then at a paragraph
// end, then at a sentence end, and never right after a heading. A chunk that starts inside
// a section begins with that section's heading, so headings stay with their sections.
// Layer: rag. Pure; the token counter is the embedding model's tokenizer (or any function).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/rag/document.h"

namespace ondo::rag {

struct ChunkingOptions {
  int32_t max_tokens = 800;     // OpenAI's default ("auto")
  int32_t overlap_tokens = 400;
};

// OpenAI's limits: max_chunk_size_tokens 100..4096, chunk_overlap_tokens 0..max/2.
// Errors: InvalidArgument with the field path under `field` ("chunking_strategy.static...").
Status validate_chunking(const ChunkingOptions& options, std::string_view field);

// Tokens of a piece of text without special tokens (CLS/SEP, BOS/EOS).
using TokenCounter = std::function<int32_t(std::string_view)>;

struct Chunk {
  std::string text;
  int32_t tokens = 0;  // the sum of its words' counts (a word is counted alone)
};

// Requires: options.max_tokens >= 1 and 0 <= overlap_tokens < max_tokens.
// Every word of the document is in at least one chunk, in order; a chunk holds at most
// max_tokens (a single word longer than that is cut into pieces). Consecutive chunks share
// up to overlap_tokens of text, starting at a sentence or paragraph start when one is there.
std::vector<Chunk> chunk_document(const Document& doc, const ChunkingOptions& options, const TokenCounter& count);

}  // namespace ondo::rag
