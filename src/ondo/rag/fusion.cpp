// Reciprocal rank fusion of ranked lists. Layer: rag.
#include "ondo/rag/fusion.h"

#include <algorithm>
#include <unordered_map>

namespace ondo::rag {

RankedList ranked_dense(std::span<const Hit> hits, double weight) {
  RankedList out;
  out.weight = weight;
  out.ids.reserve(hits.size());
  for (const auto& h : hits) out.ids.push_back(h.id);
  return out;
}

RankedList ranked_lexical(std::span<const LexicalHit> hits, double weight) {
  std::vector<LexicalHit> sorted(hits.begin(), hits.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const LexicalHit& a, const LexicalHit& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.id < b.id;
  });
  RankedList out;
  out.weight = weight;
  out.ids.reserve(sorted.size());
  for (const auto& h : sorted) out.ids.push_back(h.id);
  return out;
}

std::vector<FusedHit> reciprocal_rank_fusion(std::span<const RankedList> lists, size_t limit,
                                             double rrf_k) {
  std::unordered_map<int64_t, size_t> slot;  // id -> index in `out`
  std::vector<FusedHit> out;
  for (size_t l = 0; l < lists.size(); ++l) {
    const RankedList& list = lists[l];
    for (size_t r = 0; r < list.ids.size(); ++r) {
      const int64_t id = list.ids[r];
      auto [it, fresh] = slot.try_emplace(id, out.size());
      if (fresh) {
        FusedHit h;
        h.id = id;
        h.ranks.assign(lists.size(), 0);
        out.push_back(std::move(h));
      }
      FusedHit& h = out[it->second];
      if (h.ranks[l] != 0) continue;  // a repeat within one list counts once
      const int rank = static_cast<int>(r) + 1;
      h.ranks[l] = rank;
      if (list.weight > 0) h.score += list.weight / (rrf_k + rank);
    }
  }
  std::sort(out.begin(), out.end(), [](const FusedHit& a, const FusedHit& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.id < b.id;
  });
  if (limit != 0 && out.size() > limit) out.resize(limit);
  return out;
}

}  // namespace ondo::rag
