// AVX2 kernels for Q2_K..Q6_K, Q8_K (compiled with -mavx2 -mfma -mf16c -mbmi2). Layer: core.
// dequantize_row and quantize_row_q8_K; no vec_dot: matmul runs these types through the GEMM
// kernels (gemm.h) at every level, so only the scalar vec_dot (the oracle) remains.
// Each is differential-tested against its scalar reference (tests/core/kernels/).
// fp-contract off: dequantization and Q8_K rounding must repeat the scalar float operations
// exactly; FMAs are written out where wanted.
#pragma GCC optimize("fp-contract=off")

#include <immintrin.h>

#include <cstring>

#include "ondo/core/kernels/dtype_kernels.h"
#include "ondo/core/kernels/kquants_x86_unpack.h"
#include "ondo/core/quant/blocks.h"

namespace ondo::core::kernels {
namespace {

// x[e] = dl[e/16] * q[e] - ml[e/16], unfused, 8 lanes at a time.
template <class Block, void (*kLevels)(const Block&, int8_t*, float*, float*)>
void dequant_avx2(const void* src, float* dst, int64_t n) {
  const auto* x = static_cast<const Block*>(src);
  alignas(32) int8_t q[kQK_K];
  float dl[16], ml[16];
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    kLevels(x[i], q, dl, ml);
    for (int s = 0; s < 16; ++s) {
      const __m256 d = _mm256_set1_ps(dl[s]), m = _mm256_set1_ps(ml[s]);
      for (int h = 0; h < 2; ++h) {
        const __m128i q8 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(q + 16 * s + 8 * h));
        const __m256 v = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(q8));
        _mm256_storeu_ps(dst + 16 * s + 8 * h, _mm256_sub_ps(_mm256_mul_ps(d, v), m));
      }
    }
    dst += kQK_K;
  }
}

inline float hmax8(__m256 v) {
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_movehdup_ps(m));
  return _mm_cvtss_f32(m);
}

// Bit-identical to quant::quantize_row_q8_K: same signed max (first of largest magnitude,
// NaN never wins: max_ps returns its second operand on NaN), same iscale, round half to even
// (cvtps under the default MXCSR), NaN products to 0 as the scalar nearest_int does.
void quantize_q8_K_avx2(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ8_K*>(dst);
  const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
  const __m256i perm = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  const __m256i ones8 = _mm256_set1_epi8(1);
  const __m256i ones16 = _mm256_set1_epi16(1);
  for (int64_t i = 0; i < n / kQK_K; ++i, src += kQK_K) {
    __m256 vmax = _mm256_setzero_ps();
    for (int k = 0; k < kQK_K; k += 8) {
      vmax = _mm256_max_ps(_mm256_and_ps(_mm256_loadu_ps(src + k), abs_mask), vmax);
    }
    const float amax = hmax8(vmax);
    if (amax == 0) {
      std::memset(&y[i], 0, sizeof(BlockQ8_K));
      continue;
    }
    int first = 0;
    for (int k = 0; k < kQK_K; k += 8) {
      const __m256 a = _mm256_and_ps(_mm256_loadu_ps(src + k), abs_mask);
      const int mask = _mm256_movemask_ps(_mm256_cmp_ps(a, _mm256_set1_ps(amax), _CMP_EQ_OQ));
      if (mask) {
        first = k + __builtin_ctz(unsigned(mask));
        break;
      }
    }
    const float iscale = -127.f / src[first];
    const __m256 vs = _mm256_set1_ps(iscale);
    for (int k = 0; k < kQK_K; k += 32) {
      __m256i iv[4];
      for (int t = 0; t < 4; ++t) {
        const __m256 p = _mm256_mul_ps(_mm256_loadu_ps(src + k + 8 * t), vs);
        const __m256i ordered = _mm256_castps_si256(_mm256_cmp_ps(p, p, _CMP_ORD_Q));
        iv[t] = _mm256_and_si256(_mm256_cvtps_epi32(p), ordered);
      }
      // int32 -> int8 with saturation (|q| <= 127 here), then undo the per-lane interleave
      const __m256i w01 = _mm256_packs_epi32(iv[0], iv[1]);
      const __m256i w23 = _mm256_packs_epi32(iv[2], iv[3]);
      const __m256i b = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(w01, w23), perm);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(y[i].qs + k), b);
      // bsums of the two 16-element groups: pair sums, quad sums, then two hadds per lane
      __m256i s = _mm256_madd_epi16(_mm256_maddubs_epi16(ones8, b), ones16);
      s = _mm256_hadd_epi32(s, s);
      s = _mm256_hadd_epi32(s, s);
      y[i].bsums[k / 16] = int16_t(_mm256_extract_epi32(s, 0));
      y[i].bsums[k / 16 + 1] = int16_t(_mm256_extract_epi32(s, 4));
    }
    y[i].d = 1 / iscale;
  }
}

}  // namespace

// The AVX2 overrides of each type's ops (dtype.cpp's traits rows point here).
void avx2_ops_q2_K(QuantOps& ops) {
    ops.to_float = dequant_avx2<BlockQ2_K, kq_levels_q2_K>;
}

void avx2_ops_q3_K(QuantOps& ops) {
    ops.to_float = dequant_avx2<BlockQ3_K, kq_levels_q3_K>;
}

void avx2_ops_q4_K(QuantOps& ops) {
    ops.to_float = dequant_avx2<BlockQ4_K, kq_levels_q45_K<false, BlockQ4_K>>;
}

void avx2_ops_q5_K(QuantOps& ops) {
    ops.to_float = dequant_avx2<BlockQ5_K, kq_levels_q45_K<true, BlockQ5_K>>;
}

void avx2_ops_q6_K(QuantOps& ops) {
    ops.to_float = dequant_avx2<BlockQ6_K, kq_levels_q6_K>;
}

void avx2_ops_q8_K(QuantOps& ops) {
    ops.from_float = quantize_q8_K_avx2;
}

}  // namespace ondo::core::kernels
