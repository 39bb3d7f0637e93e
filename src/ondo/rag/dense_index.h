// DenseIndex: nearest neighbours by cosine similarity over unit-length float vectors with
// int64 ids. Below a size threshold every search is an exact SIMD scan (AVX2/FMA or scalar,
// chosen at run time like core/kernels); at the threshold an HNSW graph (Debian's hnswlib,
// header-only, linked as is) is built and kept up to date, and approximate searches use it.
// The graph can be saved and loaded; a missing, damaged or stale file rebuilds from the
// stored vectors (issue 16.6). Layer: rag; uses core only.
//
// Thread contract: const methods (search*, size, save, ...) may run concurrently from any
// threads; add/remove/rebuild_from/load take an exclusive lock, so they are safe to call
// concurrently with searches too (searches wait).
// Memory: the vectors are held once in a contiguous matrix (C floats each) for exact scans
// and, when the graph exists, once more inside hnswlib's graph.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ondo/core/result.h"

namespace ondo::rag {

struct Hit {
  int64_t id = 0;
  float score = 0;  // cosine similarity = dot product of unit vectors, in [-1, 1]
};

// A vector as the store keeps it: the rebuild input.
struct StoredVector {
  int64_t id = 0;
  std::vector<float> values;
};

struct DenseIndexOptions {
  int dim = 384;                          // C, the vector width; 1..65536
  size_t hnsw_threshold = 20000;          // build the graph when size() reaches this
  int hnsw_m = 16;                        // hnswlib's M
  int hnsw_ef_construction = 200;         // hnswlib's ef_construction
  int hnsw_ef_search = 64;                // default ef for search() on the graph
  uint64_t hnsw_seed = 100;               // level generator seed (reproducible graphs)
};

// Which way a load went (load_or_rebuild).
struct LoadReport {
  bool rebuilt = false;     // true: the file was not used
  std::string reason;       // why it rebuilt ("index.hnsw: missing", "...: checksum mismatch")
};

class DenseIndex {
 public:
  // Errors: InvalidArgument when an option is out of range.
  static Result<std::unique_ptr<DenseIndex>> create(const DenseIndexOptions& options);
  ~DenseIndex();
  DenseIndex(const DenseIndex&) = delete;
  DenseIndex& operator=(const DenseIndex&) = delete;

  const DenseIndexOptions& options() const;
  size_t size() const;
  bool contains(int64_t id) const;
  // Whether the HNSW graph exists (size reached the threshold at some point, or loaded).
  bool has_graph() const;

  // Adds one vector. It is L2-normalised on the way in (callers normally pass unit vectors).
  // Errors (InvalidArgument): wrong width, a non-finite or all-zero vector, an id already
  // present.
  Status add(int64_t id, std::span<const float> vec);
  // Removes one vector. Errors: NotFound when the id is absent.
  Status remove(int64_t id);

  // The k best hits among ids `allow` accepts (null: all), best first, ties by smaller id.
  // Exact below the threshold or without a graph, else HNSW with the default ef doubled until
  // k allowed hits are found or the graph is exhausted (then exact over allowed ids).
  // Errors: InvalidArgument for a query of the wrong width or non-finite values.
  Result<std::vector<Hit>> search(std::span<const float> query, size_t k,
                                  const std::function<bool(int64_t)>* allow = nullptr) const;

  // Building blocks for the planner (planner.h). `query` must have dim() values, already
  // unit length for cosine scores (search() normalises; these do not).
  // Exact scan over all vectors (allow may be null), or over just the ids listed (ids not in
  // the index are skipped). Best first, ties by smaller id.
  std::vector<Hit> search_exact(std::span<const float> query, size_t k,
                                const std::function<bool(int64_t)>* allow) const;
  std::vector<Hit> search_exact_ids(std::span<const float> query, size_t k,
                                    std::span<const int64_t> ids) const;
  // The `ef` nearest candidates the graph finds (ef >= 1), best first, unfiltered; empty
  // without a graph. Removed ids never appear.
  std::vector<Hit> search_graph(std::span<const float> query, size_t ef) const;

  // Persists the graph (with a header and checksum) to `path`, written to a temporary file
  // and renamed. Without a graph it writes a file saying so. Errors: InvalidFile on I/O.
  Status save(const std::filesystem::path& path) const;
  // Replaces the contents with `vectors` (duplicate ids: the last wins) and rebuilds the
  // graph if there are at least hnsw_threshold of them. Errors as add().
  Status rebuild_from(std::span<const StoredVector> vectors);
  // Replaces the contents with `vectors` and takes the graph from `path` when it is present,
  // intact (header, options and checksum) and holds exactly these ids; otherwise rebuilds
  // and says why. Errors: as rebuild_from (a bad file is never an error).
  Result<LoadReport> load_or_rebuild(const std::filesystem::path& path,
                                     std::span<const StoredVector> vectors);

 private:
  struct Impl;
  explicit DenseIndex(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The dot product of two float vectors of length n, with the kernel this CPU runs (AVX2/FMA
// when present, else scalar). Exposed for tests and benchmarks.
float dense_dot(const float* a, const float* b, size_t n);
// The same at an explicit level: "scalar" or "avx2" (nullptr when the CPU lacks it).
using DotFn = float (*)(const float*, const float*, size_t);
DotFn dense_dot_at(const char* level);

}  // namespace ondo::rag
