// Causal attention with AVX2/FMA dot and axpy kernels. Layer: train. Compiled with AVX2
// flags (CMake: *_avx2.cpp); called only after detection.
#include <immintrin.h>

#include "ondo/train/attention_impl.h"

namespace ondo::train {
namespace {

struct Avx2Kernels {
  static float dot(const float* a, const float* b, int n) {
    __m256 acc = _mm256_setzero_ps();
    int i = 0;
    for (; i + 8 <= n; i += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc);
    const __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
    const __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
    float s = _mm_cvtss_f32(_mm_add_ss(s2, _mm_shuffle_ps(s2, s2, 1)));
    for (; i < n; ++i) s += a[i] * b[i];
    return s;
  }
  static void axpy(float* y, float alpha, const float* x, int n) {
    const __m256 va = _mm256_set1_ps(alpha);
    int i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    for (; i < n; ++i) y[i] += alpha * x[i];
  }
};

}  // namespace

void attention_forward_avx2(const float* q, const float* k, const float* v, const AttnShape& a, float* probs,
                            float* out, core::ThreadPool& pool) {
  attention_forward_impl<Avx2Kernels>(q, k, v, a, probs, out, pool);
}

void attention_backward_avx2(const float* q, const float* k, const float* v, const float* probs, const float* dout,
                             const AttnShape& a, float* dq, float* dk, float* dv, float* dp,
                             core::ThreadPool& pool) {
  attention_backward_impl<Avx2Kernels>(q, k, v, probs, dout, a, dq, dk, dv, dp, pool);
}

}  // namespace ondo::train
