// AVX-512 VNNI row-at-a-time decode kernels (gemm_decode.h) of Q8_0 and Q4_0 against Q8_0
// activations. Layer: core. Must not touch anything above core.
//
// One weight row at a time, 16 blocks per step, so each row is one sequential stream the
// hardware prefetcher follows (see gemm_decode_q4k_q6k_avx512.cpp for why). Per step:
// 1. the blocks' quants become unsigned levels (Q8_0: q + 128, two blocks per zmm; Q4_0:
//    nibbles, four blocks per zmm, one per 128-bit lane) and vpdpbusd multiplies them with
//    the activations, which were copied once per call into the same order (XChunk);
// 2. a transpose-add tree (sum4x4) gives one zmm whose 16 lanes are the exact int32 dots of
//    the 16 blocks in a fixed lane order (kBlockAt); the level bias comes off as a
//    precomputed -bias * (sum of the block's activations) per lane;
// 3. d_w of the 16 blocks (one gather, same lane order), d_w * d_x * float(isum) in float
//    lanes, widened to double and added to the row's double accumulator in block order:
//    the canonical steps of gemm.h, so the result is bitwise equal to gemm_scalar.cpp.
#pragma GCC optimize("fp-contract=off")
#if defined(__GNUC__) && !defined(__clang__)  // GCC 12's AVX-512 headers trip these falsely
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#include <immintrin.h>

#include <array>
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

constexpr int kStep = 16;  // blocks per step

// One step's activations of one token, in the kernel's order.
struct alignas(64) XChunk {
  int8_t qs[kStep * 32];
  int32_t c[kStep];  // -bias * sum of the block's activations, lane order
  float dx[kStep];   // d_x, lane order
};

template <class R>
struct Lanes {
  std::array<int, kStep> block_at{}, lane_of{};
  constexpr Lanes() {
    for (int l = 0; l < kStep; ++l) {
      block_at[size_t(l)] = R::block_at(l);
      lane_of[size_t(R::block_at(l))] = l;
    }
  }
};

// Q8_0: zmm j holds blocks 2j (low half) and 2j + 1; after the tree, lane 4L + j is block
// 2j (L = 0), 2j + 1 (1), 8 + 2j (2), 9 + 2j (3).
struct Q8_0Rows {
  static constexpr int kBytes = sizeof(BlockQ8_0), kBias = 128;
  static constexpr int block_at(int lane) {
    const int L = lane / 4, j = lane % 4;
    return (L >= 2 ? 8 : 0) + 2 * j + (L & 1);
  }
  // activations of block i (in block order) go to qs + 32 i
  static void place(int8_t* qs, int i, const int8_t* x32) { std::memcpy(qs + 32 * i, x32, 32); }

  struct Levels {
    __m512i u[8];
  };
  static Levels load(const uint8_t* p, __m512* dw) {
    static constexpr Lanes<Q8_0Rows> kLanes;
    alignas(64) static constexpr std::array<int32_t, kStep> kOff = [] {
      std::array<int32_t, kStep> o{};
      for (int l = 0; l < kStep; ++l) o[size_t(l)] = kLanes.block_at[size_t(l)] * kBytes;
      return o;
    }();
    *dw = _mm512_cvtph_ps(_mm512_cvtepi32_epi16(_mm512_i32gather_epi32(_mm512_load_si512(kOff.data()), p, 1)));
    const __m512i flip = _mm512_set1_epi8(char(0x80));
    Levels v;
    #pragma GCC unroll 8
    for (int j = 0; j < 8; ++j) {
      const uint8_t* a = p + size_t(2 * j) * kBytes + 2;
      const __m512i q = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a))),
                                           _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + kBytes)), 1);
      v.u[j] = _mm512_xor_si512(q, flip);
    }
    return v;
  }
  static __m512i dots(const Levels& v, const XChunk& x) {
    __m512i z[8];
    #pragma GCC unroll 8
    for (int j = 0; j < 8; ++j) z[j] = _mm512_dpbusd_epi32(_mm512_setzero_si512(), v.u[j], _mm512_load_si512(x.qs + 64 * j));
    __m512i a = sum4x4(z[0], z[1], z[2], z[3]), b = sum4x4(z[4], z[5], z[6], z[7]);
    a = _mm512_add_epi32(a, _mm512_shuffle_i32x4(a, a, _MM_SHUFFLE(2, 3, 0, 1)));
    b = _mm512_add_epi32(b, _mm512_shuffle_i32x4(b, b, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm512_shuffle_i32x4(a, b, _MM_SHUFFLE(2, 0, 2, 0));
  }
};

// Q4_0 word indices into a group's 64 + 8 bytes: the qs of its 4 blocks; d_w of lane L.
constexpr Words32 qs_words() {
  Words32 r{};
  for (int i = 0; i < 32; ++i) r.w[i] = int16_t(9 * (i / 8) + 1 + i % 8);
  return r;
}
constexpr Words32 d_words() {
  Words32 r{};
  for (int l = 0; l < 16; ++l) r.w[l] = int16_t((l % 2 ? 32 : 0) + 9 * (l / 4));
  return r;
}

// Q4_0: zmm g holds blocks 4g .. 4g + 3, one per 128-bit lane (low nibbles: elements 0..15,
// high: 16..31); after the tree, lane 4k + j is block 4j + k.
struct Q4_0Rows {
  static constexpr int kBytes = sizeof(BlockQ4_0), kBias = 8;
  static constexpr int block_at(int lane) { return 4 * (lane % 4) + lane / 4; }
  // per group g = i / 4: elements 0..15 of its 4 blocks (64 bytes), then 16..31
  static void place(int8_t* qs, int i, const int8_t* x32) {
    std::memcpy(qs + 128 * (i / 4) + 16 * (i % 4), x32, 16);
    std::memcpy(qs + 128 * (i / 4) + 64 + 16 * (i % 4), x32 + 16, 16);
  }

  struct Levels {
    __m512i lo[4], hi[4];
  };
  // Group g's 4 blocks are the 72 bytes at 72 g: one 64-byte load and 8 bytes more; the qs
  // of block k are words 9k + 1 .. 9k + 8 and d_w is word 9k, picked out with vpermt2w.
  static Levels load(const uint8_t* p, __m512* dw) {
    const __m512i m0f = _mm512_set1_epi8(0x0F);
    static constexpr Words32 kQs = qs_words(), kD = d_words();
    const __m512i iqs = _mm512_loadu_si512(kQs.w), id = _mm512_loadu_si512(kD.w);
    Levels v;
    __m512i a[4];
    #pragma GCC unroll 4
    for (int g = 0; g < 4; ++g) {
      a[g] = _mm512_loadu_si512(p + 72 * g);
      const __m512i q = _mm512_permutex2var_epi16(a[g], iqs, _mm512_maskz_loadu_epi8(0xFF, p + 72 * g + 64));
      v.lo[g] = _mm512_and_si512(q, m0f);
      v.hi[g] = _mm512_and_si512(_mm512_srli_epi16(q, 4), m0f);
    }
    // lane L = 4k + j is block 4j + k: word 9k of group j; groups 0, 1 from a0:a1, 2, 3 from a2:a3
    const __m512i d01 = _mm512_permutex2var_epi16(a[0], id, a[1]), d23 = _mm512_permutex2var_epi16(a[2], id, a[3]);
    *dw = _mm512_cvtph_ps(_mm512_castsi512_si256(_mm512_mask_blend_epi16(0xCCCC, d01, d23)));
    return v;
  }
  static __m512i dots(const Levels& v, const XChunk& x) {
    __m512i z[4];
    #pragma GCC unroll 4
    for (int g = 0; g < 4; ++g) {
      z[g] = _mm512_dpbusd_epi32(_mm512_setzero_si512(), v.lo[g], _mm512_load_si512(x.qs + 128 * g));
      z[g] = _mm512_dpbusd_epi32(z[g], v.hi[g], _mm512_load_si512(x.qs + 128 * g + 64));
    }
    return sum4x4(z[0], z[1], z[2], z[3]);
  }
};

// Activations of T tokens in XChunk order: chunk s of token t at [t * steps + s].
template <class R>
const XChunk* prepare(const uint8_t* xq, size_t xrb, int64_t T, int64_t nb) {
  static constexpr Lanes<R> kLanes;
  const int64_t steps = (nb + kStep - 1) / kStep;
  thread_local std::vector<XChunk> buf;
  if (buf.size() < size_t(T * steps)) buf.resize(size_t(T * steps));
  for (int64_t t = 0; t < T; ++t) {
    const auto* xb = reinterpret_cast<const BlockQ8_0*>(xq + size_t(t) * xrb);
    for (int64_t s = 0; s < steps; ++s) {
      XChunk& c = buf[size_t(t * steps + s)];
      for (int i = 0; i < kStep; ++i) {
        const int64_t b = s * kStep + i;
        const int l = kLanes.lane_of[size_t(i)];
        if (b < nb) {
          int32_t sum = 0;
          for (int e = 0; e < 32; ++e) sum += xb[b].qs[e];
          R::place(c.qs, i, xb[b].qs);
          c.c[l] = -R::kBias * sum;
          c.dx[l] = fp16_to_f32(xb[b].d);
        } else {
          const int8_t zero[32] = {};
          R::place(c.qs, i, zero);
          c.c[l] = 0;
          c.dx[l] = 0.0f;
        }
      }
    }
  }
  return buf.data();
}

// Rows [n0, n1), NR at a time: with NR = 2, rows n0 + i and n0 + H + i (H = half the range),
// two sequential streams far apart that the prefetcher follows (adjacent rows interleaved
// per step measured 2x slower), and two double chains in flight at T = 1.
template <class R, int T, int NR>
void legacy_rows(const uint8_t* w, size_t wrb, const XChunk* x, int64_t nb, int64_t n0, int64_t n1, float* y,
                 int64_t ldy) {
  static constexpr Lanes<R> kLanes;
  const int64_t steps = (nb + kStep - 1) / kStep;
  alignas(64) uint8_t tail[NR][kStep * R::kBytes];
  const int64_t H = (n1 - n0) / NR;
  for (int64_t i = 0; i < H; ++i) {
    double acc[NR][T] = {};
    for (int64_t s = 0; s < steps; ++s) {
      const int valid = int(nb - s * kStep < kStep ? nb - s * kStep : kStep);
      typename R::Levels v[NR];
      __m512 dw[NR];
      #pragma GCC unroll 2
      for (int r = 0; r < NR; ++r) {
        const uint8_t* p = w + size_t(n0 + r * H + i) * wrb + size_t(s * kStep) * R::kBytes;
        if (valid < kStep) {  // the row's last blocks, padded with zero blocks
          std::memset(tail[r], 0, sizeof tail[r]);
          std::memcpy(tail[r], p, size_t(valid) * R::kBytes);
          p = tail[r];
        }
        v[r] = R::load(p, &dw[r]);
      }
      #pragma GCC unroll 4
      for (int t = 0; t < T; ++t) {
        const XChunk& xc = x[t * steps + s];
        alignas(64) double pd[NR][kStep];
        #pragma GCC unroll 2
        for (int r = 0; r < NR; ++r) {
          const __m512i isum = _mm512_add_epi32(R::dots(v[r], xc), _mm512_load_si512(xc.c));
          // legacy step: double(d_w * d_x * float(isum)), added in block order
          const __m512 prod = _mm512_mul_ps(_mm512_mul_ps(dw[r], _mm512_load_ps(xc.dx)), _mm512_cvtepi32_ps(isum));
          _mm512_store_pd(pd[r], _mm512_cvtps_pd(_mm512_castps512_ps256(prod)));
          _mm512_store_pd(pd[r] + 8, _mm512_cvtps_pd(_mm512_extractf32x8_ps(prod, 1)));
        }
        if (valid == kStep) {  // unrolled: constant lane offsets, only the adds remain
          #pragma GCC unroll 16
          for (int i = 0; i < kStep; ++i) {
            #pragma GCC unroll 2
            for (int r = 0; r < NR; ++r) acc[r][t] += pd[r][kLanes.lane_of[size_t(i)]];
          }
        } else {
          for (int i = 0; i < valid; ++i) {
            for (int r = 0; r < NR; ++r) acc[r][t] += pd[r][kLanes.lane_of[size_t(i)]];
          }
        }
      }
    }
    for (int r = 0; r < NR; ++r) {
      for (int t = 0; t < T; ++t) y[t * ldy + n0 + r * H + i] = float(acc[r][t]);
    }
  }
  if constexpr (NR > 1) {
    if (n0 + NR * H < n1) legacy_rows<R, T, 1>(w, wrb, x, nb, n0 + NR * H, n1, y, ldy);
  }
}

template <class R>
void legacy_decode(const void* w, size_t wrb, const void* xq, size_t xrb, int64_t K, int64_t n0, int64_t n1,
                   int64_t T, float* y, int64_t ldy) {
  const auto* wb = static_cast<const uint8_t*>(w);
  const int64_t nb = K / 32;
  const XChunk* x = prepare<R>(static_cast<const uint8_t*>(xq), xrb, T, nb);
  switch (T) {
    case 1: return legacy_rows<R, 1, 2>(wb, wrb, x, nb, n0, n1, y, ldy);
    case 2: return legacy_rows<R, 2, 1>(wb, wrb, x, nb, n0, n1, y, ldy);
    case 3: return legacy_rows<R, 3, 1>(wb, wrb, x, nb, n0, n1, y, ldy);
    default: return legacy_rows<R, 4, 1>(wb, wrb, x, nb, n0, n1, y, ldy);
  }
}

}  // namespace

// The per-type entry points dtype.cpp's traits rows name (gemm_decode.h).
void decode_avx512_q8_0(const void* w, size_t wrb, const void* xq, size_t xrb, int64_t K, int64_t n0, int64_t n1,
                      int64_t T, float* y, int64_t ldy) {
  legacy_decode<Q8_0Rows>(w, wrb, xq, xrb, K, n0, n1, T, y, ldy);
}

void decode_avx512_q4_0(const void* w, size_t wrb, const void* xq, size_t xrb, int64_t K, int64_t n0, int64_t n1,
                      int64_t T, float* y, int64_t ldy) {
  legacy_decode<Q4_0Rows>(w, wrb, xq, xrb, K, n0, n1, T, y, ldy);
}

}  // namespace ondo::core::kernels
