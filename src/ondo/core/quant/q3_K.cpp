// Reference (scalar) kernels of Q3_K (ggml type 11, 110 bytes per 256 values). Layer: core.
// Layout (ggml block_q3_K): hmask[32], qs[64], scales[12], d (f16).
//   16 sub-blocks of 16 with signed 6-bit scales sc (packing: kq::unpack_q3_scales).
//   Element e = 128*h + 32*j + l (h < 2, j < 4, l < 32): low 2 bits (qs[32*h + l] >> 2*j) & 3,
//   high bit = bit e/32 of hmask[e % 32]; q3 = low2 + 4*hbit - 4 in [-4, 3].
//   x = d * sc[e / 16] * q3.
// Mirrors llama.cpp's dequantize_row_q3_K, quantize_row_q3_K_ref and the integer sums of
// ggml_vec_dot_q3_K_q8_K (commit 34af94cd).
#pragma GCC optimize("fp-contract=off")

#include <cmath>
#include <cstring>

#include "ondo/core/fp16.h"
#include "ondo/core/quant/blocks.h"
#include "ondo/core/quant/kquant_util.h"
#include "ondo/core/quant/reference.h"

namespace ondo::core::quant {
namespace {

// The signed 3-bit value of element e, in [-4, 3].
inline int q3_value(const BlockQ3_K& b, int e) {
  const int low = (b.qs[32 * (e / 128) + e % 32] >> (2 * ((e % 128) / 32))) & 3;
  const int hbit = (b.hmask[e % 32] >> (e / 32)) & 1;
  return low - (hbit ? 0 : 4);
}

}  // namespace

void dequantize_row_q3_K(const void* src, float* dst, int64_t n) {
  const auto* x = static_cast<const BlockQ3_K*>(src);
  const int64_t nb = n / kQK_K;
  int8_t sc[16];
  for (int64_t i = 0; i < nb; ++i) {
    const float d_all = fp16_to_f32(x[i].d);
    kq::unpack_q3_scales(x[i].scales, sc);
    for (int e = 0; e < kQK_K; ++e) {
      const float dl = d_all * sc[e / 16];
      dst[e] = dl * q3_value(x[i], e);
    }
    dst += kQK_K;
  }
}

// sum_i d_i * sum_s sc_s * <q3_s, q8_s> (exact int32 per super-block), d_i = d * y.d.
float vec_dot_q3_K_q8_K(const void* w, const void* xv, int64_t n) {
  const auto* x = static_cast<const BlockQ3_K*>(w);
  const auto* y = static_cast<const BlockQ8_K*>(xv);
  const int64_t nb = n / kQK_K;
  int8_t sc[16];
  float sumf = 0;
  for (int64_t i = 0; i < nb; ++i) {
    kq::unpack_q3_scales(x[i].scales, sc);
    int32_t isum = 0;
    for (int s = 0; s < 16; ++s) {
      int32_t sub = 0;
      for (int e = 16 * s; e < 16 * s + 16; ++e) sub += q3_value(x[i], e) * y[i].qs[e];
      isum += sc[s] * sub;
    }
    const float d = fp16_to_f32(x[i].d) * y[i].d;
    sumf += d * isum;
  }
  return sumf;
}

// quantize_row_q3_K_ref: per sub-block a symmetric fit with level refinement
// (make_q3_quants), 6-bit signed scale codes relative to the largest |scale|, then the
// levels recomputed against the rounded scales and split into qs (2 bits) and hmask.
void quantize_row_q3_K(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ3_K*>(dst);
  const int64_t nb = n / kQK_K;
  int8_t L[kQK_K];
  float scales[16];
  for (int64_t i = 0; i < nb; ++i, src += kQK_K) {
    float max_scale = 0, amax = 0;
    for (int j = 0; j < 16; ++j) {
      scales[j] = kq::make_q3_quants(16, 4, src + 16 * j, L + 16 * j, true);
      const float scale = std::fabs(scales[j]);
      if (scale > amax) {
        amax = scale;
        max_scale = scales[j];
      }
    }
    std::memset(y[i].scales, 0, sizeof(y[i].scales));
    if (max_scale) {
      const float iscale = -32.f / max_scale;
      for (int j = 0; j < 16; ++j) {
        int l = kq::nearest_int(iscale * scales[j]);
        l = (l < -32 ? -32 : l > 31 ? 31 : l) + 32;
        kq::pack_q3_scale(j, l, y[i].scales);
      }
      y[i].d = f32_to_fp16(1 / iscale);
    } else {
      y[i].d = f32_to_fp16(0.f);
    }
    int8_t sc[16];
    kq::unpack_q3_scales(y[i].scales, sc);
    for (int j = 0; j < 16; ++j) {
      const float d = fp16_to_f32(y[i].d) * sc[j];
      if (!d) continue;
      for (int l = 0; l < 16; ++l) {
        const int q = kq::nearest_int(src[16 * j + l] / d);
        L[16 * j + l] = int8_t((q < -4 ? -4 : q > 3 ? 3 : q) + 4);
      }
    }
    // Level 4..7 sets the high bit: element e -> bit e/32 of hmask[e % 32].
    std::memset(y[i].hmask, 0, sizeof(y[i].hmask));
    for (int e = 0; e < kQK_K; ++e) {
      if (L[e] > 3) {
        y[i].hmask[e % 32] = uint8_t(y[i].hmask[e % 32] | (1u << (e / 32)));
        L[e] = int8_t(L[e] - 4);
      }
    }
    for (int h = 0; h < 2; ++h) {
      const int8_t* Lh = L + 128 * h;
      for (int l = 0; l < 32; ++l) {
        y[i].qs[32 * h + l] =
            uint8_t(Lh[l] | (Lh[l + 32] << 2) | (Lh[l + 64] << 4) | (Lh[l + 96] << 6));
      }
    }
  }
}

}  // namespace ondo::core::quant
