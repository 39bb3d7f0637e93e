// AVX2+FMA attention kernel (compiled with -mavx2 -mfma). Layer: core.
// Same math as attend_scalar; sums in 8-lane order, so results differ from it by float
// rounding only (tested in tests/core/kernels/attention_test.cpp).
#include <immintrin.h>

#include <cmath>

#include "ondo/core/kernels/attention.h"

namespace ondo::core {
namespace {

inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

}  // namespace

void attend_avx2(const float* q, const float* k, const float* v, int64_t stride, int32_t n, int32_t D, float scale,
                 float* scores, float* out) {
  if (D % 8 != 0) return attend_scalar(q, k, v, stride, n, D, scale, scores, out);
  float mx = -INFINITY;
  for (int32_t j = 0; j < n; ++j) {
    const float* kj = k + int64_t(j) * stride;
    __m256 acc = _mm256_setzero_ps();
    for (int32_t d = 0; d < D; d += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(q + d), _mm256_loadu_ps(kj + d), acc);
    const float s = hsum(acc) * scale;
    scores[j] = s;
    mx = s > mx ? s : mx;
  }
  double sum = 0.0;
  for (int32_t j = 0; j < n; ++j) {
    const float e = std::exp(scores[j] - mx);
    scores[j] = e;
    sum += double(e);
  }
  const float inv = float(1.0 / sum);
  for (int32_t d = 0; d < D; d += 8) _mm256_storeu_ps(out + d, _mm256_setzero_ps());
  for (int32_t j = 0; j < n; ++j) {
    const float* vj = v + int64_t(j) * stride;
    const __m256 p = _mm256_set1_ps(scores[j] * inv);
    for (int32_t d = 0; d < D; d += 8) {
      _mm256_storeu_ps(out + d, _mm256_fmadd_ps(p, _mm256_loadu_ps(vj + d), _mm256_loadu_ps(out + d)));
    }
  }
}

}  // namespace ondo::core
