// Hybrid search: reciprocal rank fusion (Cormack et al. 2009, score = sum of w / (k + rank),
// rank from 1) of ranked lists, e.g. dense hits and lexical BM25 hits. Lexical scoring
// itself is the store's (SQLite FTS5 / PostgreSQL full text); it hands back LexicalHit.
// Layer: rag; uses core only. Pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "ondo/rag/dense_index.h"

namespace ondo::rag {

// One lexical (BM25-style) match from the store: higher score = better.
struct LexicalHit {
  int64_t id = 0;
  double score = 0;
};

// One ranked list, best first, with its weight (OpenAI's ranking_options.hybrid_search
// embedding_weight / text_weight). Duplicate ids after the first occurrence are ignored.
struct RankedList {
  std::vector<int64_t> ids;
  double weight = 1.0;
};

struct FusedHit {
  int64_t id = 0;
  double score = 0;        // sum over lists of weight / (k + rank)
  std::vector<int> ranks;  // rank (from 1) in each input list, 0 where absent
};

inline constexpr double kRrfK = 60.0;

// Ranked lists from hits (dense: as given, which is best first; lexical: sorted by score
// descending, ties by smaller id).
RankedList ranked_dense(std::span<const Hit> hits, double weight = 1.0);
RankedList ranked_lexical(std::span<const LexicalHit> hits, double weight = 1.0);

// The fused top `limit` (0: all), by score descending, ties by smaller id. Lists with a
// weight <= 0 contribute nothing (but still fill `ranks`). Requires: rrf_k > 0.
std::vector<FusedHit> reciprocal_rank_fusion(std::span<const RankedList> lists, size_t limit = 0,
                                             double rrf_k = kRrfK);

}  // namespace ondo::rag
