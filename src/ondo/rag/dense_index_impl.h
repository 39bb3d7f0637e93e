// DenseIndex's private state, shared by dense_index.cpp and dense_index_file.cpp.
// Layer: rag (internal; not for other layers).
#pragma once

#include <memory>
#include <shared_mutex>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ondo/rag/dense_index.h"
#include "ondo/rag/hnsw_graph.h"

namespace ondo::rag {

Status check_vector(std::span<const float> v, int dim, std::string_view what);
// `v` scaled to unit length. Errors as check_vector, plus an all-zero vector.
Result<std::vector<float>> normalised(std::span<const float> v, int dim, std::string_view what);

struct DenseIndex::Impl {
  explicit Impl(const DenseIndexOptions& o) : opt(o) {}

  const float* row(size_t slot) const { return data.data() + slot * static_cast<size_t>(opt.dim); }
  void append(int64_t id, const std::vector<float>& unit);
  void erase_slot(size_t slot);  // swap-removes; the graph is the caller's
  Status build_graph();          // a fresh graph from the matrix
  std::vector<Hit> exact(const float* q, size_t k, const std::function<bool(int64_t)>* allow) const;
  std::vector<Hit> graph_candidates(const float* q, size_t ef) const;

  const DenseIndexOptions opt;
  mutable std::shared_mutex mu;  // guards everything below
  std::vector<float> data;       // [slot][dim], unit rows
  std::vector<int64_t> ids;      // [slot]
  std::unordered_map<int64_t, size_t> slot_of;
  std::unique_ptr<HnswGraph> graph;
};

}  // namespace ondo::rag
