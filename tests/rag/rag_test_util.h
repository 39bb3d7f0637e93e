// Helpers for the rag tests: random unit vectors, a brute-force reference, index factory.
#pragma once

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <random>
#include <vector>

#include "ondo/rag/dense_index.h"

namespace ondo::rag {

inline std::vector<std::vector<float>> random_unit_vectors(size_t n, int dim, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd(0.f, 1.f);
  std::vector<std::vector<float>> out(n, std::vector<float>(static_cast<size_t>(dim)));
  for (auto& v : out) {
    double ss = 0;
    for (float& x : v) {
      x = nd(rng);
      ss += static_cast<double>(x) * x;
    }
    const float inv = static_cast<float>(1.0 / std::sqrt(ss));
    for (float& x : v) x *= inv;
  }
  return out;
}

// The ids of the k most similar of `vecs` to `q` (double-precision dots), ties by smaller id;
// `keep` (may be null) restricts by index.
inline std::vector<int64_t> brute_force(const std::vector<std::vector<float>>& vecs,
                                        const std::vector<float>& q, size_t k,
                                        const std::function<int64_t(size_t)>& id_of,
                                        const std::function<bool(size_t)>* keep) {
  std::vector<std::pair<double, int64_t>> all;
  for (size_t i = 0; i < vecs.size(); ++i) {
    if (keep != nullptr && !(*keep)(i)) continue;
    double d = 0;
    for (size_t j = 0; j < q.size(); ++j) d += static_cast<double>(vecs[i][j]) * q[j];
    all.emplace_back(-d, id_of(i));
  }
  std::sort(all.begin(), all.end());
  std::vector<int64_t> ids;
  for (size_t i = 0; i < std::min(k, all.size()); ++i) ids.push_back(all[i].second);
  return ids;
}

inline std::unique_ptr<DenseIndex> make_index(int dim, size_t threshold, int ef_construction = 100) {
  DenseIndexOptions o;
  o.dim = dim;
  o.hnsw_threshold = threshold;
  o.hnsw_ef_construction = ef_construction;
  return std::move(DenseIndex::create(o)).value();
}

inline const std::vector<float>& q_of(const std::vector<std::vector<float>>& qs) { return qs.front(); }

}  // namespace ondo::rag
