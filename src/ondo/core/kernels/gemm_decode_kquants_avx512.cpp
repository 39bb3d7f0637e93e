// AVX-512 VNNI decode kernels (gemm_decode.h) of the K type Q2_K against Q8_K activations
// (Q4_K, Q6_K: the row-at-a-time gemm_decode_rows_avx512.cpp; Q5_K, Q3_K:
// gemm_decode_rows2_avx512.cpp; faster from memory). Layer: core. Must not touch anything
// above core.
//
// One super-block of 16 rows per step (gemm_decode_avx512.h). Per row, 4 zmm of unsigned
// levels, each against 64 activations: 128-bit lane k of a product is one (row, sub-block)
// group (sub-blocks of 16). reduce_rows gives, per sub-block s, D_s with lane r = row r's
// exact dot; the scales and mins of the 16 rows are gathered (lane = row) and decoded with
// vector shifts, so isum = sum_s sc_s * D_s and msum = sum_j mn_j * bsums_j are lane-wise
// int32, then the float step of gemm.h runs in float lanes.
#pragma GCC optimize("fp-contract=off")

#include <cstddef>

#include "ondo/core/kernels/gemm_decode.h"
#include "ondo/core/kernels/gemm_decode_avx512.h"
#include "ondo/core/quant/blocks.h"

namespace ondo::core::kernels {
namespace {

inline const BlockQ8_K& xblock(const uint8_t* xq, size_t x_row_bytes, int t, int64_t b) {
  return reinterpret_cast<const BlockQ8_K*>(xq + size_t(t) * x_row_bytes)[b];
}

inline __m512i load512(const void* p) { return _mm512_loadu_si512(p); }
inline __m512i bcast256(const void* p) { return _mm512_broadcast_i64x4(_mm256_loadu_si256(static_cast<const __m256i*>(p))); }
inline __m512i mul_add(__m512i acc, __m512i a, __m512i b) { return _mm512_add_epi32(acc, _mm512_mullo_epi32(a, b)); }
// a | (b & c)
inline __m512i or_and(__m512i a, __m512i b, __m512i c) { return _mm512_ternarylogic_epi32(a, b, c, 0xF8); }
// Per 256-bit half shift counts (16-bit lanes).
inline __m512i halves16(int lo, int hi) { return _mm512_inserti64x4(_mm512_set1_epi16(short(lo)), _mm256_set1_epi16(short(hi)), 1); }

// Per-sub-block scale products: isum += sc[s] * D_s for the 4 sub-blocks of one product
// stream with 16-element sub-blocks (lane k = sub-block s0 + k).
inline __m512i add_scaled4(__m512i isum, const __m512i* sc, const __m512i d[4]) {
  #pragma GCC unroll 4
  for (int k = 0; k < 4; ++k) isum = mul_add(isum, sc[k], d[k]);
  return isum;
}

// Q2_K and Q3_K: per half h a row's 32 bytes qs[32h ..] (both 256-bit halves) give two
// products: 2-bit fields j = 0 | 1 (elements 128h + 0..63, sub-blocks 8h + 0..3) and
// j = 2 | 3 (sub-blocks 8h + 4..7). Q3_K adds 4 * bit (4h + j) of hmask[l] (levels 0..7,
// bias 4) and has signed 6-bit scales; Q2_K has 4-bit scales and mins (quant/q{2,3}_K.cpp).
template <bool kQ3>
struct DecodeQ23_K {
  static constexpr int kBlock = 256, kBytes = kQ3 ? sizeof(BlockQ3_K) : sizeof(BlockQ2_K);
  static constexpr int kQs = kQ3 ? offsetof(BlockQ3_K, qs) : offsetof(BlockQ2_K, qs);

  template <int T>
  static void run(const Rows& R, int64_t nb, const uint8_t* xq, size_t xrb, float* y, int64_t ldy) {
    const __m512i m3 = _mm512_set1_epi8(3), b2 = _mm512_set1_epi8(4);
    const __m512i m4 = _mm512_set1_epi32(0x0f0f0f0f), m30 = _mm512_set1_epi32(0x30303030),
                  mn = _mm512_set1_epi32(0x000F000F), k32 = _mm512_set1_epi32(32);
    const __m512i sh_a = halves16(0, 2), sh_b = halves16(4, 6);
    __m512 acc[T];
    for (auto& a : acc) a = _mm512_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
      const size_t at = size_t(b) * kBytes;
      __m512i sc[16], mp[8];
      __m512 dw, dminw = _mm512_setzero_ps();
      if constexpr (kQ3) {
        const size_t s0 = at + offsetof(BlockQ3_K, scales);
        const __m512i g0 = gather_rows(R, s0), g1 = gather_rows(R, s0 + 4), g2 = gather_rows(R, s0 + 8);
        // bytes of sc0..3, sc4..7, sc8..11, sc12..15 (biased by 32)
        const __m512i s[4] = {or_and(_mm512_and_si512(g0, m4), _mm512_slli_epi32(g2, 4), m30),
                              or_and(_mm512_and_si512(g1, m4), _mm512_slli_epi32(g2, 2), m30),
                              or_and(_mm512_and_si512(_mm512_srli_epi32(g0, 4), m4), g2, m30),
                              or_and(_mm512_and_si512(_mm512_srli_epi32(g1, 4), m4), _mm512_srli_epi32(g2, 2), m30)};
        for (int i = 0; i < 4; ++i) {
          for (int k = 0; k < 4; ++k) sc[4 * i + k] = _mm512_sub_epi32(dword_byte(s[i], k), k32);
        }
        dw = half_hi(gather_rows(R, at + offsetof(BlockQ3_K, d) - 2));
      } else {
        for (int i = 0; i < 4; ++i) {
          const __m512i g = gather_rows(R, at + 4 * i);
          for (int k = 0; k < 4; ++k) sc[4 * i + k] = _mm512_and_si512(_mm512_srli_epi32(g, 8 * k), _mm512_set1_epi32(0xF));
          // min pairs as int16 words: (m_4i, m_4i+2), (m_4i+1, m_4i+3)
          mp[2 * i] = _mm512_and_si512(_mm512_srli_epi32(g, 4), mn);
          mp[2 * i + 1] = _mm512_and_si512(_mm512_srli_epi32(g, 12), mn);
        }
        const __m512i g = gather_rows(R, at + offsetof(BlockQ2_K, d));
        dw = half_lo(g);
        dminw = half_hi(g);
      }
      __m512i x[T][4], init[T][4], isum[T], msum[T];
      #pragma GCC unroll 4
      for (int t = 0; t < T; ++t) {
        const BlockQ8_K& xb = xblock(xq, xrb, t, b);
        for (int i = 0; i < 4; ++i) {
          x[t][i] = load512(xb.qs + 64 * i);
          init[t][i] = kQ3 ? bias_init(x[t][i], 4) : _mm512_setzero_si512();
        }
        isum[t] = msum[t] = _mm512_setzero_si512();
        if constexpr (!kQ3) {
          for (int i = 0; i < 8; ++i) {
            const int a = 4 * (i / 2) + i % 2;  // pair (a, a + 2)
            const int32_t v = int32_t(uint32_t(uint16_t(xb.bsums[a])) | (uint32_t(uint16_t(xb.bsums[a + 2])) << 16));
            msum[t] = _mm512_dpwssd_epi32(msum[t], mp[i], _mm512_set1_epi32(v));
          }
        }
      }
      #pragma GCC unroll 2
      for (int h = 0; h < 2; ++h) {
        __m512i o[2 * T][4];
        reduce_rows<2 * T>([&](int r, __m512i (*z)[4], int j) {
          const uint8_t* p = R.base + R.off[r] + at;
          const __m512i q = bcast256(p + kQs + 32 * h);
          __m512i ua = _mm512_and_si512(_mm512_srlv_epi16(q, sh_a), m3);
          __m512i ub = _mm512_and_si512(_mm512_srlv_epi16(q, sh_b), m3);
          if constexpr (kQ3) {
            // bit 4h + j of hmask[l] to bit 2: j = 0 | 1 and 2 | 3 of half h
            const __m512i hm = bcast256(p);
            const __m512i ha = h == 0 ? _mm512_sllv_epi16(hm, halves16(2, 1)) : _mm512_srlv_epi16(hm, halves16(2, 3));
            const __m512i hb = _mm512_srlv_epi16(hm, h == 0 ? halves16(0, 1) : halves16(4, 5));
            ua = or_and(ua, ha, b2);
            ub = or_and(ub, hb, b2);
          }
          #pragma GCC unroll 4
          for (int t = 0; t < T; ++t) {
            z[t][j] = _mm512_dpbusd_epi32(init[t][2 * h], ua, x[t][2 * h]);
            z[T + t][j] = _mm512_dpbusd_epi32(init[t][2 * h + 1], ub, x[t][2 * h + 1]);
          }
        }, o);
        #pragma GCC unroll 4
        for (int t = 0; t < T; ++t) isum[t] = add_scaled4(add_scaled4(isum[t], sc + 8 * h, o[t]), sc + 8 * h + 4, o[T + t]);
      }
      #pragma GCC unroll 4
      for (int t = 0; t < T; ++t) {
        const float dx = xblock(xq, xrb, t, b).d;
        acc[t] = kQ3 ? kquant_step(acc[t], dw, dx, isum[t]) : kquant_step_min(acc[t], dw, dminw, dx, isum[t], msum[t]);
      }
    }
    for (int t = 0; t < T; ++t) _mm512_mask_storeu_ps(y + t * ldy, R.valid, acc[t]);
  }
};

}  // namespace

GemmFn gemm_decode_kquants_avx512(DType t) {
  switch (t) {
    case DType::Q5_K: return gemm_decode_rows2_avx512(t);
    case DType::Q4_K:
    case DType::Q6_K: return gemm_decode_rows_avx512(t);
    case DType::Q3_K: return gemm_decode_rows2_avx512(t);
    case DType::Q2_K: return decode_rows<DecodeQ23_K<false>>;
    default: return nullptr;
  }
}

}  // namespace ondo::core::kernels
