// Reference (scalar) kernels of Q4_K (ggml type 12, 144 bytes per 256 values). Layer: core.
// Layout (ggml block_q4_K): d (f16), dmin (f16), scales[12], qs[128].
//   8 sub-blocks of 32 with 6-bit scale sc and min m (packing: kq::scale_min_k4).
//   Element e = 64*c + 32*hi + l (c < 4, hi < 2, l < 32): q = qs[32*c + l] low nibble when
//   hi == 0, high nibble when hi == 1; sub-block s = e / 32 = 2*c + hi.
//   x = d * sc[s] * q - dmin * m[s].
// Mirrors llama.cpp's dequantize_row_q4_K, quantize_row_q4_K_ref and the integer sums of
// ggml_vec_dot_q4_K_q8_K (commit 34af94cd).
#pragma GCC optimize("fp-contract=off")

#include <cmath>

#include "ondo/core/fp16.h"
#include "ondo/core/quant/blocks.h"
#include "ondo/core/quant/kquant_util.h"
#include "ondo/core/quant/reference.h"

namespace ondo::core::quant {
namespace {

inline int q4_value(const BlockQ4_K& b, int e) {
  const uint8_t byte = b.qs[32 * (e / 64) + e % 32];
  return (e % 64) < 32 ? (byte & 0xF) : (byte >> 4);
}

}  // namespace

void dequantize_row_q4_K(const void* src, float* dst, int64_t n) {
  const auto* x = static_cast<const BlockQ4_K*>(src);
  const int64_t nb = n / kQK_K;
  for (int64_t i = 0; i < nb; ++i) {
    const float d = fp16_to_f32(x[i].d);
    const float min = fp16_to_f32(x[i].dmin);
    for (int s = 0; s < 8; ++s) {
      uint8_t sc, m;
      kq::scale_min_k4(s, x[i].scales, &sc, &m);
      const float d1 = d * sc;
      const float m1 = min * m;
      for (int e = 32 * s; e < 32 * s + 32; ++e) dst[e] = d1 * q4_value(x[i], e) - m1;
    }
    dst += kQK_K;
  }
}

// sum_i d_i * (sum_s sc_s * <q_s, q8_s>) - dmin_i * (sum_s m_s * (bsums_2s + bsums_2s+1)),
// d_i and dmin_i multiplied by y.d; both inner sums exact int32.
float vec_dot_q4_K_q8_K(const void* w, const void* xv, int64_t n) {
  const auto* x = static_cast<const BlockQ4_K*>(w);
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
      for (int e = 32 * s; e < 32 * s + 32; ++e) sub += q4_value(x[i], e) * y[i].qs[e];
      isum += sc * sub;
    }
    const float d = fp16_to_f32(x[i].d) * y[i].d;
    const float dmin = fp16_to_f32(x[i].dmin) * y[i].d;
    sumf += d * isum - dmin * msum;
  }
  return sumf;
}

// quantize_row_q4_K_ref: per sub-block an affine fit (make_qkx2_quants, weights
// rms + |x|), 6-bit codes for scales and mins relative to their maxima, then the levels
// recomputed against the rounded scales.
void quantize_row_q4_K(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ4_K*>(dst);
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
      scales[j] = kq::make_qkx2_quants(32, 15, xs, weights, L + 32 * j, &mins[j], Laux, -1.f,
                                       0.1f, 20, false);
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
        L[32 * j + l] = uint8_t(q < 0 ? 0 : q > 15 ? 15 : q);
      }
    }
    for (int c = 0; c < 4; ++c) {
      for (int l = 0; l < 32; ++l) {
        y[i].qs[32 * c + l] = uint8_t(L[64 * c + l] | (L[64 * c + 32 + l] << 4));
      }
    }
  }
}

}  // namespace ondo::core::quant
