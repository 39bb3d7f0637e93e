// AVX-512 VNNI row-at-a-time decode kernel (gemm_decode.h) of Q6_K against Q8_K activations.
// Layer: core. Must not touch anything above core.
//
// One weight row at a time, its blocks in order, so each row is one sequential stream that
// the hardware prefetcher follows (the 16-row kernels of gemm_decode_kquants_avx512.cpp run
// 16 streams at once; for Q6_K from DRAM this measured ~2.5x slower). Per block the levels
// are unpacked once and reused by the T <= 4 tokens; the exact isum of (row, block, token)
// is one horizontal sum, then the float step of gemm.h in scalar float: bitwise equal to
// gemm_scalar.cpp.
#pragma GCC optimize("fp-contract=off")
#if defined(__GNUC__) && !defined(__clang__)  // GCC 12's AVX-512 headers trip these falsely
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#include <immintrin.h>

#include <cstddef>
#include <cstring>

#include "ondo/core/fp16.h"
#include "ondo/core/kernels/gemm_decode.h"
#include "ondo/core/quant/blocks.h"

namespace ondo::core::kernels {
namespace {

// Q6_K (layout: quant/q6_K.cpp): per half h the 64 bytes ql[64h ..] give elements
// 128h + 0..63 (low nibbles, sub-blocks 8h + 0..3) and 128h + 64..127 (high nibbles,
// sub-blocks 8h + 4..7); qh[32h + l] bits (0,1), (2,3) / (4,5), (6,7) are bits 4..5 of the
// two 256-bit halves of each, moved there by per-half word shifts. Levels q6 in 0..63 are the
// unsigned vpdpbusd operand; the bias 32 comes off exactly as 32 * sum_s sc_s * bsums_s.
// Per 128-bit lane k of a product the 4 dwords belong to sub-block (stream base) + k.
template <int T>
void q6_K_rows(const uint8_t* w, size_t wrb, const uint8_t* xq, size_t xrb, int64_t nb, int64_t n0, int64_t n1,
               float* y, int64_t ldy) {
  const __m512i m0f = _mm512_set1_epi8(0x0F), m30 = _mm512_set1_epi8(0x30);
  const __m512i shl = _mm512_inserti64x4(_mm512_set1_epi16(4), _mm256_set1_epi16(2), 1);
  const __m512i shr = _mm512_inserti64x4(_mm512_setzero_si512(), _mm256_set1_epi16(2), 1);
  const __m512i quarter = _mm512_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3);
  for (int64_t n = n0; n < n1; ++n) {
    const uint8_t* row = w + size_t(n) * wrb;
    // two rows ahead (or nothing past the range): the stream of the row after next starts warm
    const size_t ahead = n + 2 < n1 ? 2 * wrb : 0;
    float acc[T] = {};
    for (int64_t b = 0; b < nb; ++b) {
      const auto& blk = reinterpret_cast<const BlockQ6_K*>(row)[b];
      if (ahead) _mm_prefetch(reinterpret_cast<const char*>(&blk) + ahead, _MM_HINT_T0);
      // sc[s] as int32 lanes; per stream (h, half) the scale of its lane k
      const __m128i sc8 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(blk.scales));
      const __m512i sc32 = _mm512_cvtepi8_epi32(sc8);
      const __m256i sc16 = _mm256_cvtepi8_epi16(sc8);
      __m512i u[4], s[4];
      #pragma GCC unroll 2
      for (int h = 0; h < 2; ++h) {
        const __m512i ql = _mm512_loadu_si512(blk.ql + 64 * h);
        const __m512i qh = _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk.qh + 32 * h)));
        u[2 * h] = _mm512_ternarylogic_epi32(_mm512_and_si512(ql, m0f), _mm512_sllv_epi16(qh, shl), m30, 0xF8);
        u[2 * h + 1] = _mm512_ternarylogic_epi32(_mm512_and_si512(_mm512_srli_epi16(ql, 4), m0f),
                                                 _mm512_srlv_epi16(qh, shr), m30, 0xF8);
        s[2 * h] = _mm512_permutexvar_epi32(_mm512_add_epi32(quarter, _mm512_set1_epi32(8 * h)), sc32);
        s[2 * h + 1] = _mm512_permutexvar_epi32(_mm512_add_epi32(quarter, _mm512_set1_epi32(8 * h + 4)), sc32);
      }
      uint16_t dh;
      std::memcpy(&dh, &blk.d, 2);
      const float dw = fp16_to_f32(dh);
      #pragma GCC unroll 4
      for (int t = 0; t < T; ++t) {
        const auto& xb = reinterpret_cast<const BlockQ8_K*>(xq + size_t(t) * xrb)[b];
        __m512i p = _mm512_setzero_si512();
        #pragma GCC unroll 4
        for (int i = 0; i < 4; ++i) {
          const __m512i d = _mm512_dpbusd_epi32(_mm512_setzero_si512(), u[i], _mm512_loadu_si512(xb.qs + 64 * i));
          p = _mm512_add_epi32(p, _mm512_mullo_epi32(d, s[i]));
        }
        // bias: 32 * sum_s sc_s * bsums_s (8 dword pairs, in the low half)
        const __m256i off = _mm256_madd_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(xb.bsums)), sc16);
        p = _mm512_sub_epi32(p, _mm512_zextsi256_si512(_mm256_slli_epi32(off, 5)));
        const int32_t isum = _mm512_reduce_add_epi32(p);
        acc[t] = acc[t] + (dw * xb.d) * float(isum);  // kquant_step: d = d_w * d_x; acc + d * isum
      }
    }
    for (int t = 0; t < T; ++t) y[t * ldy + n] = acc[t];
  }
}

void q6_K_decode(const void* w, size_t wrb, const void* xq, size_t xrb, int64_t K, int64_t n0, int64_t n1,
                 int64_t T, float* y, int64_t ldy) {
  const auto* wb = static_cast<const uint8_t*>(w);
  const auto* xb = static_cast<const uint8_t*>(xq);
  const int64_t nb = K / kQK_K;
  switch (T) {
    case 1: return q6_K_rows<1>(wb, wrb, xb, xrb, nb, n0, n1, y, ldy);
    case 2: return q6_K_rows<2>(wb, wrb, xb, xrb, nb, n0, n1, y, ldy);
    case 3: return q6_K_rows<3>(wb, wrb, xb, xrb, nb, n0, n1, y, ldy);
    default: return q6_K_rows<4>(wb, wrb, xb, xrb, nb, n0, n1, y, ldy);
  }
}

}  // namespace

GemmFn gemm_decode_rows_avx512(DType t) { return t == DType::Q6_K ? q6_K_decode : nullptr; }

}  // namespace ondo::core::kernels
