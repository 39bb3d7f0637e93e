// dense_dot: the float dot product behind DenseIndex, scalar reference + run-time dispatch.
// Layer: rag; uses core only (cpu_features for the dispatch).
#include <cstring>

#include "ondo/core/cpu_features.h"
#include "ondo/rag/dense_index.h"
#include "ondo/rag/dense_dot_kernels.h"

namespace ondo::rag {

// Scalar reference with the same summation order as the AVX2 kernel: 8 lanes x 4 independent
// accumulators (32 partial sums, lane j of accumulator a sums elements i with
// i % 32 == a * 8 + j), combined as ((acc0 + acc1) + (acc2 + acc3)), then the lanes in a
// fixed tree, then the tail in order. With fmaf for every multiply-add the results of the
// two kernels are bitwise identical (tested).
float dense_dot_scalar(const float* a, const float* b, size_t n) {
  float acc[4][8] = {};
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    for (int u = 0; u < 4; ++u) {
      for (int j = 0; j < 8; ++j) {
        const size_t e = i + static_cast<size_t>(u) * 8 + static_cast<size_t>(j);
        acc[u][j] = __builtin_fmaf(a[e], b[e], acc[u][j]);
      }
    }
  }
  for (; i + 8 <= n; i += 8) {
    for (int j = 0; j < 8; ++j) acc[0][j] = __builtin_fmaf(a[i + j], b[i + j], acc[0][j]);
  }
  float lane[8];
  for (int j = 0; j < 8; ++j) lane[j] = (acc[0][j] + acc[1][j]) + (acc[2][j] + acc[3][j]);
  // Horizontal sum: (0+4, 1+5, 2+6, 3+7), then (0+2, 1+3), then 0+1.
  float h4[4], h2[2];
  for (int j = 0; j < 4; ++j) h4[j] = lane[j] + lane[j + 4];
  for (int j = 0; j < 2; ++j) h2[j] = h4[j] + h4[j + 2];
  float sum = h2[0] + h2[1];
  for (; i < n; ++i) sum = __builtin_fmaf(a[i], b[i], sum);
  return sum;
}

namespace {
DotFn pick() {
  if (core::cpu_features().avx2) return dense_dot_avx2;
  return dense_dot_scalar;
}
}  // namespace

float dense_dot(const float* a, const float* b, size_t n) {
  static const DotFn fn = pick();
  return fn(a, b, n);
}

DotFn dense_dot_at(const char* level) {
  if (std::strcmp(level, "scalar") == 0) return dense_dot_scalar;
  if (std::strcmp(level, "avx2") == 0) {
    return core::cpu_features().avx2 ? dense_dot_avx2 : nullptr;
  }
  return nullptr;
}

}  // namespace ondo::rag
