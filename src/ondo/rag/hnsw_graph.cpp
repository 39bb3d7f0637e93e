// HnswGraph over hnswlib::HierarchicalNSW<float> with a dot-product space. Layer: rag.
#include "ondo/rag/hnsw_graph.h"

#include <hnswlib/hnswlib.h>

#include <new>
#include <stdexcept>

#include "ondo/rag/dense_index.h"

namespace ondo::rag {
namespace {

// hnswlib's distance for unit vectors: 1 - dot, with our dispatched kernel (so the graph
// uses AVX2 at run time in a build for any x86-64).
class DotSpace : public hnswlib::SpaceInterface<float> {
 public:
  explicit DotSpace(size_t dim) : dim_(dim) {}
  size_t get_data_size() override { return dim_ * sizeof(float); }
  hnswlib::DISTFUNC<float> get_dist_func() override { return &DotSpace::distance; }
  void* get_dist_func_param() override { return &dim_; }

 private:
  static float distance(const void* a, const void* b, const void* param) {
    const size_t n = *static_cast<const size_t*>(param);
    return 1.0f - dense_dot(static_cast<const float*>(a), static_cast<const float*>(b), n);
  }
  size_t dim_;
};

using Hnsw = hnswlib::HierarchicalNSW<float>;
using Label = hnswlib::labeltype;

Error from_exception(const char* doing) {
  try {
    throw;
  } catch (const std::bad_alloc&) {
    return make_error(ErrorCode::ResourceExhausted, std::string("hnsw graph: out of memory ") + doing);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::Internal, std::string("hnsw graph: ") + doing + ": " + e.what());
  }
}

}  // namespace

struct HnswGraph::State {
  explicit State(size_t dim) : space(dim) {}
  DotSpace space;  // the graph keeps pointers into it: declared first, destroyed last
  std::unique_ptr<Hnsw> g;
};

HnswGraph::HnswGraph(std::unique_ptr<State> s) : s_(std::move(s)) {}
HnswGraph::~HnswGraph() = default;

Result<std::unique_ptr<HnswGraph>> HnswGraph::create(size_t dim, size_t capacity, int m,
                                                     int ef_construction, uint64_t seed) {
  auto s = std::make_unique<State>(dim);
  try {
    s->g = std::make_unique<Hnsw>(&s->space, std::max<size_t>(capacity, 16), static_cast<size_t>(m),
                                  static_cast<size_t>(ef_construction), static_cast<size_t>(seed));
  } catch (...) {
    return from_exception("creating the graph");
  }
  s->g->setEf(1);  // nearest() passes its ef as hnswlib's k: max(ef_, k) = k
  return std::unique_ptr<HnswGraph>(new HnswGraph(std::move(s)));
}

Result<std::unique_ptr<HnswGraph>> HnswGraph::load(const std::filesystem::path& path, size_t dim) {
  auto s = std::make_unique<State>(dim);
  try {
    s->g = std::make_unique<Hnsw>(&s->space, path.string());
  } catch (const std::bad_alloc&) {
    return make_error(ErrorCode::ResourceExhausted, path.string() + ": out of memory loading the graph");
  } catch (const std::exception& e) {
    return make_error(ErrorCode::InvalidFile, path.string() + ": hnswlib: " + e.what());
  }
  const Hnsw& g = *s->g;
  if (g.offsetData_ + dim * sizeof(float) > g.size_data_per_element_ ||
      g.label_offset_ + sizeof(Label) > g.size_data_per_element_ || g.M_ < 1) {
    return make_error(ErrorCode::InvalidFile,
                      path.string() + ": graph element layout does not fit dim " + std::to_string(dim));
  }
  s->g->setEf(1);
  return std::unique_ptr<HnswGraph>(new HnswGraph(std::move(s)));
}

Status HnswGraph::add(int64_t id, const float* unit) {
  Hnsw& g = *s_->g;
  try {
    if (g.label_lookup_.count(static_cast<Label>(id)) == 0 && g.cur_element_count >= g.max_elements_) {
      g.resizeIndex(g.max_elements_ * 2);
    }
    g.addPoint(unit, static_cast<Label>(id));
  } catch (...) {
    return from_exception("adding a vector");
  }
  return ok_status();
}

Status HnswGraph::remove(int64_t id) {
  if (s_->g->label_lookup_.count(static_cast<Label>(id)) == 0 || is_tombstone(id)) {
    return make_error(ErrorCode::NotFound, "hnsw graph: id " + std::to_string(id) + " not in the graph");
  }
  try {
    s_->g->markDelete(static_cast<Label>(id));
  } catch (...) {
    return from_exception("removing a vector");
  }
  return ok_status();
}

bool HnswGraph::is_tombstone(int64_t id) const {
  auto it = s_->g->label_lookup_.find(static_cast<Label>(id));
  return it != s_->g->label_lookup_.end() && s_->g->isMarkedDeleted(it->second);
}

size_t HnswGraph::tombstones() const { return s_->g->num_deleted_; }

std::vector<int64_t> HnswGraph::nearest(const float* q, size_t ef) const {
  std::vector<int64_t> out;
  if (ef == 0) return out;
  auto pq = s_->g->searchKnn(q, ef);
  out.reserve(pq.size());
  while (!pq.empty()) {
    out.push_back(static_cast<int64_t>(pq.top().second));
    pq.pop();
  }
  return out;
}

void HnswGraph::for_each_live(const std::function<void(int64_t, const float*)>& fn) const {
  const Hnsw& g = *s_->g;
  for (size_t i = 0; i < g.cur_element_count; ++i) {
    const auto internal = static_cast<hnswlib::tableint>(i);
    if (g.isMarkedDeleted(internal)) continue;
    fn(static_cast<int64_t>(g.getExternalLabel(internal)),
       reinterpret_cast<const float*>(g.getDataByInternalId(internal)));
  }
}

Status HnswGraph::save(const std::filesystem::path& path) const {
  try {
    s_->g->saveIndex(path.string());
  } catch (const std::exception& e) {
    return make_error(ErrorCode::InvalidFile, path.string() + ": saving the graph: " + e.what());
  }
  return ok_status();
}

}  // namespace ondo::rag
