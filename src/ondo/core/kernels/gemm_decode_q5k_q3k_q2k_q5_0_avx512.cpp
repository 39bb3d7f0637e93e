// AVX-512 VNNI row-at-a-time decode kernels (gemm_decode.h) of Q5_K, Q3_K and Q2_K against
// Q8_K activations and Q5_0 against Q8_0. Layer: core. Must not touch anything above core.
//
// One weight row at a time, its blocks in order, so each row is one sequential stream that
// the hardware prefetcher follows (see gemm_decode_q4k_q6k_avx512.cpp for why). K types: the
// activations are copied once per call into 64-byte aligned blocks in the order the weight
// vectors meet them (XK), with d_x in a separate array. Per super-block the levels and
// scales are unpacked once and reused by the T <= 4 tokens: 4 vpdpbusd (levels x
// activations), packed to words two products at a time, and 2 vpdpwssd (x sub-block scale,
// as in gemm_decode_q4k_q6k_avx512.cpp) give 16 dwords whose sum is isum. Four blocks at a
// time then share one transpose-add tree (the exact isum and msum of the 4 blocks in 4
// lanes) and one 4-lane evaluation of the float step of gemm.h, whose results are added to
// the row's accumulator in block order: the same IEEE operations as gemm_scalar.cpp, so
// bitwise equal to it.
// Q5_0: 16 blocks per step (below).
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

constexpr int kGroup = 4;  // blocks per float step

inline __m512i bcast256(const void* p) { return _mm512_broadcast_i64x4(_mm256_loadu_si256(static_cast<const __m256i*>(p))); }
// Per 256-bit half counts for the 16-bit variable shifts.
inline __m512i halves16(int lo, int hi) { return _mm512_inserti64x4(_mm512_set1_epi16(short(lo)), _mm256_set1_epi16(short(hi)), 1); }
// a | (b & c), bitwise
inline __m512i or_and(__m512i a, __m512i b, __m512i c) { return _mm512_ternarylogic_epi32(a, b, c, 0xF8); }
inline uint32_t load32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// One Q8_K activation block in a kernel's order; 64-byte aligned, so the 4 loads of 64
// activations per block and token never split a cache line.
struct alignas(64) XK {
  int8_t qs[kQK_K];
  int16_t bs[16];  // sums of q over the groups the kernel's scales or mins cover
};

struct Acts {
  const XK* x;      // block b of token t at [t * nb + b]
  const float* dx;  // d_x of block b of token t at [t * nbp + b], zero past nb
  int64_t nbp;      // nb rounded up to a multiple of kGroup
};

// The 4 products of one block and token against the 4 unsigned level vectors u: 8 dwords
// whose sum is sum over the dwords j of the vpdpbusd products of scale(j) * dot(j), two
// products packed to words (exact: their dwords stay below 2^15 in magnitude) and scaled by
// one vpdpwssd with the word scales s (pair_scales).
inline __m256i dot4(const __m512i u[4], const __m512i s[2], const XK& xb) {
  __m512i d[4];
  #pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) d[i] = _mm512_dpbusd_epi32(_mm512_setzero_si512(), u[i], _mm512_load_si512(xb.qs + 64 * i));
  __m512i z = _mm512_dpwssd_epi32(_mm512_setzero_si512(), _mm512_packs_epi32(d[0], d[1]), s[0]);
  z = _mm512_dpwssd_epi32(z, _mm512_packs_epi32(d[2], d[3]), s[1]);
  return _mm256_add_epi32(_mm512_castsi512_si256(z), _mm512_extracti64x4_epi64(z, 1));
}

// Word indices for the scales of packs_epi32(d_a, d_b), (a, b) = (0, 1) or (2, 3): word w lies
// in 128-bit lane k = w / 8 and comes from d_a (w % 8 < 4) or d_b; its scale is that of
// sub-block sub(a or b, k).
template <class SubBlock>
constexpr Words32 pair_scale_index(SubBlock sub, int a) {
  Words32 r{};
  for (int w = 0; w < 32; ++w) r.w[w] = int16_t(sub(w % 8 < 4 ? a : a + 1, w / 8));
  return r;
}

// The 2 word scale vectors of dot4 from the scales as words (sc: word s = scale of
// sub-block s), for the products' sub-block map sub(i, k).
template <class SubBlock>
inline void pair_scales(__m512i sc, SubBlock, __m512i s[2]) {
  static constexpr Words32 kIdx[2] = {pair_scale_index(SubBlock{}, 0), pair_scale_index(SubBlock{}, 2)};
  s[0] = _mm512_permutexvar_epi16(_mm512_loadu_si512(kIdx[0].w), sc);
  s[1] = _mm512_permutexvar_epi16(_mm512_loadu_si512(kIdx[1].w), sc);
}

// Dword j of the result = sum of the dwords of v[j] (4 vectors of 4 dwords).
inline __m128i hsum4(const __m128i v[4]) {
  const __m128i a = _mm_add_epi32(_mm_unpacklo_epi32(v[0], v[1]), _mm_unpackhi_epi32(v[0], v[1]));
  const __m128i b = _mm_add_epi32(_mm_unpacklo_epi32(v[2], v[3]), _mm_unpackhi_epi32(v[2], v[3]));
  return _mm_add_epi32(_mm_unpacklo_epi64(a, b), _mm_unpackhi_epi64(a, b));
}

// Dword j of the result = sum of the 8 dwords of v[j].
inline __m128i hsum8(const __m256i v[4]) {
  const __m256i a = _mm256_add_epi32(_mm256_unpacklo_epi32(v[0], v[1]), _mm256_unpackhi_epi32(v[0], v[1]));
  const __m256i b = _mm256_add_epi32(_mm256_unpacklo_epi32(v[2], v[3]), _mm256_unpackhi_epi32(v[2], v[3]));
  const __m256i c = _mm256_add_epi32(_mm256_unpacklo_epi64(a, b), _mm256_unpackhi_epi64(a, b));
  return _mm_add_epi32(_mm256_castsi256_si128(c), _mm256_extracti128_si256(c, 1));
}

inline __m128i fold8(__m256i v) { return _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1)); }

// T activation rows in the kernel's order: qs chunks of 32 in the order chunk[], bs[j] as
// bsum(j) of the Q8_K block.
template <class BsFn>
Acts prepare_q8_K(const uint8_t* xq, size_t xrb, int64_t T, int64_t nb, const int (&chunk)[8], BsFn bsum) {
  thread_local std::vector<XK> xbuf;
  thread_local std::vector<float> dbuf;
  const int64_t nbp = (nb + kGroup - 1) / kGroup * kGroup;
  if (xbuf.size() < size_t(T * nb)) xbuf.resize(size_t(T * nb));
  if (dbuf.size() < size_t(T * nbp)) dbuf.resize(size_t(T * nbp));
  for (int64_t t = 0; t < T; ++t) {
    for (int64_t b = 0; b < nbp; ++b) {
      if (b >= nb) {
        dbuf[size_t(t * nbp + b)] = 0.0f;
        continue;
      }
      const auto& xb = reinterpret_cast<const BlockQ8_K*>(xq + size_t(t) * xrb)[b];
      XK& o = xbuf[size_t(t * nb + b)];
      for (int c = 0; c < 8; ++c) std::memcpy(o.qs + 32 * c, xb.qs + 32 * chunk[c], 32);
      for (int j = 0; j < 16; ++j) o.bs[j] = bsum(xb.bsums, j);
      dbuf[size_t(t * nbp + b)] = xb.d;
    }
  }
  return {xbuf.data(), dbuf.data(), nbp};
}

// ---- Q5_K (layout: quant/q5_K.cpp) ----
// A super-block: d, dmin, 12 bytes of 6-bit scales and mins (as Q4_K), qh[32], qs[128].
// qs[0..63] low nibbles are elements 0..31 | 64..95 (sub-blocks 0 | 2), high nibbles
// 32..63 | 96..127 (1 | 3); qs[64..127] likewise sub-blocks 4 | 6 and 5 | 7. The 5th bit of
// element e = 64c + 32hi + l is bit 2c + hi of qh[l], moved to bit 4 by per-half word
// shifts. The activations are copied in the nibble order (chunks 0 2 1 3 4 6 5 7), bs[j] =
// the sum over sub-block j (j < 8). Levels 0..31.
struct Q5K {
  static constexpr int kBytes = sizeof(BlockQ5_K);
  static constexpr bool kMins = true;
  static constexpr int kChunk[8] = {0, 2, 1, 3, 4, 6, 5, 7};
  static int16_t bsum(const int16_t* bsums, int j) { return j < 8 ? int16_t(bsums[2 * j] + bsums[2 * j + 1]) : 0; }

  struct Unpacked {
    __m512i u[4], s[2];
    __m128i mins;  // m0..7 as words
  };
  static uint32_t dd(const uint8_t* blk) { return load32(blk); }  // d | dmin << 16
  static Unpacked unpack(const uint8_t* blk) {
    const __m128i k3f = _mm_set1_epi8(0x3F), k30 = _mm_set1_epi8(0x30), k0f = _mm_set1_epi8(0x0F);
    const __m512i m0f = _mm512_set1_epi8(0x0F), b4 = _mm512_set1_epi8(0x10);
    Unpacked U;
    // dwords [d|dmin, u0, u1, u2]: sc0..3 = u0 & 63, m0..3 = u1 & 63,
    // sc4..7 = (u2 & 15) | (u0 >> 6) << 4, m4..7 = (u2 >> 4) | (u1 >> 6) << 4
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(blk));
    const __m128i lo = _mm_and_si128(v, k3f);
    const __m128i top = _mm_and_si128(_mm_srli_epi32(v, 2), k30);
    const __m128i u2 = _mm_and_si128(_mm_srlv_epi32(_mm_shuffle_epi32(v, _MM_SHUFFLE(3, 3, 3, 3)), _mm_setr_epi32(0, 0, 4, 0)), k0f);
    const __m128i hi = _mm_or_si128(u2, top);        // dwords 1, 2: sc4..7, m4..7
    const __m128i sc8 = _mm_unpacklo_epi32(lo, hi);  // bytes 8..15: sc0..7
    U.mins = _mm_cvtepu8_epi16(_mm_unpackhi_epi32(lo, hi));  // bytes 0..7: m0..7
    // product i covers sub-blocks (0 | 2), (1 | 3), (4 | 6), (5 | 7) in its 256-bit halves
    static constexpr auto kSub = [](int i, int k) { return (i / 2) * 4 + (i % 2) + (k < 2 ? 0 : 2); };
    pair_scales(_mm512_castsi128_si512(_mm_cvtepu8_epi16(_mm_srli_si128(sc8, 8))), kSub, U.s);
    const __m512i h = bcast256(blk + offsetof(BlockQ5_K, qh));
    const __m512i q0 = _mm512_loadu_si512(blk + offsetof(BlockQ5_K, qs));
    const __m512i q1 = _mm512_loadu_si512(blk + offsetof(BlockQ5_K, qs) + 64);
    // qh bits (0 | 2), (1 | 3) up to bit 4; (4 | 6), (5 | 7) down to bit 4
    U.u[0] = or_and(_mm512_and_si512(q0, m0f), _mm512_sllv_epi16(h, halves16(4, 2)), b4);
    U.u[1] = or_and(_mm512_and_si512(_mm512_srli_epi16(q0, 4), m0f), _mm512_sllv_epi16(h, halves16(3, 1)), b4);
    U.u[2] = or_and(_mm512_and_si512(q1, m0f), _mm512_srlv_epi16(h, halves16(0, 2)), b4);
    U.u[3] = or_and(_mm512_and_si512(_mm512_srli_epi16(q1, 4), m0f), _mm512_srlv_epi16(h, halves16(1, 3)), b4);
    return U;
  }
  static __m256i isum8(const Unpacked& U, const XK& xb) { return dot4(U.u, U.s, xb); }
  static __m128i msum4(const Unpacked& U, const XK& xb) {
    return _mm_madd_epi16(U.mins, _mm_load_si128(reinterpret_cast<const __m128i*>(xb.bs)));
  }
};

// ---- Q3_K (layout: quant/q3_K.cpp) ----
// A super-block: hmask[32], qs[64], 12 bytes of signed 6-bit scales, d. Element
// e = 128h + 32j + l has the 2 low bits (qs[32h + l] >> 2j) & 3 and the level bit 4 * bit
// (4h + j) of hmask[l] (level 0..7, bias 4); 16 sub-blocks of 16. Product 2h + jj holds
// j = 2jj | 2jj + 1 in its 256-bit halves, so its 128-bit lane k is sub-block 4(2h + jj) + k
// against the activations in their natural order. The bias comes off exactly as
// 4 * sum_s sc_s * bsums_s.

struct Q3K {
  static constexpr int kBytes = sizeof(BlockQ3_K);
  static constexpr bool kMins = false;
  static constexpr int kChunk[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  static int16_t bsum(const int16_t* bsums, int j) { return bsums[j]; }

  struct Unpacked {
    __m512i u[4], s[2];
    __m256i sc16;  // the 16 signed scales as words
  };
  static uint32_t dd(const uint8_t* blk) {
    uint16_t d;
    std::memcpy(&d, blk + offsetof(BlockQ3_K, d), 2);
    return d;
  }
  static Unpacked unpack(const uint8_t* blk) {
    const __m512i m3 = _mm512_set1_epi8(3), b2 = _mm512_set1_epi8(4);
    Unpacked U;
    // sc_s = (lo | hi << 4) - 32, lo = nibble s % 8 of scales[0..7] (low nibbles first),
    // hi = (scales[8 + s % 4] >> 2 (s / 4)) & 3
    const uint8_t* sp = blk + offsetof(BlockQ3_K, scales);
    const __m128i a = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(sp));
    const __m128i lo = _mm_and_si128(_mm_unpacklo_epi64(a, _mm_srli_epi16(a, 4)), _mm_set1_epi8(0x0F));
    const __m128i hi = _mm_slli_epi32(_mm_srlv_epi32(_mm_set1_epi32(int(load32(sp + 8))), _mm_setr_epi32(0, 2, 4, 6)), 4);
    const __m128i sc8 = _mm_sub_epi8(_mm_ternarylogic_epi32(lo, hi, _mm_set1_epi8(0x30), 0xF8), _mm_set1_epi8(32));
    U.sc16 = _mm256_cvtepi8_epi16(sc8);
    static constexpr auto kSub = [](int i, int k) { return 4 * i + k; };
    pair_scales(_mm512_castsi256_si512(U.sc16), kSub, U.s);
    const __m512i hm = bcast256(blk + offsetof(BlockQ3_K, hmask));
    const __m512i q0 = bcast256(blk + offsetof(BlockQ3_K, qs)), q1 = bcast256(blk + offsetof(BlockQ3_K, qs) + 32);
    // hmask bits (0 | 1), (2 | 3), (4 | 5), (6 | 7) to bit 2
    U.u[0] = or_and(_mm512_and_si512(_mm512_srlv_epi16(q0, halves16(0, 2)), m3), _mm512_sllv_epi16(hm, halves16(2, 1)), b2);
    U.u[1] = or_and(_mm512_and_si512(_mm512_srlv_epi16(q0, halves16(4, 6)), m3), _mm512_srlv_epi16(hm, halves16(0, 1)), b2);
    U.u[2] = or_and(_mm512_and_si512(_mm512_srlv_epi16(q1, halves16(0, 2)), m3), _mm512_srlv_epi16(hm, halves16(2, 3)), b2);
    U.u[3] = or_and(_mm512_and_si512(_mm512_srlv_epi16(q1, halves16(4, 6)), m3), _mm512_srlv_epi16(hm, halves16(4, 5)), b2);
    return U;
  }
  static __m256i isum8(const Unpacked& U, const XK& xb) {
    const __m256i bias = _mm256_madd_epi16(_mm256_load_si256(reinterpret_cast<const __m256i*>(xb.bs)), U.sc16);
    return _mm256_sub_epi32(dot4(U.u, U.s, xb), _mm256_slli_epi32(bias, 2));
  }
  static __m128i msum4(const Unpacked&, const XK&) { return _mm_setzero_si128(); }
};

// ---- Q2_K (layout: quant/q2_K.cpp) ----
// A super-block: 16 bytes of 4-bit scales (low nibble) and mins (high), qs[64], d, dmin.
// Element e = 128h + 32j + l is (qs[32h + l] >> 2j) & 3 (levels 0..3); 16 sub-blocks of 16,
// each its own min group. Products and scale vector as Q3_K; bs in the natural order for
// the mins.
struct Q2K {
  static constexpr int kBytes = sizeof(BlockQ2_K);
  static constexpr bool kMins = true;
  static constexpr int kChunk[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  static int16_t bsum(const int16_t* bsums, int j) { return bsums[j]; }

  struct Unpacked {
    __m512i u[4], s[2];
    __m256i mn16;  // the 16 mins as words
  };
  static uint32_t dd(const uint8_t* blk) { return load32(blk + offsetof(BlockQ2_K, d)); }  // d | dmin << 16
  static Unpacked unpack(const uint8_t* blk) {
    const __m512i m3 = _mm512_set1_epi8(3);
    const __m128i k0f = _mm_set1_epi8(0x0F);
    Unpacked U;
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(blk + offsetof(BlockQ2_K, scales)));
    static constexpr auto kSub = [](int i, int k) { return 4 * i + k; };
    pair_scales(_mm512_castsi256_si512(_mm256_cvtepu8_epi16(_mm_and_si128(v, k0f))), kSub, U.s);
    U.mn16 = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(v, 4), k0f));
    const __m512i q0 = bcast256(blk + offsetof(BlockQ2_K, qs)), q1 = bcast256(blk + offsetof(BlockQ2_K, qs) + 32);
    U.u[0] = _mm512_and_si512(_mm512_srlv_epi16(q0, halves16(0, 2)), m3);
    U.u[1] = _mm512_and_si512(_mm512_srlv_epi16(q0, halves16(4, 6)), m3);
    U.u[2] = _mm512_and_si512(_mm512_srlv_epi16(q1, halves16(0, 2)), m3);
    U.u[3] = _mm512_and_si512(_mm512_srlv_epi16(q1, halves16(4, 6)), m3);
    return U;
  }
  static __m256i isum8(const Unpacked& U, const XK& xb) { return dot4(U.u, U.s, xb); }
  static __m128i msum4(const Unpacked& U, const XK& xb) {
    return fold8(_mm256_madd_epi16(U.mn16, _mm256_load_si256(reinterpret_cast<const __m256i*>(xb.bs))));
  }
};

// ---- the row driver shared by the K types ----
// K: kBytes, kMins, dd(blk) (the fp16 bits d | dmin << 16), unpack(blk), isum8(U, x) (8
// dwords summing to isum), msum4(U, x) (4 dwords summing to msum; kMins only).
template <class K, int T>
void k_rows(const uint8_t* w, size_t wrb, const Acts& xa, int64_t nb, int64_t n0, int64_t n1, float* y, int64_t ldy) {
  // [d0 d1 d2 d3 dmin0 dmin1 dmin2 dmin3] as fp16 from 4 dwords d | dmin << 16
  const __m128i deint = _mm_setr_epi8(0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15);
  for (int64_t n = n0; n < n1; ++n) {
    const uint8_t* row = w + size_t(n) * wrb;
    float acc[T] = {};
    for (int64_t b0 = 0; b0 < nb; b0 += kGroup) {
      const int valid = int(nb - b0 < kGroup ? nb - b0 : kGroup);
      __m256i a[T][kGroup];
      __m128i m[T][kGroup];
      uint32_t dd[kGroup];
      #pragma GCC unroll 4
      for (int j = 0; j < kGroup; ++j) {
        if (j < valid) {
          const uint8_t* blk = row + size_t(b0 + j) * K::kBytes;
          const typename K::Unpacked U = K::unpack(blk);
          dd[j] = K::dd(blk);
          #pragma GCC unroll 4
          for (int t = 0; t < T; ++t) {
            const XK& xb = xa.x[t * nb + b0 + j];
            a[t][j] = K::isum8(U, xb);
            if constexpr (K::kMins) m[t][j] = K::msum4(U, xb);
          }
        } else {
          dd[j] = 0;
          for (int t = 0; t < T; ++t) {
            a[t][j] = _mm256_setzero_si256();
            m[t][j] = _mm_setzero_si128();
          }
        }
      }
      const __m256 dw = _mm256_cvtph_ps(_mm_shuffle_epi8(_mm_setr_epi32(int(dd[0]), int(dd[1]), int(dd[2]), int(dd[3])), deint));
      #pragma GCC unroll 4
      for (int t = 0; t < T; ++t) {
        const __m128 dx = _mm_loadu_ps(xa.dx + t * xa.nbp + b0);
        const __m128i isum = hsum8(a[t]);
        __m128 r;
        if constexpr (K::kMins) {
          // kquant_step_min: (d_w * d_x) * isum - (dmin_w * d_x) * msum, 4 blocks in lanes
          const __m256 f = _mm256_cvtepi32_ps(_mm256_inserti128_si256(_mm256_castsi128_si256(isum), hsum4(m[t]), 1));
          const __m256 p = _mm256_mul_ps(_mm256_mul_ps(dw, _mm256_set_m128(dx, dx)), f);
          r = _mm_sub_ps(_mm256_castps256_ps128(p), _mm256_extractf128_ps(p, 1));
        } else {
          // kquant_step: (d_w * d_x) * isum
          r = _mm_mul_ps(_mm_mul_ps(_mm256_castps256_ps128(dw), dx), _mm_cvtepi32_ps(isum));
        }
        // acc + r_j, blocks in order
        acc[t] = acc[t] + _mm_cvtss_f32(r);
        if (valid > 1) acc[t] = acc[t] + _mm_cvtss_f32(_mm_movehdup_ps(r));
        if (valid > 2) acc[t] = acc[t] + _mm_cvtss_f32(_mm_movehl_ps(r, r));
        if (valid > 3) acc[t] = acc[t] + _mm_cvtss_f32(_mm_shuffle_ps(r, r, _MM_SHUFFLE(3, 3, 3, 3)));
      }
    }
    for (int t = 0; t < T; ++t) y[t * ldy + n] = acc[t];
  }
}

template <class K>
void k_decode(const void* w, size_t wrb, const void* xq, size_t xrb, int64_t K_, int64_t n0, int64_t n1, int64_t T,
              float* y, int64_t ldy) {
  const auto* wb = static_cast<const uint8_t*>(w);
  const int64_t nb = K_ / kQK_K;
  const Acts xa = prepare_q8_K(static_cast<const uint8_t*>(xq), xrb, T, nb, K::kChunk, K::bsum);
  switch (T) {
    case 1: return k_rows<K, 1>(wb, wrb, xa, nb, n0, n1, y, ldy);
    case 2: return k_rows<K, 2>(wb, wrb, xa, nb, n0, n1, y, ldy);
    case 3: return k_rows<K, 3>(wb, wrb, xa, nb, n0, n1, y, ldy);
    default: return k_rows<K, 4>(wb, wrb, xa, nb, n0, n1, y, ldy);
  }
}

// ---- Q5_0 against Q8_0 (layout: quant/q5_0.cpp) ----
// 16 blocks per step, as the Q4_0 kernel of gemm_decode_q8_0_q4_0_avx512.cpp: zmm g holds
// blocks 4g .. 4g + 3 (88 contiguous bytes), one per 128-bit lane, picked out of the step's
// bytes by vpermt2w (a block is 11 words: d, qh (2), qs (8)); low nibbles against elements
// 0..15, high nibbles against 16..31. The 5th bits of the 4 blocks' low (high) halves are 4
// qh words, one 64-bit mask that adds 16 to the selected levels. After the transpose-add
// tree lane 4k + j is block 4j + k; the level bias 16 comes off as a precomputed
// -16 * (sum of the block's activations); d_w of the 16 blocks is one gather. The float steps
// run in lanes, d_w * d_x * float(isum) widened to double and added in block order.
constexpr int kStep0 = 16;  // blocks per step

constexpr int q5_0_lane_of(int block) { return 4 * (block % 4) + block / 4; }  // and its inverse

// One step's activations of one token: per group g, elements 0..15 of its 4 blocks (64
// bytes), then 16..31; c and dx in lane order.
struct alignas(64) XQ50 {
  int8_t qs[kStep0 * 32];
  int32_t c[kStep0];  // -16 * sum of the block's activations
  float dx[kStep0];   // d_x
};

const XQ50* prepare_q5_0(const uint8_t* xq, size_t xrb, int64_t T, int64_t nb) {
  const int64_t steps = (nb + kStep0 - 1) / kStep0;
  thread_local std::vector<XQ50> buf;
  if (buf.size() < size_t(T * steps)) buf.resize(size_t(T * steps));
  for (int64_t t = 0; t < T; ++t) {
    const auto* xb = reinterpret_cast<const BlockQ8_0*>(xq + size_t(t) * xrb);
    for (int64_t s = 0; s < steps; ++s) {
      XQ50& c = buf[size_t(t * steps + s)];
      std::memset(&c, 0, sizeof c);
      for (int i = 0; i < kStep0 && s * kStep0 + i < nb; ++i) {
        const BlockQ8_0& x = xb[s * kStep0 + i];
        int32_t sum = 0;
        for (int e = 0; e < 32; ++e) sum += x.qs[e];
        std::memcpy(c.qs + 128 * (i / 4) + 16 * (i % 4), x.qs, 16);
        std::memcpy(c.qs + 128 * (i / 4) + 64 + 16 * (i % 4), x.qs + 16, 16);
        c.c[q5_0_lane_of(i)] = -16 * sum;
        c.dx[q5_0_lane_of(i)] = fp16_to_f32(x.d);
      }
    }
  }
  return buf.data();
}

// Word indices into a group's 88 bytes (a: words 0..31, b: 32..43): the qs of its 4 blocks.
constexpr Words32 q5_0_qs_words() {
  Words32 r{};
  for (int i = 0; i < 32; ++i) r.w[i] = int16_t(11 * (i / 8) + 3 + i % 8);
  return r;
}
// qh low words of blocks 0..3, then the high words, then d.
constexpr Words32 q5_0_qh_words() {
  Words32 r{};
  for (int i = 0; i < 8; ++i) r.w[i] = int16_t(11 * (i % 4) + 1 + i / 4);
  for (int k = 0; k < 4; ++k) r.w[8 + k] = int16_t(11 * k);
  return r;
}
// d_w of lane L = 4k + j (block k of group j) from the q5_0_qh_words of groups j, j + 1
// (j even): word 8 + k of the first (j = 0 mod 4) or second.
constexpr Words32 q5_0_d_words() {
  Words32 r{};
  for (int l = 0; l < 16; ++l) r.w[l] = int16_t((l % 2 ? 32 : 0) + 8 + l / 4);
  return r;
}

template <int T>
void q5_0_rows(const uint8_t* w, size_t wrb, const XQ50* x, int64_t nb, int64_t n0, int64_t n1, float* y,
               int64_t ldy) {
  constexpr int kBytes = sizeof(BlockQ5_0);
  static constexpr Words32 kQs = q5_0_qs_words(), kQh = q5_0_qh_words(), kD = q5_0_d_words();
  const __m512i iqs = _mm512_loadu_si512(kQs.w), iqh = _mm512_loadu_si512(kQh.w), id = _mm512_loadu_si512(kD.w);
  const __m512i m0f = _mm512_set1_epi8(0x0F), b4 = _mm512_set1_epi8(0x10);
  const int64_t steps = (nb + kStep0 - 1) / kStep0;
  alignas(64) uint8_t tail[kStep0 * kBytes];
  for (int64_t n = n0; n < n1; ++n) {
    const uint8_t* row = w + size_t(n) * wrb;
    double acc[T] = {};
    for (int64_t s = 0; s < steps; ++s) {
      const int valid = int(nb - s * kStep0 < kStep0 ? nb - s * kStep0 : kStep0);
      const uint8_t* p = row + size_t(s * kStep0) * kBytes;
      if (valid < kStep0) {  // the row's last blocks, padded with zero blocks
        std::memset(tail, 0, sizeof tail);
        std::memcpy(tail, p, size_t(valid) * kBytes);
        p = tail;
      }
      __m512i lo[4], hi[4], h[4];
      alignas(64) uint64_t bits[4][2];  // the 5th-bit masks, through memory (kmovq k, m64)
      #pragma GCC unroll 4
      for (int g = 0; g < 4; ++g) {
        const __m512i a = _mm512_loadu_si512(p + 4 * kBytes * g);
        const __m512i b = _mm512_maskz_loadu_epi8(0xFFFFFF, p + 4 * kBytes * g + 64);
        const __m512i q = _mm512_permutex2var_epi16(a, iqs, b);
        h[g] = _mm512_permutex2var_epi16(a, iqh, b);
        _mm_store_si128(reinterpret_cast<__m128i*>(bits[g]), _mm512_castsi512_si128(h[g]));
        lo[g] = _mm512_and_si512(q, m0f);
        hi[g] = _mm512_and_si512(_mm512_srli_epi16(q, 4), m0f);
        lo[g] = _mm512_mask_add_epi8(lo[g], _load_mask64(reinterpret_cast<__mmask64*>(&bits[g][0])), lo[g], b4);
        hi[g] = _mm512_mask_add_epi8(hi[g], _load_mask64(reinterpret_cast<__mmask64*>(&bits[g][1])), hi[g], b4);
      }
      // d_w in lane order: groups 0, 1 from h0:h1, 2, 3 from h2:h3
      const __m512i d01 = _mm512_permutex2var_epi16(h[0], id, h[1]), d23 = _mm512_permutex2var_epi16(h[2], id, h[3]);
      const __m512 dw = _mm512_cvtph_ps(_mm512_castsi512_si256(_mm512_mask_blend_epi16(0xCCCC, d01, d23)));
      #pragma GCC unroll 4
      for (int t = 0; t < T; ++t) {
        const XQ50& xc = x[t * steps + s];
        __m512i z[4];
        #pragma GCC unroll 4
        for (int g = 0; g < 4; ++g) {
          z[g] = _mm512_dpbusd_epi32(_mm512_setzero_si512(), lo[g], _mm512_load_si512(xc.qs + 128 * g));
          z[g] = _mm512_dpbusd_epi32(z[g], hi[g], _mm512_load_si512(xc.qs + 128 * g + 64));
        }
        const __m512i isum = _mm512_add_epi32(sum4x4(z[0], z[1], z[2], z[3]), _mm512_load_si512(xc.c));
        // legacy step: double(d_w * d_x * float(isum)), added in block order
        const __m512 prod = _mm512_mul_ps(_mm512_mul_ps(dw, _mm512_load_ps(xc.dx)), _mm512_cvtepi32_ps(isum));
        alignas(64) double pd[kStep0];
        _mm512_store_pd(pd, _mm512_cvtps_pd(_mm512_castps512_ps256(prod)));
        _mm512_store_pd(pd + 8, _mm512_cvtps_pd(_mm512_extractf32x8_ps(prod, 1)));
        if (valid == kStep0) {
          #pragma GCC unroll 16
          for (int i = 0; i < kStep0; ++i) acc[t] += pd[q5_0_lane_of(i)];
        } else {
          for (int i = 0; i < valid; ++i) acc[t] += pd[q5_0_lane_of(i)];
        }
      }
    }
    for (int t = 0; t < T; ++t) y[t * ldy + n] = float(acc[t]);
  }
}

void q5_0_decode(const void* w, size_t wrb, const void* xq, size_t xrb, int64_t K, int64_t n0, int64_t n1,
                 int64_t T, float* y, int64_t ldy) {
  const auto* wb = static_cast<const uint8_t*>(w);
  const int64_t nb = K / 32;
  const XQ50* x = prepare_q5_0(static_cast<const uint8_t*>(xq), xrb, T, nb);
  switch (T) {
    case 1: return q5_0_rows<1>(wb, wrb, x, nb, n0, n1, y, ldy);
    case 2: return q5_0_rows<2>(wb, wrb, x, nb, n0, n1, y, ldy);
    case 3: return q5_0_rows<3>(wb, wrb, x, nb, n0, n1, y, ldy);
    default: return q5_0_rows<4>(wb, wrb, x, nb, n0, n1, y, ldy);
  }
}

}  // namespace

// The per-type entry points dtype.cpp's traits rows name (gemm_decode.h).
void decode_avx512_q5_K(const void* w, size_t wrb, const void* xq, size_t xrb, int64_t K, int64_t n0, int64_t n1,
                      int64_t T, float* y, int64_t ldy) {
  k_decode<Q5K>(w, wrb, xq, xrb, K, n0, n1, T, y, ldy);
}

void decode_avx512_q5_0(const void* w, size_t wrb, const void* xq, size_t xrb, int64_t K, int64_t n0, int64_t n1,
                      int64_t T, float* y, int64_t ldy) {
  q5_0_decode(w, wrb, xq, xrb, K, n0, n1, T, y, ldy);
}

void decode_avx512_q3_K(const void* w, size_t wrb, const void* xq, size_t xrb, int64_t K, int64_t n0, int64_t n1,
                      int64_t T, float* y, int64_t ldy) {
  k_decode<Q3K>(w, wrb, xq, xrb, K, n0, n1, T, y, ldy);
}

void decode_avx512_q2_K(const void* w, size_t wrb, const void* xq, size_t xrb, int64_t K, int64_t n0, int64_t n1,
                      int64_t T, float* y, int64_t ldy) {
  k_decode<Q2K>(w, wrb, xq, xrb, K, n0, n1, T, y, ldy);
}

}  // namespace ondo::core::kernels
