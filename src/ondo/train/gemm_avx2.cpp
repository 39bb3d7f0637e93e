// C = A B^T tile kernel with AVX2/FMA: 2 rows of A x 4 rows of B per pass, 8 accumulators.
// Layer: train. Compiled with AVX2 flags (CMake: *_avx2.cpp); called only after detection.
#include <immintrin.h>

#include "ondo/train/gemm.h"

namespace ondo::train {
namespace {

// Lane sum (0+4, 2+6) + (1+5, 3+7), matching the scalar kernel's order.
inline float hsum(__m256 v) {
  const __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
  const __m128 s = _mm_add_ps(lo, hi);           // s0=a0+a4, s1=a1+a5, s2=a2+a6, s3=a3+a7
  const __m128 t = _mm_add_ps(s, _mm_movehl_ps(s, s));  // t0=s0+s2, t1=s1+s3
  return _mm_cvtss_f32(_mm_add_ss(t, _mm_shuffle_ps(t, t, 1)));
}

inline float dot_one(const float* a, const float* b, int64_t L, int64_t L8) {
  __m256 acc = _mm256_setzero_ps();
  for (int64_t l = 0; l < L8; l += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(a + l), _mm256_loadu_ps(b + l), acc);
  float s = hsum(acc);
  for (int64_t l = L8; l < L; ++l) s += a[l] * b[l];
  return s;
}

inline void store(float* c, float s, bool accumulate) { *c = accumulate ? *c + s : s; }

}  // namespace

void gemm_tile_avx2(const float* A, const float* B, float* C, int64_t N, int64_t L, int64_t m0, int64_t m1,
                    int64_t n0, int64_t n1, bool accumulate) {
  const int64_t L8 = L / 8 * 8;
  int64_t m = m0;
  for (; m + 2 <= m1; m += 2) {
    const float* a0 = A + m * L;
    const float* a1 = a0 + L;
    int64_t n = n0;
    for (; n + 4 <= n1; n += 4) {
      const float* b0 = B + n * L;
      __m256 c00 = _mm256_setzero_ps(), c01 = c00, c02 = c00, c03 = c00;
      __m256 c10 = c00, c11 = c00, c12 = c00, c13 = c00;
      for (int64_t l = 0; l < L8; l += 8) {
        const __m256 x0 = _mm256_loadu_ps(a0 + l), x1 = _mm256_loadu_ps(a1 + l);
        __m256 w = _mm256_loadu_ps(b0 + l);
        c00 = _mm256_fmadd_ps(x0, w, c00);
        c10 = _mm256_fmadd_ps(x1, w, c10);
        w = _mm256_loadu_ps(b0 + L + l);
        c01 = _mm256_fmadd_ps(x0, w, c01);
        c11 = _mm256_fmadd_ps(x1, w, c11);
        w = _mm256_loadu_ps(b0 + 2 * L + l);
        c02 = _mm256_fmadd_ps(x0, w, c02);
        c12 = _mm256_fmadd_ps(x1, w, c12);
        w = _mm256_loadu_ps(b0 + 3 * L + l);
        c03 = _mm256_fmadd_ps(x0, w, c03);
        c13 = _mm256_fmadd_ps(x1, w, c13);
      }
      const __m256 acc[2][4] = {{c00, c01, c02, c03}, {c10, c11, c12, c13}};
      for (int i = 0; i < 2; ++i) {
        const float* a = i == 0 ? a0 : a1;
        for (int j = 0; j < 4; ++j) {
          float s = hsum(acc[i][j]);
          const float* b = b0 + j * L;
          for (int64_t l = L8; l < L; ++l) s += a[l] * b[l];
          store(C + (m + i) * N + n + j, s, accumulate);
        }
      }
    }
    for (; n < n1; ++n) {
      store(C + m * N + n, dot_one(a0, B + n * L, L, L8), accumulate);
      store(C + (m + 1) * N + n, dot_one(a1, B + n * L, L, L8), accumulate);
    }
  }
  for (; m < m1; ++m) {
    for (int64_t n = n0; n < n1; ++n) store(C + m * N + n, dot_one(A + m * L, B + n * L, L, L8), accumulate);
  }
}

}  // namespace ondo::train
