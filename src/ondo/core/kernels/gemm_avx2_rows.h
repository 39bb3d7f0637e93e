// The AVX2 (+FMA, +F16C) GEMM / decode driver shared by gemm_kquants_avx2.cpp and
// gemm_legacy_avx2.cpp: one weight row at a time, each block unpacked once into registers
// (R::unpack) and multiplied with every token of the call. Layer: core. Private: include only
// from *_avx2.cpp; internal linkage throughout, so no AVX2 copy leaks into baseline code.
//
// Canonical by construction (gemm.h): R::dots gives 8 int32 lanes whose sum is the exact isum
// of one (row, block, token) (vpmaddubsw never saturates: one operand is a level of at most 6
// unsigned bits, or |w| <= 128 against |x| <= 127 for Q8_0), likewise msum; reduce8 turns 8
// such vectors into one vector of 8 exact sums. The float steps of gemm.h then run in 8 float
// lanes that hold either 8 blocks of one row (T = 1: the 8 step values are then added to the
// row's accumulator one by one, in block order) or 8 tokens of one block (T > 1: each lane is
// one token's accumulator). Either way every output sees the IEEE operations of
// gemm_scalar.cpp in its order, so results equal it bit for bit and do not depend on T.
#pragma once

#include <immintrin.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "ondo/core/fp16.h"
#include "ondo/core/quant/blocks.h"

namespace ondo::core::kernels {
namespace {

// Lane i = sum of the 8 lanes of v[i].
inline __m256i reduce8(const __m256i v[8]) {
  const __m256i s0 = _mm256_hadd_epi32(v[0], v[1]), s1 = _mm256_hadd_epi32(v[2], v[3]);
  const __m256i s2 = _mm256_hadd_epi32(v[4], v[5]), s3 = _mm256_hadd_epi32(v[6], v[7]);
  const __m256i t0 = _mm256_hadd_epi32(s0, s1), t1 = _mm256_hadd_epi32(s2, s3);
  return _mm256_add_epi32(_mm256_permute2x128_si256(t0, t1, 0x20), _mm256_permute2x128_si256(t0, t1, 0x31));
}

// Sum of the int16 products a * b over one 32-byte vector pair, as 8 int32 lanes.
inline __m256i madd_u8s8(__m256i u, __m256i x, __m256i scale16) {
  return _mm256_madd_epi16(_mm256_maddubs_epi16(u, x), scale16);
}

inline __m256i load256(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }

// The float step kinds of gemm.h.
enum class Step { Legacy, KMin, K };

// The activations of a call, per block and token ([b][T], so 8 consecutive tokens of a block
// are one vector load): d_x as float, and for the legacy types the per-block constant c that
// completes isum (-bias * sum of the block's quants; the K types' corrections come from
// bsums inside R::dots). Made once per call into thread-local scratch.
struct ActScratch {
  const float* dx = nullptr;   // [nb][T]
  const int32_t* c = nullptr;  // [nb][T], legacy types
  int64_t T = 0;
};

template <class R>
ActScratch prepare_acts(const uint8_t* xq, size_t xrb, int64_t T, int64_t nb) {
  thread_local std::vector<float> dx;
  thread_local std::vector<int32_t> c;
  const size_t n = size_t(T * nb);
  if (dx.size() < n) dx.resize(n);
  ActScratch a;
  a.T = T;
  if constexpr (R::kStep == Step::Legacy) {
    if (c.size() < n) c.resize(n);
    const __m256i ones = _mm256_set1_epi8(1), ones16 = _mm256_set1_epi16(1);
    for (int64_t t = 0; t < T; ++t) {
      const auto* xb = reinterpret_cast<const BlockQ8_0*>(xq + size_t(t) * xrb);
      for (int64_t b = 0; b < nb; ++b) {
        dx[size_t(b * T + t)] = _cvtsh_ss(xb[b].d);
        if constexpr (R::kBias != 0) {
          const __m256i s = _mm256_madd_epi16(_mm256_maddubs_epi16(ones, load256(xb[b].qs)), ones16);
          __m128i h = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
          h = _mm_add_epi32(h, _mm_shuffle_epi32(h, _MM_SHUFFLE(1, 0, 3, 2)));
          h = _mm_add_epi32(h, _mm_shuffle_epi32(h, _MM_SHUFFLE(2, 3, 0, 1)));
          c[size_t(b * T + t)] = -R::kBias * _mm_cvtsi128_si32(h);
        } else {
          c[size_t(b * T + t)] = 0;
        }
      }
    }
    a.c = c.data();
  } else {
    for (int64_t t = 0; t < T; ++t) {
      const auto* xb = reinterpret_cast<const BlockQ8_K*>(xq + size_t(t) * xrb);
      for (int64_t b = 0; b < nb; ++b) dx[size_t(b * T + t)] = xb[b].d;
    }
  }
  a.dx = dx.data();
  return a;
}

template <class R>
inline const uint8_t* act_block(const uint8_t* xq, size_t xrb, int64_t t, int64_t b) {
  return xq + size_t(t) * xrb + size_t(b) * R::kActBytes;
}

// ---- T = 1: blocks in lanes, NR rows (far apart) at once for independent add chains ----

template <class R, int NR>
void rows_t1(const uint8_t* w, size_t wrb, const uint8_t* xq, const ActScratch& a, int64_t nb, int64_t n0,
             int64_t n1, float* y) {
  using Acc = std::conditional_t<R::kStep == Step::Legacy, double, float>;
  const int64_t H = (n1 - n0) / NR;
  for (int64_t i = 0; i < H; ++i) {
    Acc acc[NR] = {};
    for (int64_t b0 = 0; b0 < nb; b0 += 8) {
      const int valid = int(std::min<int64_t>(8, nb - b0));
      alignas(32) float dx[8] = {};
      alignas(32) int32_t cc[8] = {};
      for (int j = 0; j < valid; ++j) {
        dx[j] = a.dx[b0 + j];
        if constexpr (R::kStep == Step::Legacy) cc[j] = a.c[b0 + j];
      }
      const __m256 dxv = _mm256_load_ps(dx);
      #pragma GCC unroll 2
      for (int r = 0; r < NR; ++r) {
        const uint8_t* row = w + size_t(n0 + r * H + i) * wrb;
        __m256i v[8], m[8];
        alignas(32) float dw[8] = {}, dm[8] = {};
        #pragma GCC unroll 8
        for (int j = 0; j < 8; ++j) {
          v[j] = m[j] = _mm256_setzero_si256();
          if (j >= valid) continue;
          typename R::W k;
          R::unpack(row + size_t(b0 + j) * R::kBytes, k);
          const uint8_t* xb = act_block<R>(xq, 0, 0, b0 + j);
          R::template dots<1>(k, &xb, &v[j]);
          if constexpr (R::kStep == Step::KMin) m[j] = R::mdot(k, xb);
          dw[j] = k.dw;
          if constexpr (R::kStep == Step::KMin) dm[j] = k.dmin;
        }
        __m256i isum = reduce8(v);
        if constexpr (R::kStep == Step::Legacy) isum = _mm256_add_epi32(isum, _mm256_load_si256(reinterpret_cast<const __m256i*>(cc)));
        // d = d_w * d_x; step = d * float(isum) (- (dmin_w * d_x) * float(msum))
        __m256 step = _mm256_mul_ps(_mm256_mul_ps(_mm256_load_ps(dw), dxv), _mm256_cvtepi32_ps(isum));
        if constexpr (R::kStep == Step::KMin) {
          const __m256 fm = _mm256_cvtepi32_ps(reduce8(m));
          step = _mm256_sub_ps(step, _mm256_mul_ps(_mm256_mul_ps(_mm256_load_ps(dm), dxv), fm));
        }
        alignas(32) float s[8];
        _mm256_store_ps(s, step);
        for (int j = 0; j < valid; ++j) acc[r] = acc[r] + Acc(s[j]);
      }
    }
    for (int r = 0; r < NR; ++r) y[n0 + r * H + i] = float(acc[r]);
  }
  if constexpr (NR > 1) {
    if (n0 + NR * H < n1) rows_t1<R, 1>(w, wrb, xq, a, nb, n0 + NR * H, n1, y);
  }
}

// ---- T > 1: tokens in lanes, groups of 8 tokens, chunks of up to kMaxChunk tokens ----

constexpr int kMaxChunk = 64;

template <class R>
void rows_tn(const uint8_t* w, size_t wrb, const uint8_t* xq, size_t xrb, const ActScratch& a, int64_t nb,
             int64_t n0, int64_t n1, int64_t t0, int tn, float* y, int64_t ldy) {
  constexpr bool kLegacy = R::kStep == Step::Legacy;
  const int groups = (tn + 7) / 8;
  for (int64_t n = n0; n < n1; ++n) {
    const uint8_t* row = w + size_t(n) * wrb;
    __m256 accf[kMaxChunk / 8];
    __m256d accd[kMaxChunk / 8][2];
    for (int g = 0; g < groups; ++g) {
      accf[g] = _mm256_setzero_ps();
      accd[g][0] = accd[g][1] = _mm256_setzero_pd();
    }
    for (int64_t b = 0; b < nb; ++b) {
      typename R::W k;
      R::unpack(row + size_t(b) * R::kBytes, k);
      const __m256 dw = _mm256_set1_ps(k.dw);
      for (int g = 0; g < groups; ++g) {
        const int valid = std::min(8, tn - 8 * g);
        const uint8_t* xb[8];
        const int64_t at = b * a.T + t0 + 8 * g;  // [b][t] of the group's first token
        alignas(32) float dx[8] = {};
        alignas(32) int32_t cc[8] = {};
        for (int j = 0; j < 8; ++j) xb[j] = act_block<R>(xq, xrb, t0 + 8 * g + (j < valid ? j : 0), b);
        if (valid == 8) {
          _mm256_store_ps(dx, _mm256_loadu_ps(a.dx + at));
          if constexpr (kLegacy) {
            _mm256_store_si256(reinterpret_cast<__m256i*>(cc), load256(a.c + at));
          }
        } else {
          for (int j = 0; j < valid; ++j) {
            dx[j] = a.dx[at + j];
            if constexpr (kLegacy) cc[j] = a.c[at + j];
          }
        }
        __m256i v[8], m[8];
        R::template dots<4>(k, xb, v);
        if (valid > 4) {
          R::template dots<4>(k, xb + 4, v + 4);
        } else {
          v[4] = v[5] = v[6] = v[7] = _mm256_setzero_si256();
        }
        __m256i isum = reduce8(v);
        const __m256 dxv = _mm256_load_ps(dx);
        __m256 step;
        if constexpr (kLegacy) {
          isum = _mm256_add_epi32(isum, _mm256_load_si256(reinterpret_cast<const __m256i*>(cc)));
          step = _mm256_mul_ps(_mm256_mul_ps(dw, dxv), _mm256_cvtepi32_ps(isum));
          accd[g][0] = _mm256_add_pd(accd[g][0], _mm256_cvtps_pd(_mm256_castps256_ps128(step)));
          accd[g][1] = _mm256_add_pd(accd[g][1], _mm256_cvtps_pd(_mm256_extractf128_ps(step, 1)));
        } else {
          step = _mm256_mul_ps(_mm256_mul_ps(dw, dxv), _mm256_cvtepi32_ps(isum));
          if constexpr (R::kStep == Step::KMin) {
            for (int j = 0; j < 8; ++j) m[j] = j < valid ? R::mdot(k, xb[j]) : _mm256_setzero_si256();
            const __m256 fm = _mm256_cvtepi32_ps(reduce8(m));
            step = _mm256_sub_ps(step, _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(k.dmin), dxv), fm));
          }
          accf[g] = _mm256_add_ps(accf[g], step);
        }
      }
    }
    for (int g = 0; g < groups; ++g) {
      alignas(32) float out[8];
      if constexpr (kLegacy) {
        _mm256_store_ps(out, _mm256_set_m128(_mm256_cvtpd_ps(accd[g][1]), _mm256_cvtpd_ps(accd[g][0])));
      } else {
        _mm256_store_ps(out, accf[g]);
      }
      const int valid = std::min(8, tn - 8 * g);
      for (int j = 0; j < valid; ++j) y[(t0 + 8 * g + j) * ldy + n] = out[j];
    }
  }
}

// The GemmFn (gemm.h) of row type R.
template <class R>
void gemm_rows_avx2(const void* w, size_t wrb, const void* xq, size_t xrb, int64_t K, int64_t n0, int64_t n1,
                    int64_t T, float* y, int64_t ldy) {
  const auto* wb = static_cast<const uint8_t*>(w);
  const auto* xb = static_cast<const uint8_t*>(xq);
  const int64_t nb = K / R::kBlock;
  const ActScratch a = prepare_acts<R>(xb, xrb, T, nb);
  if (T == 1) return rows_t1<R, R::kRowsT1>(wb, wrb, xb, a, nb, n0, n1, y);
  // token chunks whose activations stay in L2 while the rows stream past
  const int64_t fit = int64_t(192 * 1024) / int64_t(std::max<size_t>(xrb, 1));
  const int chunk = int(std::clamp<int64_t>(fit / 8 * 8, 8, kMaxChunk));
  for (int64_t t0 = 0; t0 < T; t0 += chunk) {
    rows_tn<R>(wb, wrb, xb, xrb, a, nb, n0, n1, t0, int(std::min<int64_t>(chunk, T - t0)), y, ldy);
  }
}

}  // namespace
}  // namespace ondo::core::kernels
