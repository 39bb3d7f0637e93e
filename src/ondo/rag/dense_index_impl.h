// DenseIndex's private state, shared by dense_index.cpp and dense_index_file.cpp.
// Layer: rag (internal; not for other layers).
#pragma once

#include <hnswlib/hnswlib.h>

#include <memory>
#include <shared_mutex>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ondo/rag/dense_index.h"

namespace ondo::rag {

// hnswlib's distance for unit vectors: 1 - dot, computed with our dispatched kernel (so the
// graph uses AVX2 at run time in a build for any x86-64).
class DotSpace : public hnswlib::SpaceInterface<float> {
 public:
  explicit DotSpace(size_t dim) : dim_(dim) {}
  size_t get_data_size() override { return dim_ * sizeof(float); }
  hnswlib::DISTFUNC<float> get_dist_func() override { return &DotSpace::distance; }
  void* get_dist_func_param() override { return &dim_; }
  static float distance(const void* a, const void* b, const void* param);

 private:
  size_t dim_;
};

Status check_vector(std::span<const float> v, int dim, std::string_view what);
Result<std::vector<float>> normalised(std::span<const float> v, int dim, std::string_view what);

struct DenseIndex::Impl {
  explicit Impl(const DenseIndexOptions& o) : opt(o), space(static_cast<size_t>(o.dim)) {}

  const float* row(size_t slot) const { return data.data() + slot * static_cast<size_t>(opt.dim); }
  void append(int64_t id, const std::vector<float>& unit);
  void erase_slot(size_t slot);  // swap-removes; the graph is the caller's
  // Builds the graph from the matrix, measuring with `on` (the owning index's space: the graph
  // keeps pointers into it).
  Status build_graph(DotSpace& on);
  Status graph_add(int64_t id, const float* unit);
  std::vector<Hit> exact(const float* q, size_t k, const std::function<bool(int64_t)>* allow) const;
  std::vector<Hit> graph_candidates(const float* q, size_t ef) const;

  const DenseIndexOptions opt;
  DotSpace space;
  mutable std::shared_mutex mu;  // guards everything below
  std::vector<float> data;       // [slot][dim], unit rows
  std::vector<int64_t> ids;      // [slot]
  std::unordered_map<int64_t, size_t> slot_of;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> graph;
  size_t graph_deleted = 0;      // tombstones in the graph
};

}  // namespace ondo::rag
