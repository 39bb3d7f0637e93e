// The filtered-search planner: pre-filter (exact over matches) or post-filter (HNSW, ef
// doubling, exact fallback). Layer: rag.
#include "ondo/rag/planner.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unordered_set>

#include "ondo/rag/dense_index_impl.h"

namespace ondo::rag {
namespace {

std::string percent(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%", x * 100.0);
  return buf;
}

}  // namespace

const char* plan_kind_name(PlanKind k) {
  switch (k) {
    case PlanKind::Exact: return "exact";
    case PlanKind::Hnsw: return "hnsw";
    case PlanKind::PreFilter: return "pre_filter";
    case PlanKind::PostFilter: return "post_filter";
    case PlanKind::PostFilterFallback: return "post_filter_fallback";
  }
  return "?";
}

Result<PlannedSearch> planned_search(const DenseIndex& index, std::span<const float> query,
                                     size_t k, const std::vector<int64_t>* matching_ids,
                                     const PlannerOptions& o) {
  const DenseIndexOptions& io = index.options();
  ONDO_ASSIGN_OR_RETURN(std::vector<float> q, normalised(query, io.dim, "query"));
  PlannedSearch out;
  SearchPlan& plan = out.plan;
  plan.total = index.size();
  const bool graph = index.has_graph() && plan.total >= io.hnsw_threshold;
  const std::string size_note = "index holds " + std::to_string(plan.total) + " vectors";

  if (matching_ids == nullptr) {
    plan.matching = plan.total;
    if (!graph) {
      plan.kind = PlanKind::Exact;
      plan.reason = "no filter; " + size_note + " (below the HNSW threshold " +
                    std::to_string(io.hnsw_threshold) + "): exact scan";
      plan.candidates_scanned = plan.total;
      out.hits = index.search_exact(q, k, nullptr);
      return out;
    }
    plan.kind = PlanKind::Hnsw;
    plan.ef_used = std::min(std::max<size_t>(static_cast<size_t>(io.hnsw_ef_search), k), plan.total);
    plan.reason = "no filter; " + size_note + ": HNSW with ef " + std::to_string(plan.ef_used);
    out.hits = index.search_graph(q, plan.ef_used);
    plan.candidates_scanned = out.hits.size();
    if (out.hits.size() < std::min(k, plan.total)) {
      // The graph did not reach k vectors (tiny or fragmented): exact is the honest answer.
      plan.kind = PlanKind::PostFilterFallback;
      plan.reason += "; the graph gave only " + std::to_string(out.hits.size()) + ", exact scan";
      plan.candidates_scanned += plan.total;
      out.hits = index.search_exact(q, k, nullptr);
      return out;
    }
    if (out.hits.size() > k) out.hits.resize(k);
    return out;
  }

  // The matching ids that are in the index, once each.
  std::unordered_set<int64_t> allowed;
  allowed.reserve(matching_ids->size());
  for (int64_t id : *matching_ids) {
    if (index.contains(id)) allowed.insert(id);
  }
  plan.matching = allowed.size();
  const double sel = plan.total == 0 ? 0.0 : static_cast<double>(plan.matching) / plan.total;
  const std::string sel_note = "filter matches " + std::to_string(plan.matching) + " of " +
                               std::to_string(plan.total) + " vectors (" + percent(sel) + ")";
  std::vector<int64_t> ids(allowed.begin(), allowed.end());

  if (!graph || plan.matching == 0) {
    plan.kind = PlanKind::Exact;
    plan.reason = sel_note + "; " + (plan.matching == 0 ? std::string("nothing to scan")
                                                        : size_note + " (below the HNSW threshold " +
                                                              std::to_string(io.hnsw_threshold) +
                                                              "): exact scan over the matches");
    plan.candidates_scanned = plan.matching;
    out.hits = index.search_exact_ids(q, k, ids);
    return out;
  }
  if (sel <= o.prefilter_max_selectivity || plan.matching <= o.prefilter_max_ids) {
    plan.kind = PlanKind::PreFilter;
    plan.reason = sel_note + ", selective (at most " + percent(o.prefilter_max_selectivity) +
                  " or " + std::to_string(o.prefilter_max_ids) + " ids): exact scan over the matches";
    plan.candidates_scanned = plan.matching;
    out.hits = index.search_exact_ids(q, k, ids);
    return out;
  }

  // Post-filter: start where k matches are expected twice over, double until k pass.
  const double want = std::ceil(static_cast<double>(k) / sel * 2.0);
  size_t ef = std::max<size_t>(o.ef_start, static_cast<size_t>(std::min(want, 1e15)));
  const size_t ef_cap = o.ef_max == 0 ? plan.total : std::min(o.ef_max, plan.total);
  ef = std::min(std::max<size_t>(ef, 1), ef_cap);
  for (;;) {
    std::vector<Hit> cand = index.search_graph(q, ef);
    plan.ef_used = ef;
    plan.candidates_scanned += cand.size();
    out.hits.clear();
    for (const Hit& h : cand) {
      if (allowed.count(h.id) == 0) continue;
      out.hits.push_back(h);
      if (out.hits.size() == k) break;
    }
    if (out.hits.size() >= std::min(k, plan.matching)) {
      plan.kind = PlanKind::PostFilter;
      plan.reason = sel_note + ", not selective: HNSW post-filter, " + std::to_string(k) +
                    " passed at ef " + std::to_string(ef);
      return out;
    }
    if (ef >= ef_cap) break;
    ef = std::min(ef * 2, ef_cap);
  }
  plan.kind = PlanKind::PostFilterFallback;
  plan.reason = sel_note + ", not selective: HNSW post-filter found only " +
                std::to_string(out.hits.size()) + " of " + std::to_string(k) + " at ef " +
                std::to_string(plan.ef_used) + (ef_cap == plan.total ? " (the whole index)" : " (the ef cap)") +
                ": exact scan over the matches";
  plan.candidates_scanned += plan.matching;
  out.hits = index.search_exact_ids(q, k, ids);
  return out;
}

}  // namespace ondo::rag
