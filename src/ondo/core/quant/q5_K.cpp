// Reference (scalar) kernels of Q5_K (ggml type 13, 176 bytes per 256 values). Layer: core.
// Layout (ggml block_q5_K): d (f16), dmin (f16), scales[12], qh[32], qs[128].
//   8 sub-blocks of 32 with 6-bit scale sc and min m (packing: kq::scale_min_k4).
//   Element e = 64*c + 32*hi + l (c < 4, hi < 2, l < 32): low 4 bits from qs[32*c + l]
//   (low nibble when hi == 0, high when hi == 1), 5th bit = bit (2*c + hi) = e/32 of qh[l].
//   x = d * sc[e/32] * q - dmin * m[e/32], q in [0, 31].
// Mirrors llama.cpp's dequantize_row_q5_K, quantize_row_q5_K_ref and the integer sums of
// ggml_vec_dot_q5_K_q8_K (commit 34af94cd).
#pragma GCC optimize("fp-contract=off")

#include <cmath>
#include <cstring>

#include "ondo/core/fp16.h"
#include "ondo/core/quant/blocks.h"
#include "ondo/core/quant/kquant_util.h"
#include "ondo/core/quant/reference.h"

namespace ondo::core::quant {
namespace {

inline int q5_value(const BlockQ5_K& b, int e) {
  const uint8_t byte = b.qs[32 * (e / 64) + e % 32];
  const int low = (e % 64) < 32 ? (byte & 0xF) : (byte >> 4);
  return low | (((b.qh[e % 32] >> (e / 32)) & 1) << 4);
}

}  // namespace

void dequantize_row_q5_K(const void* src, float* dst, int64_t n) {
  const auto* x = static_cast<const BlockQ5_K*>(src);
  const int64_t nb = n / kQK_K;
  for (int64_t i = 0; i < nb; ++i) {
    const float d = fp16_to_f32(x[i].d);
    const float min = fp16_to_f32(x[i].dmin);
    for (int s = 0; s < 8; ++s) {
      uint8_t sc, m;
      kq::scale_min_k4(s, x[i].scales, &sc, &m);
      const float d1 = d * sc;
      const float m1 = min * m;
      for (int e = 32 * s; e < 32 * s + 32; ++e) dst[e] = d1 * q5_value(x[i], e) - m1;
    }
    dst += kQK_K;
  }
}

// As Q4_K: sum_i d_i * isum_i - dmin_i * msum_i with exact int32 isum and msum.
float vec_dot_q5_K_q8_K(const void* w, const void* xv, int64_t n) {
  const auto* x = static_cast<const BlockQ5_K*>(w);
  const auto* y = static_cast<const BlockQ8_K*>(xv);
  const int64_t nb = n / kQK_K;
  float sumf = 0;
  for (int64_t i = 0; i < nb; ++i) {
    int32_t isum = 0, msum = 0;
    for (int s = 0; s < 8; ++s) {
      uint8_t sc, m;
      kq::scale_min_k4(s, x[i].scales, &sc, &m);
      msum += m * (y[i].bsums[2 * s] + y[i].bsums[2 * s + 1]);
      int32_t sub = 0;
      for (int e = 32 * s; e < 32 * s + 32; ++e) sub += q5_value(x[i], e) * y[i].qs[e];
      isum += sc * sub;
    }
    const float d = fp16_to_f32(x[i].d) * y[i].d;
    const float dmin = fp16_to_f32(x[i].dmin) * y[i].d;
    sumf += d * isum - dmin * msum;
  }
  return sumf;
}

// quantize_row_q5_K_ref: as Q4_K with 31 levels and the search range -0.5 + 0.1*k, k <= 15.
void quantize_row_q5_K(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ5_K*>(dst);
  const int64_t nb = n / kQK_K;
  uint8_t L[kQK_K], Laux[32];
  float weights[32], mins[8], scales[8];
  for (int64_t i = 0; i < nb; ++i, src += kQK_K) {
    float max_scale = 0, max_min = 0;
    for (int j = 0; j < 8; ++j) {
      const float* xs = src + 32 * j;
      float sum_x2 = 0;
      for (int l = 0; l < 32; ++l) sum_x2 += xs[l] * xs[l];
      const float av_x = std::sqrt(sum_x2 / 32);
      for (int l = 0; l < 32; ++l) weights[l] = av_x + std::fabs(xs[l]);
      scales[j] = kq::make_qkx2_quants(32, 31, xs, weights, L + 32 * j, &mins[j], Laux, -0.5f,
                                       0.1f, 15, false);
      if (scales[j] > max_scale) max_scale = scales[j];
      if (mins[j] > max_min) max_min = mins[j];
    }
    const float inv_scale = max_scale > 0 ? 63.f / max_scale : 0.f;
    const float inv_min = max_min > 0 ? 63.f / max_min : 0.f;
    for (int j = 0; j < 8; ++j) {
      uint8_t ls = uint8_t(kq::nearest_int(inv_scale * scales[j]));
      uint8_t lm = uint8_t(kq::nearest_int(inv_min * mins[j]));
      ls = ls < 63 ? ls : 63;
      lm = lm < 63 ? lm : 63;
      kq::pack_scale_min_k4(j, ls, lm, y[i].scales);
    }
    y[i].d = f32_to_fp16(max_scale / 63.f);
    y[i].dmin = f32_to_fp16(max_min / 63.f);
    for (int j = 0; j < 8; ++j) {
      uint8_t sc, m;
      kq::scale_min_k4(j, y[i].scales, &sc, &m);
      const float d = fp16_to_f32(y[i].d) * sc;
      if (!d) continue;
      const float dm = fp16_to_f32(y[i].dmin) * m;
      for (int l = 0; l < 32; ++l) {
        const int q = kq::nearest_int((src[32 * j + l] + dm) / d);
        L[32 * j + l] = uint8_t(q < 0 ? 0 : q > 31 ? 31 : q);
      }
    }
    std::memset(y[i].qh, 0, sizeof(y[i].qh));
    for (int c = 0; c < 4; ++c) {
      for (int l = 0; l < 32; ++l) {
        const int l1 = L[64 * c + l], l2 = L[64 * c + 32 + l];
        y[i].qs[32 * c + l] = uint8_t((l1 & 0xF) | ((l2 & 0xF) << 4));
        y[i].qh[l] = uint8_t(y[i].qh[l] | ((l1 >> 4) << (2 * c)) | ((l2 >> 4) << (2 * c + 1)));
      }
    }
  }
}

}  // namespace ondo::core::quant
