// AVX-512 VNNI row-at-a-time decode kernels (gemm_decode.h) of Q4_K and Q6_K against Q8_K
// activations. Layer: core. Must not touch anything above core.
//
// One weight row at a time, its blocks in order, so each row is one sequential stream that
// the hardware prefetcher follows. The earlier kernels took 16 rows at a time (lane = row),
// 16 streams at once, which the L2 streamer does not follow: every miss then waits the full
// DRAM latency (Q4_K_M tg64 at 2 threads: 17 tok/s with the 16-row Q4_K kernel, 32-35 with
// this one, same sitting). No software prefetch: it measured slower than the hardware's
// (Q6_K 8192x8192 GEMV 14.2 -> 21.6 GB/s without it). Per block the levels are unpacked
// once and reused by the T <= 4 tokens; vpdpbusd gives the dots of 4 elements per dword,
// two products at a time are packed to words and scaled by one vpdpwssd, and the exact isum
// (and msum) of (row, block, token) is one horizontal sum (T = 1) or one transpose-add with
// tokens in lanes (T > 1); then the float step of gemm.h, lane-wise the same IEEE
// operations as gemm_scalar.cpp, so the results are equal bit for bit.
#pragma GCC optimize("fp-contract=off")
#if defined(__GNUC__) && !defined(__clang__)  // GCC 12's AVX-512 headers trip these falsely
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#include <immintrin.h>

#include <cstddef>
#include <cstring>
#include <vector>

#include "ondo/core/fp16.h"
#include "ondo/core/kernels/dtype_kernels.h"
#include "ondo/core/kernels/gemm_decode.h"
#include "ondo/core/kernels/gemm_decode_avx512.h"
#include "ondo/core/quant/blocks.h"

namespace ondo::core::kernels {
namespace {

// Dword t = sum of the 16 dwords of a[t], t < 4.
inline __m128i hsum4(const __m512i a[4]) {
  const __m512i g = sum4x4(a[0], a[1], a[2], a[3]);
  const __m256i g8 = _mm256_add_epi32(_mm512_castsi512_si256(g), _mm512_extracti64x4_epi64(g, 1));
  return _mm_add_epi32(_mm256_castsi256_si128(g8), _mm256_extracti128_si256(g8, 1));
}

// Word indices for the scales of packs_epi32(d_a, d_b): word w lies in 128-bit lane k = w / 8
// and comes from d_a (w % 8 < 4) or d_b; its scale is that of sub-block sb(a or b, k).
template <class SubBlock>
constexpr Words32 pair_scale_index(SubBlock sb, int a, int b) {
  Words32 r{};
  for (int w = 0; w < 32; ++w) r.w[w] = int16_t(sb(w % 8 < 4 ? a : b, w / 8));
  return r;
}

// Row n's outputs: the scalar accumulator at T = 1, else lane t of accv for token t.
template <int T>
inline void store_row(float acc1, __m128 accv, float* y, int64_t ldy) {
  if constexpr (T == 1) {
    y[0] = acc1;
  } else {
    alignas(16) float out[4];
    _mm_store_ps(out, accv);
    for (int t = 0; t < T; ++t) y[t * ldy] = out[t];
  }
}

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
  static constexpr auto kSub = [](int i, int k) { return 4 * i + k; };
  static constexpr Words32 kQ6Pair[2] = {pair_scale_index(kSub, 0, 1), pair_scale_index(kSub, 2, 3)};
  for (int64_t n = n0; n < n1; ++n) {
    const uint8_t* row = w + size_t(n) * wrb;
    float acc1 = 0.0f;
    __m128 accv = _mm_setzero_ps();
    // one super-block's levels u, word scales s, scales as words sc16 (for the bias) and d_w
    struct Unpacked {
      __m512i u[4], s[2];
      __m256i sc16;
      float dw;
    };
    auto unpack = [&](int64_t b) {
      const auto& blk = reinterpret_cast<const BlockQ6_K*>(row)[b];
      Unpacked k;
      const __m128i sc8 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(blk.scales));
      k.sc16 = _mm256_cvtepi8_epi16(sc8);
      // product i = 2h (+1): lane k is sub-block 8h (+4) + k
      const __m512i scw = _mm512_castsi256_si512(k.sc16);
      k.s[0] = _mm512_permutexvar_epi16(_mm512_loadu_si512(kQ6Pair[0].w), scw);
      k.s[1] = _mm512_permutexvar_epi16(_mm512_loadu_si512(kQ6Pair[1].w), scw);
      #pragma GCC unroll 2
      for (int h = 0; h < 2; ++h) {
        const __m512i ql = _mm512_loadu_si512(blk.ql + 64 * h);
        const __m512i qh = _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk.qh + 32 * h)));
        k.u[2 * h] = _mm512_ternarylogic_epi32(_mm512_and_si512(ql, m0f), _mm512_sllv_epi16(qh, shl), m30, 0xF8);
        k.u[2 * h + 1] = _mm512_ternarylogic_epi32(_mm512_and_si512(_mm512_srli_epi16(ql, 4), m0f),
                                                   _mm512_srlv_epi16(qh, shr), m30, 0xF8);
      }
      uint16_t dh;
      std::memcpy(&dh, &blk.d, 2);
      k.dw = fp16_to_f32(dh);
      return k;
    };
    // sum of one token's 4 products, scaled (|dot| < 2^15: packed to words exactly), minus
    // the bias: 16 dwords summing to isum
    auto scaled = [&](const Unpacked& k, const BlockQ8_K& xb) {
      __m512i d[4];
      #pragma GCC unroll 4
      for (int i = 0; i < 4; ++i) d[i] = _mm512_dpbusd_epi32(_mm512_setzero_si512(), k.u[i], _mm512_loadu_si512(xb.qs + 64 * i));
      const __m512i p = scaled_pair(scaled_pair(_mm512_setzero_si512(), d[0], d[1], k.s[0]), d[2], d[3], k.s[1]);
      // bias: 32 * sum_s sc_s * bsums_s (8 dword pairs, in the low half)
      const __m256i off = _mm256_madd_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(xb.bsums)), k.sc16);
      return _mm512_sub_epi32(p, _mm512_zextsi256_si512(_mm256_slli_epi32(off, 5)));
    };
    const auto* x0 = reinterpret_cast<const BlockQ8_K*>(xq);
    int64_t b = 0;
    if constexpr (T == 1) {
      // 4 super-blocks share one transpose-add and one 4-wide float step; the 4 results are
      // added to the accumulator in block order
      for (; b + 4 <= nb; b += 4) {
        __m512i p[4];
        alignas(16) float dw[4];
        #pragma GCC unroll 4
        for (int j = 0; j < 4; ++j) {
          const Unpacked k = unpack(b + j);
          p[j] = scaled(k, x0[b + j]);
          dw[j] = k.dw;
        }
        const __m128 dx = _mm_setr_ps(x0[b].d, x0[b + 1].d, x0[b + 2].d, x0[b + 3].d);
        // kquant_step per lane: (d_w * d_x) * isum
        const __m128 r = _mm_mul_ps(_mm_mul_ps(_mm_load_ps(dw), dx), _mm_cvtepi32_ps(hsum4(p)));
        acc1 = acc1 + _mm_cvtss_f32(r);
        acc1 = acc1 + _mm_cvtss_f32(_mm_shuffle_ps(r, r, 1));
        acc1 = acc1 + _mm_cvtss_f32(_mm_shuffle_ps(r, r, 2));
        acc1 = acc1 + _mm_cvtss_f32(_mm_shuffle_ps(r, r, 3));
      }
    }
    for (; b < nb; ++b) {
      const Unpacked k = unpack(b);
      const float dw = k.dw;
      if constexpr (T == 1) {
        const auto& xb = x0[b];
        const int32_t isum = _mm512_reduce_add_epi32(scaled(k, xb));
        acc1 = acc1 + (dw * xb.d) * float(isum);  // kquant_step: d = d_w * d_x; acc + d * isum
      } else {
        // tokens in lanes: isum of token t in dword t, then the float step 4-wide
        __m512i p[4];
        alignas(16) float dx[4] = {};
        #pragma GCC unroll 4
        for (int t = 0; t < 4; ++t) {
          p[t] = _mm512_setzero_si512();
          if (t >= T) continue;
          const auto& xb = reinterpret_cast<const BlockQ8_K*>(xq + size_t(t) * xrb)[b];
          p[t] = scaled(k, xb);
          dx[t] = xb.d;
        }
        const __m128 fi = _mm_cvtepi32_ps(hsum4(p));
        accv = _mm_add_ps(accv, _mm_mul_ps(_mm_mul_ps(_mm_set1_ps(dw), _mm_load_ps(dx)), fi));
      }
    }
    store_row<T>(acc1, accv, y + n, ldy);
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

// Q4_K (layout: quant/q4_K.cpp). A row's super-block: qs[0..63] low nibbles are elements
// 0..31 | 64..95 (sub-blocks 0 | 2), high nibbles 32..63 | 96..127 (1 | 3); qs[64..127]
// likewise sub-blocks 4 | 6 and 5 | 7. The activations are copied once per call into that
// order (XQ4K), so each nibble vector meets one contiguous 64-byte activation vector.
struct alignas(64) XQ4K {  // read with aligned 64-byte loads
  int8_t qs[kQK_K];  // chunks of 32 in the order 0 2 1 3 4 6 5 7
  int16_t bs32[8];   // sum of q over elements 32j .. 32j + 31
  float d;
  float dx4[3];      // in token 0's copy: d of tokens 1..3 (d of token 0 is d), for T > 1
};

const XQ4K* permute_q8_K(const uint8_t* xq, size_t xrb, int64_t T, int64_t nb) {
  thread_local std::vector<XQ4K> buf;
  if (buf.size() < size_t(T * nb)) buf.resize(size_t(T * nb));
  static constexpr int kChunk[8] = {0, 2, 1, 3, 4, 6, 5, 7};
  for (int64_t t = 0; t < T; ++t) {
    for (int64_t b = 0; b < nb; ++b) {
      const auto& xb = reinterpret_cast<const BlockQ8_K*>(xq + size_t(t) * xrb)[b];
      XQ4K& o = buf[size_t(t * nb + b)];
      for (int c = 0; c < 8; ++c) std::memcpy(o.qs + 32 * c, xb.qs + 32 * kChunk[c], 32);
      for (int j = 0; j < 8; ++j) o.bs32[j] = int16_t(xb.bsums[2 * j] + xb.bsums[2 * j + 1]);
      o.d = xb.d;
      if (t > 0) buf[size_t(b)].dx4[t - 1] = xb.d;
    }
  }
  return buf.data();
}

template <int T>
void q4_K_rows(const uint8_t* w, size_t wrb, const XQ4K* x, int64_t nb, int64_t n0, int64_t n1, float* y,
               int64_t ldy) {
  const __m512i m0f = _mm512_set1_epi8(0x0F);
  const __m128i k3f = _mm_set1_epi8(0x3F), k30 = _mm_set1_epi8(0x30), k0f = _mm_set1_epi8(0x0F);
  const __m128i sh_u2 = _mm_setr_epi32(0, 0, 4, 0);
  // the 4 products' sub-blocks per 256-bit half (lanes 0, 1 | 2, 3): (0 | 2), (1 | 3), (4 | 6), (5 | 7)
  static constexpr auto kSub = [](int i, int k) { return (i / 2) * 4 + (i % 2) + (k < 2 ? 0 : 2); };
  static constexpr Words32 kPair[2] = {pair_scale_index(kSub, 0, 1), pair_scale_index(kSub, 2, 3)};
  for (int64_t n = n0; n < n1; ++n) {
    const uint8_t* row = w + size_t(n) * wrb;
    float acc1 = 0.0f;
    __m128 accv = _mm_setzero_ps();
    // one super-block's word scales s, levels u, mins (words) and [d_w, dmin_w] dd
    auto unpack = [&](int64_t b, __m512i s[2], __m512i u[4], __m128i* mins, __m128* dd) {
      const uint8_t* blk = row + size_t(b) * sizeof(BlockQ4_K);
      // dwords [d|dmin, u0, u1, u2]: sc0..3 = u0 & 63, m0..3 = u1 & 63,
      // sc4..7 = (u2 & 15) | (u0 >> 6) << 4, m4..7 = (u2 >> 4) | (u1 >> 6) << 4
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(blk));
      const __m128i lo = _mm_and_si128(v, k3f);
      const __m128i top = _mm_and_si128(_mm_srli_epi32(v, 2), k30);
      const __m128i u2 = _mm_and_si128(_mm_srlv_epi32(_mm_shuffle_epi32(v, _MM_SHUFFLE(3, 3, 3, 3)), sh_u2), k0f);
      const __m128i hi = _mm_or_si128(u2, top);  // lanes 1, 2: sc4..7, m4..7
      const __m128i sc8 = _mm_unpacklo_epi32(lo, hi);  // bytes 8..15: sc0..7
      const __m128i mn8 = _mm_unpackhi_epi32(lo, hi);  // bytes 0..7: m0..7
      const __m512i scw = _mm512_castsi128_si512(_mm_cvtepu8_epi16(_mm_srli_si128(sc8, 8)));
      *mins = _mm_cvtepu8_epi16(mn8);
      s[0] = _mm512_permutexvar_epi16(_mm512_loadu_si512(kPair[0].w), scw);
      s[1] = _mm512_permutexvar_epi16(_mm512_loadu_si512(kPair[1].w), scw);
      const __m512i q0 = _mm512_loadu_si512(blk + 16), q1 = _mm512_loadu_si512(blk + 80);
      u[0] = _mm512_and_si512(q0, m0f);
      u[1] = _mm512_and_si512(_mm512_srli_epi16(q0, 4), m0f);
      u[2] = _mm512_and_si512(q1, m0f);
      u[3] = _mm512_and_si512(_mm512_srli_epi16(q1, 4), m0f);
      *dd = _mm_cvtph_ps(_mm_cvtsi32_si128(_mm_cvtsi128_si32(v)));  // [d_w, dmin_w, ...]
    };
    // the scaled dots of one super-block and token (16 dwords summing to isum)
    auto dots = [&](const __m512i s[2], const __m512i u[4], const XQ4K& xb) {
      __m512i d[4];
      #pragma GCC unroll 4
      for (int i = 0; i < 4; ++i) d[i] = _mm512_dpbusd_epi32(_mm512_setzero_si512(), u[i], _mm512_load_si512(xb.qs + 64 * i));
      return scaled_pair(scaled_pair(_mm512_setzero_si512(), d[0], d[1], s[0]), d[2], d[3], s[1]);
    };
    int64_t b = 0;
    if constexpr (T == 1) {
      // 4 super-blocks share one transpose-add (isum, msum in lanes) and one 4-wide float
      // step; the 4 results are added to the accumulator in block order
      for (; b + 4 <= nb; b += 4) {
        __m512i a[4];
        __m128i m[4];
        __m128 dd[4];
        #pragma GCC unroll 4
        for (int j = 0; j < 4; ++j) {
          __m512i sj[2], uj[4];
          __m128i mins;
          unpack(b + j, sj, uj, &mins, &dd[j]);
          a[j] = dots(sj, uj, x[b + j]);
          m[j] = _mm_madd_epi16(mins, _mm_load_si128(reinterpret_cast<const __m128i*>(x[b + j].bs32)));
        }
        const __m128 fi = _mm_cvtepi32_ps(hsum4(a));
        const __m128 fm = _mm_cvtepi32_ps(_mm_hadd_epi32(_mm_hadd_epi32(m[0], m[1]), _mm_hadd_epi32(m[2], m[3])));
        const __m128 d01 = _mm_unpacklo_ps(dd[0], dd[1]), d23 = _mm_unpacklo_ps(dd[2], dd[3]);
        const __m128 dw = _mm_movelh_ps(d01, d23), dmin = _mm_movehl_ps(d23, d01);
        const __m128 dx = _mm_setr_ps(x[b].d, x[b + 1].d, x[b + 2].d, x[b + 3].d);
        // kquant_step_min per lane: (d_w * d_x) * isum - (dmin_w * d_x) * msum
        const __m128 r = _mm_sub_ps(_mm_mul_ps(_mm_mul_ps(dw, dx), fi), _mm_mul_ps(_mm_mul_ps(dmin, dx), fm));
        acc1 = acc1 + _mm_cvtss_f32(r);
        acc1 = acc1 + _mm_cvtss_f32(_mm_shuffle_ps(r, r, 1));
        acc1 = acc1 + _mm_cvtss_f32(_mm_shuffle_ps(r, r, 2));
        acc1 = acc1 + _mm_cvtss_f32(_mm_shuffle_ps(r, r, 3));
      }
    }
    for (; b < nb; ++b) {
      __m512i s[2], u[4];
      __m128i mins;
      __m128 dd;
      unpack(b, s, u, &mins, &dd);
      if constexpr (T == 1) {
        const XQ4K& xb = x[b];
        const __m512i a = dots(s, u, xb);
        const __m256i a8 = _mm256_add_epi32(_mm512_castsi512_si256(a), _mm512_extracti64x4_epi64(a, 1));
        const __m128i a4 = _mm_add_epi32(_mm256_castsi256_si128(a8), _mm256_extracti128_si256(a8, 1));
        const __m128i m4 = _mm_madd_epi16(mins, _mm_load_si128(reinterpret_cast<const __m128i*>(xb.bs32)));
        const __m128i h = _mm_hadd_epi32(a4, m4);
        const __m128 f = _mm_cvtepi32_ps(_mm_hadd_epi32(h, h));  // [isum, msum, ...]
        // kquant_step_min: (d_w * d_x) * isum - (dmin_w * d_x) * msum
        const __m128 p = _mm_mul_ps(_mm_mul_ps(dd, _mm_set1_ps(xb.d)), f);
        acc1 = acc1 + _mm_cvtss_f32(_mm_sub_ss(p, _mm_movehdup_ps(p)));
      } else {
        // tokens in lanes: isum and msum of token t in dword t, then the float step 4-wide
        __m512i a[4];
        __m128i m[4];
        #pragma GCC unroll 4
        for (int t = 0; t < 4; ++t) {
          a[t] = _mm512_setzero_si512();
          m[t] = _mm_setzero_si128();
          if (t >= T) continue;
          const XQ4K& xb = x[t * nb + b];
          a[t] = dots(s, u, xb);
          m[t] = _mm_madd_epi16(mins, _mm_load_si128(reinterpret_cast<const __m128i*>(xb.bs32)));
        }
        const __m128 fi = _mm_cvtepi32_ps(hsum4(a));
        const __m128 fm = _mm_cvtepi32_ps(_mm_hadd_epi32(_mm_hadd_epi32(m[0], m[1]), _mm_hadd_epi32(m[2], m[3])));
        const __m128 dx = _mm_loadu_ps(&x[b].d);  // d_x of tokens 0..3
        const __m128 pa = _mm_mul_ps(_mm_mul_ps(_mm_broadcastss_ps(dd), dx), fi);
        const __m128 pm = _mm_mul_ps(_mm_mul_ps(_mm_shuffle_ps(dd, dd, 0x55), dx), fm);
        accv = _mm_add_ps(accv, _mm_sub_ps(pa, pm));
      }
    }
    store_row<T>(acc1, accv, y + n, ldy);
  }
}

void q4_K_decode(const void* w, size_t wrb, const void* xq, size_t xrb, int64_t K, int64_t n0, int64_t n1,
                 int64_t T, float* y, int64_t ldy) {
  const auto* wb = static_cast<const uint8_t*>(w);
  const int64_t nb = K / kQK_K;
  const XQ4K* x = permute_q8_K(static_cast<const uint8_t*>(xq), xrb, T, nb);
  switch (T) {
    case 1: return q4_K_rows<1>(wb, wrb, x, nb, n0, n1, y, ldy);
    case 2: return q4_K_rows<2>(wb, wrb, x, nb, n0, n1, y, ldy);
    case 3: return q4_K_rows<3>(wb, wrb, x, nb, n0, n1, y, ldy);
    default: return q4_K_rows<4>(wb, wrb, x, nb, n0, n1, y, ldy);
  }
}

}  // namespace

// The per-type entry points dtype.cpp's traits rows name (gemm_decode.h).
void decode_avx512_q4_K(const void* w, size_t wrb, const void* xq, size_t xrb, int64_t K, int64_t n0, int64_t n1,
                      int64_t T, float* y, int64_t ldy) {
  q4_K_decode(w, wrb, xq, xrb, K, n0, n1, T, y, ldy);
}

void decode_avx512_q6_K(const void* w, size_t wrb, const void* xq, size_t xrb, int64_t K, int64_t n0, int64_t n1,
                      int64_t T, float* y, int64_t ldy) {
  q6_K_decode(w, wrb, xq, xrb, K, n0, n1, T, y, ldy);
}

}  // namespace ondo::core::kernels
