// AVX-512 VNNI decode kernels (gemm_decode.h) of the 32-element types Q8_0, Q4_0, Q5_0
// against Q8_0 activations. Layer: core. Must not touch anything above core.
//
// Per step of 16 rows (gemm_decode_avx512.h): Q8_0 takes 2 blocks per row in one zmm (levels
// + 128 as unsigned bytes), Q4_0 and Q5_0 take 4 blocks per row (their 16 qs bytes, one per
// 128-bit lane; low nibbles against elements 0..15, high nibbles against 16..31; Q5_0's 5th
// bits from qh, spread over the bytes by a shuffle and a bit test). After reduce_rows, lane r
// of out[k] is the exact isum of row r and block b + k (b + k/2 for Q8_0); the blocks' float
// steps then run in block order. Blocks past the end are clamped to the last block (read,
// never accumulated).
#pragma GCC optimize("fp-contract=off")

#include "ondo/core/fp16.h"
#include "ondo/core/kernels/gemm_decode.h"
#include "ondo/core/kernels/gemm_decode_avx512.h"
#include "ondo/core/quant/blocks.h"

namespace ondo::core::kernels {
namespace {

inline const BlockQ8_0* xblocks(const uint8_t* xq, size_t x_row_bytes, int t) {
  return reinterpret_cast<const BlockQ8_0*>(xq + size_t(t) * x_row_bytes);
}

struct DecodeQ8_0 {
  static constexpr int kBlock = 32, kBytes = sizeof(BlockQ8_0);

  template <int T>
  static void run(const Rows& R, int64_t nb, const uint8_t* xq, size_t xrb, float* y, int64_t ldy) {
    const __m512i flip = _mm512_set1_epi8(char(0x80));
    __m512d acc[T][2];
    for (auto& a : acc) a[0] = a[1] = _mm512_setzero_pd();
    for (int64_t b = 0; b < nb; b += 2) {
      const int64_t b1 = b + 1 < nb ? b + 1 : b;
      const size_t at0 = size_t(b) * kBytes, at1 = size_t(b1) * kBytes;
      __m512i x[T], init[T];
      #pragma GCC unroll 4
      for (int t = 0; t < T; ++t) {
        const BlockQ8_0* xb = xblocks(xq, xrb, t);
        x[t] = cat256(xb[b].qs, xb[b1].qs);
        init[t] = bias_init(x[t], 0x80);
      }
      __m512i out[T][4];
      reduce_rows<T>([&](int r, __m512i (*z)[4], int j) {
        const uint8_t* p = R.base + R.off[r];
        const __m512i u = _mm512_xor_si512(cat256(p + at0 + 2, p + at1 + 2), flip);
        #pragma GCC unroll 4
        for (int t = 0; t < T; ++t) z[t][j] = _mm512_dpbusd_epi32(init[t], u, x[t]);
      }, out);
      const __m512 dw0 = half_lo(gather_rows(R, at0));
      const __m512 dw1 = half_lo(gather_rows(R, at1));
      #pragma GCC unroll 4
      for (int t = 0; t < T; ++t) {
        const BlockQ8_0* xb = xblocks(xq, xrb, t);
        legacy_step(acc[t], dw0, fp16_to_f32(xb[b].d), _mm512_add_epi32(out[t][0], out[t][1]));
        if (b1 != b) legacy_step(acc[t], dw1, fp16_to_f32(xb[b1].d), _mm512_add_epi32(out[t][2], out[t][3]));
      }
    }
    for (int t = 0; t < T; ++t) legacy_store(acc[t], y + t * ldy, R.valid);
  }
};

// Q4_0 and Q5_0: 4 blocks per step. kHigh: Q5_0 (qh at 2, qs at 6), else Q4_0 (qs at 2).
template <bool kHigh>
struct DecodeQ4Q5_0 {
  static constexpr int kBlock = 32, kBytes = kHigh ? sizeof(BlockQ5_0) : sizeof(BlockQ4_0);
  static constexpr int kQs = kHigh ? 6 : 2, kBias = kHigh ? 16 : 8;

  template <int T>
  static void run(const Rows& R, int64_t nb, const uint8_t* xq, size_t xrb, float* y, int64_t ldy) {
    const __m512i m0f = _mm512_set1_epi8(0x0F), sixteen = _mm512_set1_epi8(16);
    // Q5_0: byte i of a 128-bit lane takes qh byte i/8 (elements 0..15) or 2 + i/8 (16..31)
    // and tests bit i%8 of it.
    const __m512i sel_lo = _mm512_broadcast_i32x4(_mm_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1));
    const __m512i sel_hi = _mm512_broadcast_i32x4(_mm_setr_epi8(2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3));
    const __m512i bits = _mm512_set1_epi64(0x8040201008040201ll);
    const __m512i spread = _mm512_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3);
    __m512d acc[T][2];
    for (auto& a : acc) a[0] = a[1] = _mm512_setzero_pd();
    for (int64_t b = 0; b < nb; b += 4) {
      size_t at[4], xa[4];  // byte offsets of blocks b..b+3 (clamped) in a weight / activation row
      for (int k = 0; k < 4; ++k) {
        const size_t bk = size_t(b + k < nb ? b + k : nb - 1);
        at[k] = bk * kBytes;
        xa[k] = bk * sizeof(BlockQ8_0);
      }
      __m512i xlo[T], xhi[T], init[T];
      #pragma GCC unroll 4
      for (int t = 0; t < T; ++t) {
        const uint8_t* xr = xq + size_t(t) * xrb + 2;  // qs of block 0
        xlo[t] = cat128(xr + xa[0], xr + xa[1], xr + xa[2], xr + xa[3]);
        xhi[t] = cat128(xr + xa[0] + 16, xr + xa[1] + 16, xr + xa[2] + 16, xr + xa[3] + 16);
        init[t] = _mm512_add_epi32(bias_init(xlo[t], kBias), bias_init(xhi[t], kBias));
      }
      __m512i out[T][4];
      reduce_rows<T>([&](int r, __m512i (*z)[4], int j) {
        const uint8_t* p = R.base + R.off[r];
        const __m512i q = cat128(p + at[0] + kQs, p + at[1] + kQs, p + at[2] + kQs, p + at[3] + kQs);
        __m512i lo = _mm512_and_si512(q, m0f), hi = _mm512_and_si512(_mm512_srli_epi16(q, 4), m0f);
        if constexpr (kHigh) {
          uint32_t h[4];
          for (int k = 0; k < 4; ++k) std::memcpy(&h[k], p + at[k] + 2, 4);
          const __m512i qh = _mm512_permutexvar_epi32(spread, _mm512_castsi128_si512(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h))));
          lo = _mm512_mask_add_epi8(lo, _mm512_test_epi8_mask(_mm512_shuffle_epi8(qh, sel_lo), bits), lo, sixteen);
          hi = _mm512_mask_add_epi8(hi, _mm512_test_epi8_mask(_mm512_shuffle_epi8(qh, sel_hi), bits), hi, sixteen);
        }
        #pragma GCC unroll 4
        for (int t = 0; t < T; ++t) z[t][j] = _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(init[t], lo, xlo[t]), hi, xhi[t]);
      }, out);
      #pragma GCC unroll 4
      for (int k = 0; k < 4; ++k) {
        if (b + k >= nb) break;
        const __m512 dw = half_lo(gather_rows(R, at[k]));
        #pragma GCC unroll 4
        for (int t = 0; t < T; ++t) legacy_step(acc[t], dw, fp16_to_f32(xblocks(xq, xrb, t)[b + k].d), out[t][k]);
      }
    }
    for (int t = 0; t < T; ++t) legacy_store(acc[t], y + t * ldy, R.valid);
  }
};

}  // namespace

GemmFn gemm_decode_legacy_avx512(DType t) {
  switch (t) {
    case DType::Q8_0:
    case DType::Q4_0: return gemm_decode_legacy_rows_avx512(t);
    case DType::Q5_0: return decode_rows<DecodeQ4Q5_0<true>>;
    default: return nullptr;
  }
}

}  // namespace ondo::core::kernels
