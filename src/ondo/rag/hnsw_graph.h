// HnswGraph: the one place hnswlib (Debian's libhnswlib-dev 0.6.x, header-only) is included.
// Its header defines non-inline globals, so exactly one translation unit of the library may
// include it; everything else talks to this wrapper. Distances are 1 - dot with our run-time
// dispatched kernel (dense_dot). Errors from hnswlib (exceptions) become Status values here.
// Layer: rag (internal). Thread contract: const methods concurrently with each other;
// mutating ones exclusively (DenseIndex's lock provides both).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

#include "ondo/core/result.h"

namespace ondo::rag {

class HnswGraph {
 public:
  // An empty graph for vectors of `dim` floats with room for `capacity` (it grows).
  static Result<std::unique_ptr<HnswGraph>> create(size_t dim, size_t capacity, int m,
                                                   int ef_construction, uint64_t seed);
  // A graph from a file hnswlib wrote (save()). Errors: InvalidFile when hnswlib refuses it
  // or its element layout does not fit `dim`.
  static Result<std::unique_ptr<HnswGraph>> load(const std::filesystem::path& path, size_t dim);
  ~HnswGraph();

  // Adds `unit` (dim floats) under `id`; an id removed before is revived with the new vector.
  Status add(int64_t id, const float* unit);
  // Marks `id` removed (a tombstone: searches skip it). Errors: NotFound.
  Status remove(int64_t id);
  // Whether `id` has a tombstone in the graph.
  bool is_tombstone(int64_t id) const;
  size_t tombstones() const;

  // Up to `ef` live ids near `q` (any order).
  std::vector<int64_t> nearest(const float* q, size_t ef) const;
  // Calls `fn` for every live element with its stored vector.
  void for_each_live(const std::function<void(int64_t, const float*)>& fn) const;

  // hnswlib's own serialisation. Errors: InvalidFile.
  Status save(const std::filesystem::path& path) const;

 private:
  struct State;
  explicit HnswGraph(std::unique_ptr<State> s);
  std::unique_ptr<State> s_;
};

}  // namespace ondo::rag
