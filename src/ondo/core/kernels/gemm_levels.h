// The canonical integer form of one weight block, shared by the GEMM kernels (gemm_scalar.cpp,
// gemm_avx2.cpp, gemm_avx512.cpp). Layer: core. Private: include only from gemm_*.cpp;
// everything has internal linkage, so each SIMD unit keeps the copy compiled for its own ISA.
//
// Every weight type the GEMM kernels cover is read as signed levels q[e] (int8), one integer
// scale sc[s] per sub-block, optional integer min multipliers mn[j] per min group, and float
// factors d, dmin, so that a block of weights is  w[e] = d * sc[s(e)] * q[e] - dmin * mn[j(e)].
// Against an activation block (x = dx * xq, min-group sums xs[j] of xq) the product is
//   isum = sum_s sc[s] * sum_{e in s} q[e] * xq[e]      (exact int32)
//   msum = sum_j mn[j] * xs[j]                            (exact int32)
// (float steps: block_step below and gemm.h). Layouts are those of core/quant/<type>.cpp.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "ondo/core/dtype.h"
#include "ondo/core/fp16.h"
#include "ondo/core/quant/blocks.h"

namespace ondo::core::kernels {
namespace {

struct Levels {
  alignas(64) int8_t q[kQK_K];  // block_size signed levels
  int32_t sc[16];               // integer scale per sub-block
  int16_t mn[16];               // min multiplier per min group (types with mins)
  float d, dmin;
};

// ---- 32-element types (partner Q8_0): one sub-block, sc = 1 ----

static inline void levels_q8_0(const void* p, Levels& L) {
  const auto& b = *static_cast<const BlockQ8_0*>(p);
  std::memcpy(L.q, b.qs, 32);
  L.sc[0] = 1;
  L.d = fp16_to_f32(b.d);
}

static inline void levels_q4_0(const void* p, Levels& L) {
  const auto& b = *static_cast<const BlockQ4_0*>(p);
  for (int j = 0; j < 16; ++j) {
    L.q[j] = int8_t((b.qs[j] & 0xF) - 8);
    L.q[j + 16] = int8_t((b.qs[j] >> 4) - 8);
  }
  L.sc[0] = 1;
  L.d = fp16_to_f32(b.d);
}

static inline void levels_q5_0(const void* p, Levels& L) {
  const auto& b = *static_cast<const BlockQ5_0*>(p);
  uint32_t qh;
  std::memcpy(&qh, b.qh, 4);
  for (int j = 0; j < 16; ++j) {
    L.q[j] = int8_t(((b.qs[j] & 0xF) | (((qh >> j) & 1) << 4)) - 16);
    L.q[j + 16] = int8_t(((b.qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4)) - 16);
  }
  L.sc[0] = 1;
  L.d = fp16_to_f32(b.d);
}

// ---- K types (partner Q8_K) ----

// 6-bit scale and min j of a Q4_K/Q5_K 12-byte scale block (layout: quant/q4_K.cpp).
static inline void gemm_scale_min_k4(int j, const uint8_t* s, int32_t* sc, int16_t* m) {
  if (j < 4) {
    *sc = s[j] & 63;
    *m = int16_t(s[j + 4] & 63);
  } else {
    *sc = (s[j + 4] & 0xF) | ((s[j - 4] >> 6) << 4);
    *m = int16_t((s[j + 4] >> 4) | ((s[j] >> 6) << 4));
  }
}

// Q4_K / Q5_K: element e = 64c + 32hi + l is nibble hi of qs[32c + l] (+ 16 * bit 2c+hi of
// qh[l] for Q5_K); 8 sub-blocks of 32, each its own min group.
template <bool kHigh, class Block>
static inline void levels_q45_K(const void* p, Levels& L) {
  const auto& b = *static_cast<const Block*>(p);
  for (int c = 0; c < 4; ++c) {
    for (int l = 0; l < 32; ++l) {
      int lo = b.qs[32 * c + l] & 0xF, hi = b.qs[32 * c + l] >> 4;
      if constexpr (kHigh) {
        lo |= ((b.qh[l] >> (2 * c)) & 1) << 4;
        hi |= ((b.qh[l] >> (2 * c + 1)) & 1) << 4;
      }
      L.q[64 * c + l] = int8_t(lo);
      L.q[64 * c + 32 + l] = int8_t(hi);
    }
  }
  for (int s = 0; s < 8; ++s) gemm_scale_min_k4(s, b.scales, &L.sc[s], &L.mn[s]);
  L.d = fp16_to_f32(b.d);
  L.dmin = fp16_to_f32(b.dmin);
}

// Q6_K: q6 - 32; 16 sub-blocks of 16 with int8 scales (layout: quant/q6_K.cpp).
static inline void levels_q6_K(const void* p, Levels& L) {
  const auto& b = *static_cast<const BlockQ6_K*>(p);
  for (int h = 0; h < 2; ++h) {
    for (int l = 0; l < 32; ++l) {
      const uint8_t ql0 = b.ql[64 * h + l], ql1 = b.ql[64 * h + 32 + l], qh = b.qh[32 * h + l];
      int8_t* o = L.q + 128 * h + l;
      o[0] = int8_t(((ql0 & 0xF) | (((qh >> 0) & 3) << 4)) - 32);
      o[32] = int8_t(((ql1 & 0xF) | (((qh >> 2) & 3) << 4)) - 32);
      o[64] = int8_t(((ql0 >> 4) | (((qh >> 4) & 3) << 4)) - 32);
      o[96] = int8_t(((ql1 >> 4) | (((qh >> 6) & 3) << 4)) - 32);
    }
  }
  for (int s = 0; s < 16; ++s) L.sc[s] = b.scales[s];
  L.d = fp16_to_f32(b.d);
}

// Q3_K: element e = 128h + 32j + l: low 2 bits (qs[32h + l] >> 2j) & 3, minus 4 unless bit
// 4h + j of hmask[l] is set; 16 signed 6-bit scales (value - 32; layout: quant/q3_K.cpp).
static inline void levels_q3_K(const void* p, Levels& L) {
  const auto& b = *static_cast<const BlockQ3_K*>(p);
  for (int h = 0; h < 2; ++h) {
    for (int j = 0; j < 4; ++j) {
      for (int l = 0; l < 32; ++l) {
        const int low = (b.qs[32 * h + l] >> (2 * j)) & 3;
        const int hbit = (b.hmask[l] >> (4 * h + j)) & 1;
        L.q[128 * h + 32 * j + l] = int8_t(low - (hbit ? 0 : 4));
      }
    }
  }
  for (int s = 0; s < 16; ++s) {
    const int lo = s < 8 ? (b.scales[s] & 0xF) : (b.scales[s - 8] >> 4);
    const int hi = (b.scales[8 + s % 4] >> (2 * (s / 4))) & 3;
    L.sc[s] = (lo | (hi << 4)) - 32;
  }
  L.d = fp16_to_f32(b.d);
}

// Q2_K: element e = 128h + 32j + l is (qs[32h + l] >> 2j) & 3; 16 sub-blocks of 16, each
// its own min group: scale = scales[s] & 0xF, min = scales[s] >> 4.
static inline void levels_q2_K(const void* p, Levels& L) {
  const auto& b = *static_cast<const BlockQ2_K*>(p);
  for (int h = 0; h < 2; ++h) {
    for (int j = 0; j < 4; ++j) {
      for (int l = 0; l < 32; ++l) L.q[128 * h + 32 * j + l] = int8_t((b.qs[32 * h + l] >> (2 * j)) & 3);
    }
  }
  for (int s = 0; s < 16; ++s) {
    L.sc[s] = b.scales[s] & 0xF;
    L.mn[s] = int16_t(b.scales[s] >> 4);
  }
  L.d = fp16_to_f32(b.d);
  L.dmin = fp16_to_f32(b.dmin);
}

// ---- per-type traits ----
// kType the dtype, kBlock elements per block, kSub sub-blocks of kBlock / kSub, kMin min groups (0 = none) of
// kBlock / kMin elements; kQ8K: the partner is Q8_K (else Q8_0).

struct GemmQ8_0 {
  static constexpr DType kType = DType::Q8_0;
  static constexpr int kBlock = 32, kBytes = sizeof(BlockQ8_0), kSub = 1, kMin = 0;
  static constexpr bool kQ8K = false;
  static void levels(const void* p, Levels& L) { levels_q8_0(p, L); }
};
struct GemmQ4_0 {
  static constexpr DType kType = DType::Q4_0;
  static constexpr int kBlock = 32, kBytes = sizeof(BlockQ4_0), kSub = 1, kMin = 0;
  static constexpr bool kQ8K = false;
  static void levels(const void* p, Levels& L) { levels_q4_0(p, L); }
};
struct GemmQ5_0 {
  static constexpr DType kType = DType::Q5_0;
  static constexpr int kBlock = 32, kBytes = sizeof(BlockQ5_0), kSub = 1, kMin = 0;
  static constexpr bool kQ8K = false;
  static void levels(const void* p, Levels& L) { levels_q5_0(p, L); }
};
struct GemmQ4_K {
  static constexpr DType kType = DType::Q4_K;
  static constexpr int kBlock = 256, kBytes = sizeof(BlockQ4_K), kSub = 8, kMin = 8;
  static constexpr bool kQ8K = true;
  static void levels(const void* p, Levels& L) { levels_q45_K<false, BlockQ4_K>(p, L); }
};
struct GemmQ5_K {
  static constexpr DType kType = DType::Q5_K;
  static constexpr int kBlock = 256, kBytes = sizeof(BlockQ5_K), kSub = 8, kMin = 8;
  static constexpr bool kQ8K = true;
  static void levels(const void* p, Levels& L) { levels_q45_K<true, BlockQ5_K>(p, L); }
};
struct GemmQ6_K {
  static constexpr DType kType = DType::Q6_K;
  static constexpr int kBlock = 256, kBytes = sizeof(BlockQ6_K), kSub = 16, kMin = 0;
  static constexpr bool kQ8K = true;
  static void levels(const void* p, Levels& L) { levels_q6_K(p, L); }
};
struct GemmQ3_K {
  static constexpr DType kType = DType::Q3_K;
  static constexpr int kBlock = 256, kBytes = sizeof(BlockQ3_K), kSub = 16, kMin = 0;
  static constexpr bool kQ8K = true;
  static void levels(const void* p, Levels& L) { levels_q3_K(p, L); }
};
struct GemmQ2_K {
  static constexpr DType kType = DType::Q2_K;
  static constexpr int kBlock = 256, kBytes = sizeof(BlockQ2_K), kSub = 16, kMin = 16;
  static constexpr bool kQ8K = true;
  static void levels(const void* p, Levels& L) { levels_q2_K(p, L); }
};

// ---- activation side of one block ----

// Activation scale of block b of a partner row: fp16 d of Q8_0, float d of Q8_K.
template <class Tr>
static inline float act_d(const uint8_t* xrow, int64_t b) {
  if constexpr (Tr::kQ8K) {
    return reinterpret_cast<const BlockQ8_K*>(xrow)[b].d;
  } else {
    return fp16_to_f32(reinterpret_cast<const BlockQ8_0*>(xrow)[b].d);
  }
}

template <class Tr>
static inline const int8_t* act_q(const uint8_t* xrow, int64_t b) {
  if constexpr (Tr::kQ8K) {
    return reinterpret_cast<const BlockQ8_K*>(xrow)[b].qs;
  } else {
    return reinterpret_cast<const BlockQ8_0*>(xrow)[b].qs;
  }
}

// Sum of the activation quants over min group j of block b (Q8_K bsums cover 16 each).
template <class Tr>
static inline int32_t act_min_sum(const uint8_t* xrow, int64_t b, int j) {
  const int16_t* bs = reinterpret_cast<const BlockQ8_K*>(xrow)[b].bsums;
  if constexpr (Tr::kMin == 8) {
    return int32_t(bs[2 * j]) + int32_t(bs[2 * j + 1]);
  } else {
    return bs[j];
  }
}

// ---- the canonical float steps of one block (gemm.h) ----

// Accumulator of one output: double for the 32-element types, float for the K types.
template <class Tr>
using Acc = std::conditional_t<Tr::kQ8K, float, double>;

// acc after one block: d = d_w * d_x; legacy: acc + double(d * float(isum));
// K types: acc + (d * float(isum) - (dmin_w * d_x) * float(msum)) (no msum without mins).
template <class Tr>
static inline Acc<Tr> block_step(Acc<Tr> acc, float dw, float dminw, float dx, int32_t isum, int32_t msum) {
  const float d = dw * dx;
  if constexpr (!Tr::kQ8K) {
    return acc + double(d * float(isum));
  } else if constexpr (Tr::kMin > 0) {
    const float dm = dminw * dx;
    return acc + (d * float(isum) - dm * float(msum));
  } else {
    return acc + d * float(isum);
  }
}

// ---- row-at-a-time driver: the canonical steps spelled out one output at a time ----

// dot(q, x, len): exact int32 sum of q[e] * x[e] over one sub-block (len 16 or 32).
// Tokens go in chunks of kChunk so that accumulators live on the stack.
template <class Tr, class Dot>
static inline void gemm_rowwise(const uint8_t* w, size_t w_row_bytes, const uint8_t* xq,
                                size_t x_row_bytes, int64_t K, int64_t n0, int64_t n1, int64_t T,
                                float* y, int64_t ldy, Dot dot) {
  constexpr int kSubLen = Tr::kBlock / Tr::kSub;
  constexpr int64_t kChunk = 64;
  const int64_t nb = K / Tr::kBlock;
  Levels L;
  Acc<Tr> acc[kChunk];
  for (int64_t n = n0; n < n1; ++n) {
    for (int64_t t0 = 0; t0 < T; t0 += kChunk) {
      const int64_t tn = T - t0 < kChunk ? T - t0 : kChunk;
      for (int64_t i = 0; i < tn; ++i) acc[i] = 0;
      for (int64_t b = 0; b < nb; ++b) {
        Tr::levels(w + size_t(n) * w_row_bytes + size_t(b) * Tr::kBytes, L);
        for (int64_t i = 0; i < tn; ++i) {
          const uint8_t* xrow = xq + size_t(t0 + i) * x_row_bytes;
          const int8_t* xs = act_q<Tr>(xrow, b);
          int32_t isum = 0, msum = 0;
          for (int s = 0; s < Tr::kSub; ++s) isum += L.sc[s] * dot(L.q + s * kSubLen, xs + s * kSubLen, kSubLen);
          for (int j = 0; j < Tr::kMin; ++j) msum += int32_t(L.mn[j]) * act_min_sum<Tr>(xrow, b, j);
          acc[i] = block_step<Tr>(acc[i], L.d, L.dmin, act_d<Tr>(xrow, b), isum, msum);
        }
      }
      for (int64_t i = 0; i < tn; ++i) y[(t0 + i) * ldy + n] = float(acc[i]);
    }
  }
}

}  // namespace
}  // namespace ondo::core::kernels
