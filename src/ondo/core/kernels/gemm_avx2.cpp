// AVX2 GEMM kernels (gemm.h): the row-at-a-time canonical driver of gemm_levels.h with the
// sub-block integer dot products in 256-bit registers (int8 -> int16, vpmaddwd: exact, no
// int16 saturation for any level range). Bitwise equal to gemm_scalar.cpp by construction:
// same exact integers, same float operations. Layer: core. Must not touch anything above core.
#pragma GCC optimize("fp-contract=off")

#include <immintrin.h>

#include "ondo/core/kernels/gemm.h"
#include "ondo/core/kernels/gemm_levels.h"
#include "ondo/core/kernels/dtype_kernels.h"

namespace ondo::core::kernels {
namespace {

// sum of q[e] * x[e], len 16 or 32
inline int32_t dot_avx2(const int8_t* q, const int8_t* x, int len) {
  __m256i acc = _mm256_setzero_si256();
  for (int e = 0; e < len; e += 16) {
    const __m256i a = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q + e)));
    const __m256i b = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x + e)));
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(a, b));
  }
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(s);
}

template <class Tr>
void gemm_avx2(const void* w, size_t w_row_bytes, const void* xq, size_t x_row_bytes, int64_t K,
               int64_t n0, int64_t n1, int64_t T, float* y, int64_t ldy) {
  gemm_rowwise<Tr>(static_cast<const uint8_t*>(w), w_row_bytes, static_cast<const uint8_t*>(xq),
                   x_row_bytes, K, n0, n1, T, y, ldy, dot_avx2);
}

template <class Tr>
constexpr GemmKernel kKernel{gemm_avx2<Tr>, 1};

}  // namespace

// The kernels dtype.cpp's traits rows name, one per type with GEMM traits (gemm_levels.h).
#define ONDO_GEMM_AVX2(t) \
  template <> \
  const GemmKernel* gemm_avx2_of<DType::t>() { return &kKernel<Gemm##t>; }
ONDO_FOR_EACH_GEMM_DTYPE(ONDO_GEMM_AVX2)
#undef ONDO_GEMM_AVX2

}  // namespace ondo::core::kernels
