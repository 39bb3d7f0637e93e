// DenseIndex: the vector matrix, exact scans and the hnswlib graph. Layer: rag.
// Persistence lives in dense_index_file.cpp.
#include "ondo/rag/dense_index.h"

#include <algorithm>
#include <cmath>
#include <mutex>

#include "ondo/rag/dense_index_impl.h"

namespace ondo::rag {

namespace {

// Orders hits best first: higher score, then smaller id.
bool better(const Hit& a, const Hit& b) {
  if (a.score != b.score) return a.score > b.score;
  return a.id < b.id;
}

// Keeps the k best hits seen (a heap whose top is the worst kept).
class TopK {
 public:
  explicit TopK(size_t k) : k_(k) {}
  void offer(int64_t id, float score) {
    if (k_ == 0) return;
    const Hit h{id, score};
    if (heap_.size() < k_) {
      heap_.push_back(h);
      std::push_heap(heap_.begin(), heap_.end(), better);
    } else if (better(h, heap_.front())) {
      std::pop_heap(heap_.begin(), heap_.end(), better);
      heap_.back() = h;
      std::push_heap(heap_.begin(), heap_.end(), better);
    }
  }
  std::vector<Hit> take() {
    std::sort(heap_.begin(), heap_.end(), better);
    return std::move(heap_);
  }

 private:
  size_t k_;
  std::vector<Hit> heap_;
};

}  // namespace

Status check_vector(std::span<const float> v, int dim, std::string_view what) {
  if (v.size() != static_cast<size_t>(dim)) {
    return make_error(ErrorCode::InvalidArgument,
                      std::string(what) + ": wrong width (seen " + std::to_string(v.size()) +
                          ", expected " + std::to_string(dim) + ")");
  }
  for (size_t i = 0; i < v.size(); ++i) {
    if (!std::isfinite(v[i])) {
      return make_error(ErrorCode::InvalidArgument,
                        std::string(what) + ": value " + std::to_string(i) + " is not finite");
    }
  }
  return ok_status();
}

Result<std::vector<float>> normalised(std::span<const float> v, int dim, std::string_view what) {
  ONDO_TRY(check_vector(v, dim, what));
  double ss = 0;
  for (float x : v) ss += static_cast<double>(x) * x;
  if (ss == 0) {
    return make_error(ErrorCode::InvalidArgument, std::string(what) + ": all zeros (no direction)");
  }
  const float inv = static_cast<float>(1.0 / std::sqrt(ss));
  std::vector<float> out(v.begin(), v.end());
  for (float& x : out) x *= inv;
  return out;
}

void DenseIndex::Impl::append(int64_t id, const std::vector<float>& unit) {
  slot_of.emplace(id, ids.size());
  ids.push_back(id);
  data.insert(data.end(), unit.begin(), unit.end());
}

void DenseIndex::Impl::erase_slot(size_t slot) {
  const size_t last = ids.size() - 1;
  const size_t c = static_cast<size_t>(opt.dim);
  slot_of.erase(ids[slot]);
  if (slot != last) {
    std::copy(data.begin() + static_cast<std::ptrdiff_t>(last * c),
              data.begin() + static_cast<std::ptrdiff_t>((last + 1) * c),
              data.begin() + static_cast<std::ptrdiff_t>(slot * c));
    ids[slot] = ids[last];
    slot_of[ids[slot]] = slot;
  }
  ids.pop_back();
  data.resize(last * c);
}

Status DenseIndex::Impl::build_graph() {
  graph.reset();
  ONDO_ASSIGN_OR_RETURN(std::unique_ptr<HnswGraph> g,
                        HnswGraph::create(static_cast<size_t>(opt.dim), std::max<size_t>(ids.size() * 2, 1024),
                                          opt.hnsw_m, opt.hnsw_ef_construction, opt.hnsw_seed));
  for (size_t s = 0; s < ids.size(); ++s) ONDO_TRY(g->add(ids[s], row(s)));
  graph = std::move(g);
  return ok_status();
}

Result<std::unique_ptr<DenseIndex>> DenseIndex::create(const DenseIndexOptions& o) {
  auto bad = [](std::string what) {
    return make_error(ErrorCode::InvalidArgument, "dense index options: " + what);
  };
  if (o.dim < 1 || o.dim > 65536) return bad("dim must be 1..65536 (seen " + std::to_string(o.dim) + ")");
  if (o.hnsw_m < 2 || o.hnsw_m > 256) return bad("hnsw_m must be 2..256 (seen " + std::to_string(o.hnsw_m) + ")");
  if (o.hnsw_ef_construction < 1 || o.hnsw_ef_construction > 10000) {
    return bad("hnsw_ef_construction must be 1..10000 (seen " +
               std::to_string(o.hnsw_ef_construction) + ")");
  }
  if (o.hnsw_ef_search < 1 || o.hnsw_ef_search > 100000) {
    return bad("hnsw_ef_search must be 1..100000 (seen " + std::to_string(o.hnsw_ef_search) + ")");
  }
  if (o.hnsw_threshold < 1) return bad("hnsw_threshold must be at least 1");
  return std::unique_ptr<DenseIndex>(new DenseIndex(std::make_unique<Impl>(o)));
}

DenseIndex::DenseIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DenseIndex::~DenseIndex() = default;

const DenseIndexOptions& DenseIndex::options() const { return impl_->opt; }

size_t DenseIndex::size() const {
  std::shared_lock lock(impl_->mu);
  return impl_->ids.size();
}

bool DenseIndex::contains(int64_t id) const {
  std::shared_lock lock(impl_->mu);
  return impl_->slot_of.count(id) != 0;
}

bool DenseIndex::has_graph() const {
  std::shared_lock lock(impl_->mu);
  return impl_->graph != nullptr;
}

Status DenseIndex::add(int64_t id, std::span<const float> vec) {
  ONDO_ASSIGN_OR_RETURN(std::vector<float> unit,
                        normalised(vec, impl_->opt.dim, "vector " + std::to_string(id)));
  std::unique_lock lock(impl_->mu);
  Impl& m = *impl_;
  if (m.slot_of.count(id) != 0) {
    return make_error(ErrorCode::InvalidArgument,
                      "vector " + std::to_string(id) + ": id already in the index");
  }
  m.append(id, unit);
  if (m.graph) {
    Status st = m.graph->add(id, unit.data());
    if (!st.ok()) {
      m.erase_slot(m.ids.size() - 1);
      return st;
    }
  } else if (m.ids.size() >= m.opt.hnsw_threshold) {
    Status st = m.build_graph();
    if (!st.ok()) {
      m.erase_slot(m.ids.size() - 1);
      return st;
    }
  }
  return ok_status();
}

Status DenseIndex::remove(int64_t id) {
  std::unique_lock lock(impl_->mu);
  Impl& m = *impl_;
  auto it = m.slot_of.find(id);
  if (it == m.slot_of.end()) {
    return make_error(ErrorCode::NotFound, "vector " + std::to_string(id) + ": not in the index");
  }
  m.erase_slot(it->second);
  if (m.graph) {
    ONDO_TRY(m.graph->remove(id));
    // Tombstones cost graph memory and search time; compact when they outnumber the living.
    // A failed compaction leaves no graph: searches go exact and the next add rebuilds it.
    if (m.graph->tombstones() > m.ids.size() && m.graph->tombstones() > 1024) (void)m.build_graph();
  }
  return ok_status();
}

std::vector<Hit> DenseIndex::Impl::exact(const float* q, size_t k,
                                         const std::function<bool(int64_t)>* allow) const {
  TopK top(k);
  const size_t c = static_cast<size_t>(opt.dim);
  for (size_t s = 0; s < ids.size(); ++s) {
    if (allow != nullptr && !(*allow)(ids[s])) continue;
    top.offer(ids[s], dense_dot(q, data.data() + s * c, c));
  }
  return top.take();
}

std::vector<Hit> DenseIndex::Impl::graph_candidates(const float* q, size_t ef) const {
  std::vector<Hit> out;
  if (!graph || ef == 0) return out;
  const std::vector<int64_t> near = graph->nearest(q, ef);
  out.reserve(near.size());
  const size_t c = static_cast<size_t>(opt.dim);
  for (int64_t id : near) {
    auto it = slot_of.find(id);
    if (it == slot_of.end()) continue;  // defensive: hnswlib skips tombstones itself
    // Rescored from our matrix so graph and exact scores agree bit for bit.
    out.push_back(Hit{id, dense_dot(q, data.data() + it->second * c, c)});
  }
  std::sort(out.begin(), out.end(), better);
  return out;
}

std::vector<Hit> DenseIndex::search_exact(std::span<const float> query, size_t k,
                                          const std::function<bool(int64_t)>* allow) const {
  std::shared_lock lock(impl_->mu);
  return impl_->exact(query.data(), k, allow);
}

std::vector<Hit> DenseIndex::search_exact_ids(std::span<const float> query, size_t k,
                                              std::span<const int64_t> ids) const {
  std::shared_lock lock(impl_->mu);
  const Impl& m = *impl_;
  TopK top(k);
  std::vector<size_t> slots;
  slots.reserve(ids.size());
  for (int64_t id : ids) {
    auto it = m.slot_of.find(id);
    if (it != m.slot_of.end()) slots.push_back(it->second);
  }
  std::sort(slots.begin(), slots.end());
  slots.erase(std::unique(slots.begin(), slots.end()), slots.end());
  const size_t c = static_cast<size_t>(m.opt.dim);
  for (size_t s : slots) top.offer(m.ids[s], dense_dot(query.data(), m.data.data() + s * c, c));
  return top.take();
}

std::vector<Hit> DenseIndex::search_graph(std::span<const float> query, size_t ef) const {
  std::shared_lock lock(impl_->mu);
  return impl_->graph_candidates(query.data(), ef);
}

Result<std::vector<Hit>> DenseIndex::search(std::span<const float> query, size_t k,
                                            const std::function<bool(int64_t)>* allow) const {
  ONDO_ASSIGN_OR_RETURN(std::vector<float> q, normalised(query, impl_->opt.dim, "query"));
  std::shared_lock lock(impl_->mu);
  const Impl& m = *impl_;
  if (!m.graph || m.ids.size() < m.opt.hnsw_threshold || k == 0) return m.exact(q.data(), k, allow);
  const size_t live = m.ids.size();
  size_t ef = std::max<size_t>(static_cast<size_t>(m.opt.hnsw_ef_search), k);
  for (;;) {
    std::vector<Hit> cand = m.graph_candidates(q.data(), std::min(ef, live));
    std::vector<Hit> kept;
    for (const Hit& h : cand) {
      if (allow == nullptr || (*allow)(h.id)) kept.push_back(h);
      if (kept.size() == k) return kept;
    }
    if (ef >= live) break;  // the graph is exhausted
    ef *= 2;
  }
  return m.exact(q.data(), k, allow);  // fewer than k allowed: the exact answer says how many
}

}  // namespace ondo::rag
