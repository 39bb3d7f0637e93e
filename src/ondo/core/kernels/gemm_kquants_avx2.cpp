// AVX2 GEMM / decode kernels (gemm.h) of the K types against Q8_K activations: Q4_K, Q5_K,
// Q6_K, Q3_K, Q2_K. Layer: core. Must not touch anything above core.
//
// Every type unpacks one super-block into the same form (KW): 8 vectors u[i] of 32 unsigned
// levels (at most 6 bits) for elements 32i .. 32i + 31, and 8 vectors of int16 scales sc[i]
// matching them word for word (one sub-block of 32, or two of 16: one per 128-bit half). Then
//   isum = sum_i sum(maddubs(u[i], x[32i..]) * sc[i]) - bias * sum_s sc_s * bsums_s
// exactly (bias 32 for Q6_K, 4 for Q3_K, whose levels are stored offset to be unsigned), and
// msum = sum(mins16 * bsums) for the types with mins. The driver (gemm_avx2_rows.h) does the
// reductions and the float steps of gemm.h, so results equal gemm_scalar.cpp bit for bit.
#pragma GCC optimize("fp-contract=off")

#include <immintrin.h>

#include "ondo/core/kernels/dtype_kernels.h"
#include "ondo/core/kernels/gemm.h"
#include "ondo/core/kernels/gemm_avx2.h"
#include "ondo/core/kernels/gemm_avx2_rows.h"
#include "ondo/core/kernels/kquants_x86_unpack.h"
#include "ondo/core/quant/blocks.h"

namespace ondo::core::kernels {
namespace {

// One unpacked super-block.
struct KW {
  __m256i u[8], sc[8];
  __m256i aux;  // mins as 16 words against the 16 bsums (KMin), or the 16 scales (bias types)
  float dw, dmin;
};

// pshufb mask: word lo in every word of the low 128-bit half, word hi in the high half.
inline __m256i bcast_mask(int lo, int hi) {
  return _mm256_setr_epi8(char(2 * lo), char(2 * lo + 1), char(2 * lo), char(2 * lo + 1), char(2 * lo), char(2 * lo + 1),
                          char(2 * lo), char(2 * lo + 1), char(2 * lo), char(2 * lo + 1), char(2 * lo), char(2 * lo + 1),
                          char(2 * lo), char(2 * lo + 1), char(2 * lo), char(2 * lo + 1), char(2 * hi), char(2 * hi + 1),
                          char(2 * hi), char(2 * hi + 1), char(2 * hi), char(2 * hi + 1), char(2 * hi), char(2 * hi + 1),
                          char(2 * hi), char(2 * hi + 1), char(2 * hi), char(2 * hi + 1), char(2 * hi), char(2 * hi + 1),
                          char(2 * hi), char(2 * hi + 1));
}

// The isum lanes of one super-block and N tokens (kBiasShift: log2 of the level bias, 0: none).
template <int kBiasShift, int N>
inline void k_dots(const KW& k, const uint8_t* const* xb, __m256i* out) {
  __m256i acc[N];
  #pragma GCC unroll 4
  for (int t = 0; t < N; ++t) acc[t] = _mm256_setzero_si256();
  #pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) {
    #pragma GCC unroll 4
    for (int t = 0; t < N; ++t) {
      const auto& x = *reinterpret_cast<const BlockQ8_K*>(xb[t]);
      acc[t] = _mm256_add_epi32(acc[t], madd_u8s8(k.u[i], load256(x.qs + 32 * i), k.sc[i]));
    }
  }
  #pragma GCC unroll 4
  for (int t = 0; t < N; ++t) {
    if constexpr (kBiasShift > 0) {
      const auto& x = *reinterpret_cast<const BlockQ8_K*>(xb[t]);
      const __m256i off = _mm256_madd_epi16(load256(x.bsums), k.aux);
      acc[t] = _mm256_sub_epi32(acc[t], _mm256_slli_epi32(off, kBiasShift));
    }
    out[t] = acc[t];
  }
}

inline __m256i k_mdot(const KW& k, const uint8_t* xb) {
  return _mm256_madd_epi16(load256(reinterpret_cast<const BlockQ8_K*>(xb)->bsums), k.aux);
}

// Q4_K / Q5_K (layout: quant/q4_K.cpp, q5_K.cpp): qs[32c + l] low nibble is element
// 64c + l (sub-block 2c), high nibble 64c + 32 + l (2c + 1); Q5_K adds bit 2c (+1) of qh[l]
// as bit 4. One sub-block per vector, so sc[i] is scale i in every word.
template <bool kHigh>
struct Q45KRows {
  static constexpr Step kStep = Step::KMin;
  static constexpr int kBlock = kQK_K, kActBytes = sizeof(BlockQ8_K), kRowsT1 = 1;
  using Block = std::conditional_t<kHigh, BlockQ5_K, BlockQ4_K>;
  static constexpr int kBytes = sizeof(Block);
  using W = KW;
  static void unpack(const uint8_t* p, KW& k) {
    const auto& b = *reinterpret_cast<const Block*>(p);
    const __m128i sm = kq_unpack_k4(b.scales);  // bytes 0..7 scales, 8..15 mins
    const __m256i scw = _mm256_broadcastsi128_si256(_mm_cvtepu8_epi16(sm));
    const __m128i mn8 = _mm_srli_si128(sm, 8);
    k.aux = _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(mn8, mn8));  // m0 m0 m1 m1 ...: pairs of bsums
    const __m256i m0f = _mm256_set1_epi8(0x0F);
    #pragma GCC unroll 4
    for (int c = 0; c < 4; ++c) {
      const __m256i q = load256(b.qs + 32 * c);
      k.u[2 * c] = _mm256_and_si256(q, m0f);
      k.u[2 * c + 1] = _mm256_and_si256(_mm256_srli_epi16(q, 4), m0f);
    }
    if constexpr (kHigh) {
      const __m256i qh = load256(b.qh), m10 = _mm256_set1_epi8(0x10);
      #pragma GCC unroll 8
      for (int s = 0; s < 8; ++s) {
        const __m256i hb = s <= 4 ? _mm256_slli_epi16(qh, 4 - s) : _mm256_srli_epi16(qh, s - 4);
        k.u[s] = _mm256_or_si256(k.u[s], _mm256_and_si256(hb, m10));
      }
    }
    #pragma GCC unroll 8
    for (int s = 0; s < 8; ++s) k.sc[s] = _mm256_shuffle_epi8(scw, bcast_mask(s, s));
    k.dw = _cvtsh_ss(b.d);
    k.dmin = _cvtsh_ss(b.dmin);
  }
  template <int N>
  static void dots(const KW& k, const uint8_t* const* xb, __m256i* out) { k_dots<0, N>(k, xb, out); }
  static __m256i mdot(const KW& k, const uint8_t* xb) { return k_mdot(k, xb); }
};

// Per half h of 128 elements, vector 4h + j holds elements 128h + 32j .. + 31: sub-blocks
// 8h + 2j (low 128 bits) and 8h + 2j + 1 (high). sc16: the 16 scales as words.
inline void scales16(KW& k, __m256i sc16) {
  // The permute's selector must be a constant (clang checks it before unrolling).
  const __m256i halves[2] = {_mm256_permute2x128_si256(sc16, sc16, 0x00), _mm256_permute2x128_si256(sc16, sc16, 0x11)};
  #pragma GCC unroll 2
  for (int h = 0; h < 2; ++h) {
    const __m256i half = halves[h];
    #pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) k.sc[4 * h + j] = _mm256_shuffle_epi8(half, bcast_mask(2 * j, 2 * j + 1));
  }
}

// Q6_K (layout: quant/q6_K.cpp): levels q6 = ql nibble | 2 bits of qh << 4 in 0..63, bias 32.
struct Q6KRows {
  static constexpr Step kStep = Step::K;
  static constexpr int kBlock = kQK_K, kBytes = sizeof(BlockQ6_K), kActBytes = sizeof(BlockQ8_K), kRowsT1 = 1;
  using W = KW;
  static void unpack(const uint8_t* p, KW& k) {
    const auto& b = *reinterpret_cast<const BlockQ6_K*>(p);
    const __m256i m0f = _mm256_set1_epi8(0x0F), m30 = _mm256_set1_epi8(0x30);
    #pragma GCC unroll 2
    for (int h = 0; h < 2; ++h) {
      const __m256i a = load256(b.ql + 64 * h), c = load256(b.ql + 64 * h + 32), qh = load256(b.qh + 32 * h);
      k.u[4 * h + 0] = _mm256_or_si256(_mm256_and_si256(a, m0f), _mm256_and_si256(_mm256_slli_epi16(qh, 4), m30));
      k.u[4 * h + 1] = _mm256_or_si256(_mm256_and_si256(c, m0f), _mm256_and_si256(_mm256_slli_epi16(qh, 2), m30));
      k.u[4 * h + 2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(a, 4), m0f), _mm256_and_si256(qh, m30));
      k.u[4 * h + 3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(c, 4), m0f),
                                       _mm256_and_si256(_mm256_srli_epi16(qh, 2), m30));
    }
    k.aux = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b.scales)));
    scales16(k, k.aux);
    k.dw = _cvtsh_ss(b.d);
    k.dmin = 0.f;
  }
  template <int N>
  static void dots(const KW& k, const uint8_t* const* xb, __m256i* out) { k_dots<5, N>(k, xb, out); }
  static __m256i mdot(const KW&, const uint8_t*) { return _mm256_setzero_si256(); }
};

// Q3_K (layout: quant/q3_K.cpp): element 128h + 32j + l is (qs[32h + l] >> 2j) & 3, minus 4
// unless bit 4h + j of hmask[l] is set; stored as that + 4 = low | hbit << 2 in 0..7, bias 4.
struct Q3KRows {
  static constexpr Step kStep = Step::K;
  static constexpr int kBlock = kQK_K, kBytes = sizeof(BlockQ3_K), kActBytes = sizeof(BlockQ8_K), kRowsT1 = 1;
  using W = KW;
  static void unpack(const uint8_t* p, KW& k) {
    const auto& b = *reinterpret_cast<const BlockQ3_K*>(p);
    const __m256i m3 = _mm256_set1_epi8(3), m4 = _mm256_set1_epi8(4);
    const __m256i hm = load256(b.hmask);
    #pragma GCC unroll 2
    for (int h = 0; h < 2; ++h) {
      const __m256i q2 = load256(b.qs + 32 * h);
      #pragma GCC unroll 4
      for (int j = 0; j < 4; ++j) {
        const int s = 4 * h + j;  // hmask bit s goes to bit 2
        const __m256i hb = s <= 2 ? _mm256_slli_epi16(hm, 2 - s) : _mm256_srli_epi16(hm, s - 2);
        k.u[s] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(q2, 2 * j), m3), _mm256_and_si256(hb, m4));
      }
    }
    k.aux = _mm256_cvtepi8_epi16(kq_unpack_q3_scales(b.scales));
    scales16(k, k.aux);
    k.dw = _cvtsh_ss(b.d);
    k.dmin = 0.f;
  }
  template <int N>
  static void dots(const KW& k, const uint8_t* const* xb, __m256i* out) { k_dots<2, N>(k, xb, out); }
  static __m256i mdot(const KW&, const uint8_t*) { return _mm256_setzero_si256(); }
};

// Q2_K (layout: quant/q2_K.cpp): element 128h + 32j + l is (qs[32h + l] >> 2j) & 3; sub-block
// s has scale scales[s] & 0xF and min scales[s] >> 4 (16 min groups: mins16 . bsums).
struct Q2KRows {
  static constexpr Step kStep = Step::KMin;
  static constexpr int kBlock = kQK_K, kBytes = sizeof(BlockQ2_K), kActBytes = sizeof(BlockQ8_K), kRowsT1 = 1;
  using W = KW;
  static void unpack(const uint8_t* p, KW& k) {
    const auto& b = *reinterpret_cast<const BlockQ2_K*>(p);
    const __m256i m3 = _mm256_set1_epi8(3);
    #pragma GCC unroll 2
    for (int h = 0; h < 2; ++h) {
      const __m256i q2 = load256(b.qs + 32 * h);
      #pragma GCC unroll 4
      for (int j = 0; j < 4; ++j) k.u[4 * h + j] = _mm256_and_si256(_mm256_srli_epi16(q2, 2 * j), m3);
    }
    const __m128i s8 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.scales));
    const __m128i m0f = _mm_set1_epi8(0x0F);
    scales16(k, _mm256_cvtepu8_epi16(_mm_and_si128(s8, m0f)));
    k.aux = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(s8, 4), m0f));
    k.dw = _cvtsh_ss(b.d);
    k.dmin = _cvtsh_ss(b.dmin);
  }
  template <int N>
  static void dots(const KW& k, const uint8_t* const* xb, __m256i* out) { k_dots<0, N>(k, xb, out); }
  static __m256i mdot(const KW& k, const uint8_t* xb) { return k_mdot(k, xb); }
};

constexpr GemmKernel kQ4K{gemm_rows_avx2<Q45KRows<false>>, 1};
constexpr GemmKernel kQ5K{gemm_rows_avx2<Q45KRows<true>>, 1};
constexpr GemmKernel kQ6K{gemm_rows_avx2<Q6KRows>, 1};
constexpr GemmKernel kQ3K{gemm_rows_avx2<Q3KRows>, 1};
constexpr GemmKernel kQ2K{gemm_rows_avx2<Q2KRows>, 1};

}  // namespace

const GemmKernel* gemm_rows_avx2_q4_K() { return &kQ4K; }
const GemmKernel* gemm_rows_avx2_q5_K() { return &kQ5K; }
const GemmKernel* gemm_rows_avx2_q6_K() { return &kQ6K; }
const GemmKernel* gemm_rows_avx2_q3_K() { return &kQ3K; }
const GemmKernel* gemm_rows_avx2_q2_K() { return &kQ2K; }

}  // namespace ondo::core::kernels
