// AVX512 kernels for Q2_K..Q6_K, Q8_K (compiled with AVX-512 F/BW/VL/DQ/VNNI/BF16). Layer: core.
// dequantize_row and quantize_row_q8_K in 512-bit registers; no vec_dot: matmul runs these
// types through the GEMM kernels (gemm.h) at every level, so only the scalar vec_dot remains.
// Each is differential-tested against its scalar reference (tests/core/kernels/).
// fp-contract off: dequantization and Q8_K rounding must repeat the scalar float operations.
#pragma GCC optimize("fp-contract=off")

#include <immintrin.h>

#include <cstring>

#include "ondo/core/kernels/dtype_kernels.h"
#include "ondo/core/kernels/kquants_x86_unpack.h"
#include "ondo/core/quant/blocks.h"

namespace ondo::core::kernels {
namespace {

// x[e] = dl[e/16] * q[e] - ml[e/16], unfused, one 16-element sub-block per register.
template <class Block, void (*kLevels)(const Block&, int8_t*, float*, float*)>
void dequant_avx512(const void* src, float* dst, int64_t n) {
  const auto* x = static_cast<const Block*>(src);
  alignas(64) int8_t q[kQK_K];
  float dl[16], ml[16];
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    kLevels(x[i], q, dl, ml);
    for (int s = 0; s < 16; ++s) {
      const __m128i q8 = _mm_load_si128(reinterpret_cast<const __m128i*>(q + 16 * s));
      const __m512 v = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(q8));
      const __m512 r = _mm512_sub_ps(_mm512_mul_ps(_mm512_set1_ps(dl[s]), v), _mm512_set1_ps(ml[s]));
      _mm512_storeu_ps(dst + 16 * s, r);
    }
    dst += kQK_K;
  }
}

// Bit-identical to quant::quantize_row_q8_K (see quantize_q8_K_avx2 for the argument):
// max_ps keeps its second operand on NaN, cvtps rounds half to even, NaN products give 0.
void quantize_q8_K_avx512(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ8_K*>(dst);
  for (int64_t i = 0; i < n / kQK_K; ++i, src += kQK_K) {
    __m512 vmax = _mm512_setzero_ps();
    for (int k = 0; k < kQK_K; k += 16) {
      vmax = _mm512_max_ps(_mm512_abs_ps(_mm512_loadu_ps(src + k)), vmax);
    }
    const float amax = _mm512_reduce_max_ps(vmax);
    if (amax == 0) {
      std::memset(&y[i], 0, sizeof(BlockQ8_K));
      continue;
    }
    int first = 0;
    for (int k = 0; k < kQK_K; k += 16) {
      const __mmask16 hit = _mm512_cmp_ps_mask(_mm512_abs_ps(_mm512_loadu_ps(src + k)),
                                               _mm512_set1_ps(amax), _CMP_EQ_OQ);
      if (hit) {
        first = k + __builtin_ctz(unsigned(hit));
        break;
      }
    }
    const float iscale = -127.f / src[first];
    const __m512 vs = _mm512_set1_ps(iscale);
    for (int s = 0; s < 16; ++s) {
      const __m512 p = _mm512_mul_ps(_mm512_loadu_ps(src + 16 * s), vs);
      const __mmask16 ordered = _mm512_cmp_ps_mask(p, p, _CMP_ORD_Q);
      const __m512i iv = _mm512_maskz_cvtps_epi32(ordered, p);
      const __m128i b = _mm512_cvtsepi32_epi8(iv);  // |q| <= 127: saturation never bites
      _mm_storeu_si128(reinterpret_cast<__m128i*>(y[i].qs + 16 * s), b);
      y[i].bsums[s] = int16_t(_mm512_reduce_add_epi32(iv));
    }
    y[i].d = 1 / iscale;
  }
}

}  // namespace

// The AVX-512 overrides of each type's ops (dtype.cpp's traits rows point here).
void avx512_ops_q2_K(QuantOps& ops) {
    ops.to_float = dequant_avx512<BlockQ2_K, kq_levels_q2_K>;
}

void avx512_ops_q3_K(QuantOps& ops) {
    ops.to_float = dequant_avx512<BlockQ3_K, kq_levels_q3_K>;
}

void avx512_ops_q4_K(QuantOps& ops) {
    ops.to_float = dequant_avx512<BlockQ4_K, kq_levels_q45_K<false, BlockQ4_K>>;
}

void avx512_ops_q5_K(QuantOps& ops) {
    ops.to_float = dequant_avx512<BlockQ5_K, kq_levels_q45_K<true, BlockQ5_K>>;
}

void avx512_ops_q6_K(QuantOps& ops) {
    ops.to_float = dequant_avx512<BlockQ6_K, kq_levels_q6_K>;
}

void avx512_ops_q8_K(QuantOps& ops) {
    ops.from_float = quantize_q8_K_avx512;
}

}  // namespace ondo::core::kernels
