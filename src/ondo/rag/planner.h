// The filtered-search planner (issue 16.4): given the ids a metadata filter lets through,
// pick pre-filtering (an exact scan over just those ids) when the filter is selective, else
// post-filtering (HNSW with ef doubling until k matches pass, falling back to an exact scan
// over the matches if the graph runs out). Guarantee: when at least k matching vectors
// exist, exactly k hits come back. The plan, and why, is returned for the response.
// Layer: rag; uses core only. Pure function of its inputs; thread-safe as DenseIndex's
// const methods are.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/rag/dense_index.h"

namespace ondo::rag {

enum class PlanKind {
  Exact,        // no graph (small index): exact scan, filtered inline
  Hnsw,         // no filter, graph present: HNSW with the index's default ef
  PreFilter,    // selective filter: exact scan over the matching ids only
  PostFilter,   // HNSW candidates filtered afterwards, ef grown until k pass
  PostFilterFallback,  // post-filter ran out of graph candidates: exact over the matches
};

// "exact", "hnsw", "pre_filter", "post_filter", "post_filter_fallback".
const char* plan_kind_name(PlanKind k);

struct SearchPlan {
  PlanKind kind = PlanKind::Exact;
  std::string reason;             // e.g. "filter matches 40 of 20000 vectors (0.20% <= 2.00%)"
  size_t ef_used = 0;             // the last ef the graph search used; 0 when none ran
  size_t candidates_scanned = 0;  // vectors scored (exact) or graph candidates examined
  size_t matching = 0;            // ids the filter let through that are in the index
  size_t total = 0;               // vectors in the index
};

struct PlannerOptions {
  // Pre-filter when matching / total is at most this, or matching <= prefilter_max_ids.
  double prefilter_max_selectivity = 0.02;
  size_t prefilter_max_ids = 2000;
  // The first ef for post-filtering is max(ef_start, k / selectivity * 2), capped at total.
  size_t ef_start = 64;
  // Post-filtering stops growing ef here and scans the matches exactly instead (bounds the
  // graph work for filters whose matches lie far from the query); 0: up to the index size.
  size_t ef_max = 0;
};

struct PlannedSearch {
  std::vector<Hit> hits;  // best first, ties by smaller id; min(k, matching) of them
  SearchPlan plan;
};

// Searches `index` for the k nearest of `query` among `matching_ids` (null: no filter; any
// order, duplicates and ids not in the index are ignored). The query is L2-normalised here.
// Errors: InvalidArgument for a query of the wrong width or non-finite/all-zero values.
Result<PlannedSearch> planned_search(const DenseIndex& index, std::span<const float> query,
                                     size_t k, const std::vector<int64_t>* matching_ids,
                                     const PlannerOptions& options = {});

}  // namespace ondo::rag
