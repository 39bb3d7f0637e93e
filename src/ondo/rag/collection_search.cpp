// Search over a vector store's chunks (see collection_search.h). Layer: rag.
#include "ondo/rag/collection_search.h"

#include <algorithm>
#include <cstdio>
#include <unordered_map>
#include <unordered_set>

#include "ondo/rag/attributes.h"
#include "ondo/rag/fusion.h"
#include "ondo/rag/planner.h"

namespace ondo::rag {

// One vector store's index and the attributes of its chunks.
struct CollectionIndexes::Entry {
  std::unique_ptr<DenseIndex> index;
  std::mutex mu;                                   // guards attributes and note
  std::unordered_map<int64_t, Attributes> attributes;
  std::string note;
};

namespace {

constexpr size_t kMaxLexicalHits = 100000;

Attributes attributes_of(const store::ChunkRecord& c) {
  auto j = nlohmann::json::parse(c.attributes, nullptr, false);
  auto a = parse_attributes(j.is_discarded() ? nlohmann::json(nullptr) : j);
  return a.ok() ? std::move(*a) : Attributes{};  // written by us after validation; damaged: none
}

}  // namespace

const char* search_mode_name(SearchMode m) {
  return m == SearchMode::Dense ? "dense" : m == SearchMode::Lexical ? "lexical" : "hybrid";
}

CollectionIndexes::CollectionIndexes(store::Store& store, std::filesystem::path dir, size_t hnsw_threshold)
    : store_(store), dir_(std::move(dir)), hnsw_threshold_(hnsw_threshold) {
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::create_directories(dir_, ec);  // a failure shows when an index is saved
}

std::filesystem::path CollectionIndexes::file_of(const std::string& id) const { return dir_ / (id + ".hnsw"); }

Result<std::shared_ptr<CollectionIndexes::Entry>> CollectionIndexes::entry(const store::VectorStoreRecord& vs) {
  uint64_t generation = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(vs.id);
    if (it != entries_.end()) return it->second;
    generation = generation_[vs.id];
  }
  // Built outside the lock (it reads every chunk); a racing builder's copy may win: same data.
  ONDO_ASSIGN_OR_RETURN(std::vector<store::ChunkRecord> chunks, store_.list_chunks(vs.id));
  auto e = std::make_shared<Entry>();
  DenseIndexOptions o;
  o.hnsw_threshold = hnsw_threshold_;
  o.dim = vs.dimensions > 0 ? vs.dimensions : (chunks.empty() ? 1 : int(chunks[0].vector.size()));
  ONDO_ASSIGN_OR_RETURN(e->index, DenseIndex::create(o));
  std::vector<StoredVector> vectors;
  vectors.reserve(chunks.size());
  for (store::ChunkRecord& c : chunks) {
    e->attributes[c.id] = attributes_of(c);
    vectors.push_back(StoredVector{c.id, std::move(c.vector)});
  }
  if (dir_.empty()) {
    ONDO_TRY(e->index->rebuild_from(vectors));
    e->note = "built in memory from " + std::to_string(vectors.size()) + " stored vectors";
  } else {
    ONDO_ASSIGN_OR_RETURN(LoadReport r, e->index->load_or_rebuild(file_of(vs.id), vectors));
    e->note = r.rebuilt ? "rebuilt from " + std::to_string(vectors.size()) + " stored vectors (" + r.reason + ")"
                        : "loaded from " + file_of(vs.id).filename().string();
    if (r.rebuilt) {
      Status st = e->index->save(file_of(vs.id));
      if (!st.ok()) std::fprintf(stderr, "ondo: vector store %s: %s\n", vs.id.c_str(), st.error().message.c_str());
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (generation_[vs.id] != generation) return e;  // chunks changed while it was built: not kept
  auto [it, inserted] = entries_.emplace(vs.id, e);
  return it->second;
}

void CollectionIndexes::add(const std::string& vs_id, const std::vector<store::ChunkRecord>& chunks) {
  std::shared_ptr<Entry> e;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++generation_[vs_id];
    auto it = entries_.find(vs_id);
    if (it == entries_.end()) return;  // not loaded: the next use builds it from the store
    e = it->second;
  }
  bool ok = true;
  for (const store::ChunkRecord& c : chunks) {
    if (!e->index->add(c.id, c.vector).ok()) ok = false;
    std::lock_guard<std::mutex> lock(e->mu);
    e->attributes[c.id] = attributes_of(c);
  }
  if (!ok) return invalidate(vs_id);  // an odd vector: rebuild from the store next time
  if (!dir_.empty()) {
    Status st = e->index->save(file_of(vs_id));
    if (!st.ok()) std::fprintf(stderr, "ondo: vector store %s: %s\n", vs_id.c_str(), st.error().message.c_str());
  }
}

void CollectionIndexes::invalidate(const std::string& vs_id) {
  std::lock_guard<std::mutex> lock(mu_);
  ++generation_[vs_id];
  entries_.erase(vs_id);
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove(file_of(vs_id), ec);
  }
}

void CollectionIndexes::invalidate_all() {
  std::vector<std::string> ids;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, e] : entries_) ids.push_back(id);
  }
  for (const std::string& id : ids) invalidate(id);
}

Result<CollectionResult> CollectionIndexes::search(const store::VectorStoreRecord& vs, const CollectionQuery& q) {
  CollectionResult out;
  out.mode = search_mode_name(q.mode);
  ONDO_ASSIGN_OR_RETURN(std::shared_ptr<Entry> e, entry(vs));
  // The chunks the filter lets through (with a filter only: without one every chunk passes,
  // and a query does not walk the whole collection).
  std::vector<int64_t> matching;
  std::unordered_set<int64_t> allowed;
  {
    std::lock_guard<std::mutex> lock(e->mu);
    out.total = e->attributes.size();
    out.index_note = e->note;
    if (q.filter) {
      for (const auto& [id, attrs] : e->attributes) {
        if (matches(*q.filter, attrs)) {
          matching.push_back(id);
          allowed.insert(id);
        }
      }
    }
  }
  out.matching = q.filter ? matching.size() : out.total;
  std::sort(matching.begin(), matching.end());
  const bool use_dense = q.mode != SearchMode::Lexical && out.total > 0;
  const bool use_lexical = q.mode != SearchMode::Dense && out.total > 0;
  // Each side ranks more than k when fused, so that fusion can reorder.
  const size_t depth = q.mode == SearchMode::Hybrid ? std::max<size_t>(q.k * 4, 50) : q.k;

  std::vector<Hit> dense;
  if (use_dense) {
    if (q.vector.size() != size_t(e->index->options().dim)) {
      return make_error(ErrorCode::InvalidArgument, "query: its vector has " + std::to_string(q.vector.size()) +
                                                        " values, the vector store's index " +
                                                        std::to_string(e->index->options().dim));
    }
    ONDO_ASSIGN_OR_RETURN(PlannedSearch ps, planned_search(*e->index, q.vector, depth, q.filter ? &matching : nullptr));
    dense = std::move(ps.hits);
    out.dense_plan = plan_kind_name(ps.plan.kind);
    out.dense_reason = ps.plan.reason;
  }
  std::vector<LexicalHit> lexical;
  if (use_lexical) {
    // With a filter the store ranks every match, so that k passing ones are found if they exist.
    const size_t limit = q.filter ? std::min(kMaxLexicalHits, out.total) : depth;
    ONDO_ASSIGN_OR_RETURN(auto hits, store_.lexical_search(vs.id, q.text, int(limit)));
    size_t seen = hits.size();
    std::lock_guard<std::mutex> lock(e->mu);  // a chunk the index does not hold yet is left out, as dense leaves it
    for (const store::LexicalHit& h : hits) {
      const bool passes = q.filter ? allowed.count(h.chunk_id) > 0 : e->attributes.count(h.chunk_id) > 0;
      if (passes && lexical.size() < depth) lexical.push_back(LexicalHit{h.chunk_id, h.score});
    }
    out.lexical_reason = std::string(vs.id.empty() ? "" : "full-text search over ") + std::string(store_.engine()) +
                         (store_.engine() == "sqlite" ? " FTS5 bm25" : " ts_rank_cd") + ": " + std::to_string(seen) +
                         " chunks contain a query word" + (q.filter ? ", " + std::to_string(lexical.size()) + " pass the filter" : "");
  }

  // Final ranking and scores in [0, 1].
  std::vector<std::pair<int64_t, double>> ranked;
  if (q.mode == SearchMode::Dense) {
    for (const Hit& h : dense) ranked.push_back({h.id, std::max(0.0, double(h.score))});
  } else if (q.mode == SearchMode::Lexical) {
    const double best = lexical.empty() ? 1.0 : std::max(1e-12, lexical.front().score);
    for (const LexicalHit& h : lexical) ranked.push_back({h.id, std::max(0.0, h.score / best)});
  } else {
    const RankedList lists[] = {ranked_dense(dense, q.dense_weight), ranked_lexical(lexical, q.lexical_weight)};
    const double best_possible = (std::max(0.0, q.dense_weight) + std::max(0.0, q.lexical_weight)) / (kRrfK + 1);
    for (const FusedHit& f : reciprocal_rank_fusion(lists, q.k)) ranked.push_back({f.id, f.score / best_possible});
  }
  std::vector<int64_t> ids;
  std::vector<double> scores;
  for (const auto& [id, score] : ranked) {
    if (ids.size() >= q.k) break;
    if (score < q.score_threshold) continue;
    ids.push_back(id);
    scores.push_back(score);
  }
  ONDO_ASSIGN_OR_RETURN(std::vector<store::ChunkRecord> chunks, store_.get_chunks(vs.id, ids, false));
  for (store::ChunkRecord& c : chunks) {
    const size_t i = size_t(std::find(ids.begin(), ids.end(), c.id) - ids.begin());
    out.hits.push_back(CollectionHit{std::move(c), scores[i]});
  }
  return out;
}

}  // namespace ondo::rag
