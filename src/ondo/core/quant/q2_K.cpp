// Reference (scalar) kernels of Q2_K (ggml type 10, 84 bytes per 256 values). Layer: core.
// Layout (ggml block_q2_K): scales[16], qs[64], d (f16), dmin (f16).
//   16 sub-blocks of 16; scales[s] low nibble = scale code, high nibble = min code.
//   Element e = 128*h + 32*j + l (h < 2, j < 4, l < 32): q = (qs[32*h + l] >> 2*j) & 3,
//   sub-block s = e / 16.   x = d * (scales[s] & 0xF) * q - dmin * (scales[s] >> 4).
// Mirrors llama.cpp's dequantize_row_q2_K, quantize_row_q2_K_ref and the integer sums of
// ggml_vec_dot_q2_K_q8_K (commit 34af94cd).
#pragma GCC optimize("fp-contract=off")

#include <cmath>

#include "ondo/core/fp16.h"
#include "ondo/core/quant/blocks.h"
#include "ondo/core/quant/kquant_util.h"
#include "ondo/core/quant/reference.h"

namespace ondo::core::quant {

void dequantize_row_q2_K(const void* src, float* dst, int64_t n) {
  const auto* x = static_cast<const BlockQ2_K*>(src);
  const int64_t nb = n / kQK_K;
  for (int64_t i = 0; i < nb; ++i) {
    const float d = fp16_to_f32(x[i].d);
    const float dmin = fp16_to_f32(x[i].dmin);
    for (int e = 0; e < kQK_K; ++e) {
      const int h = e / 128, j = (e % 128) / 32, l = e % 32;
      const uint8_t sc = x[i].scales[e / 16];
      const float dl = d * (sc & 0xF);
      const float ml = dmin * (sc >> 4);
      const int q = (x[i].qs[32 * h + l] >> (2 * j)) & 3;
      dst[e] = dl * q - ml;
    }
    dst += kQK_K;
  }
}

// sum_i d_i * (sum_s sc_s * <q_s, q8_s>) - dmin_i * (sum_s m_s * bsums_s), with d_i and dmin_i
// already multiplied by the Q8_K block's d; both inner sums are exact int32.
float vec_dot_q2_K_q8_K(const void* w, const void* xv, int64_t n) {
  const auto* x = static_cast<const BlockQ2_K*>(w);
  const auto* y = static_cast<const BlockQ8_K*>(xv);
  const int64_t nb = n / kQK_K;
  float sumf = 0;
  for (int64_t i = 0; i < nb; ++i) {
    int32_t summs = 0;
    for (int s = 0; s < 16; ++s) summs += y[i].bsums[s] * (x[i].scales[s] >> 4);
    int32_t isum = 0;
    for (int s = 0; s < 16; ++s) {
      int32_t sub = 0;
      for (int e = 16 * s; e < 16 * s + 16; ++e) {
        const int q = (x[i].qs[32 * (e / 128) + e % 32] >> (2 * ((e % 128) / 32))) & 3;
        sub += q * y[i].qs[e];
      }
      isum += (x[i].scales[s] & 0xF) * sub;
    }
    const float dall = y[i].d * fp16_to_f32(x[i].d);
    const float dmin = y[i].d * fp16_to_f32(x[i].dmin);
    sumf += dall * isum - dmin * summs;
  }
  return sumf;
}

// quantize_row_q2_K_ref: per sub-block an affine fit (make_qkx2_quants, weights |x|, mean
// absolute error), then 4-bit codes for scales and mins relative to their maxima, then
// the levels recomputed against the rounded scales.
void quantize_row_q2_K(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ2_K*>(dst);
  const int64_t nb = n / kQK_K;
  const float q4scale = 15.f;
  uint8_t L[kQK_K], Laux[16];
  float weights[16], mins[16], scales[16];
  for (int64_t i = 0; i < nb; ++i, src += kQK_K) {
    float max_scale = 0, max_min = 0;
    for (int j = 0; j < 16; ++j) {
      for (int l = 0; l < 16; ++l) weights[l] = std::fabs(src[16 * j + l]);
      scales[j] = kq::make_qkx2_quants(16, 3, src + 16 * j, weights, L + 16 * j, &mins[j], Laux,
                                       -0.5f, 0.1f, 15, true);
      if (scales[j] > max_scale) max_scale = scales[j];
      if (mins[j] > max_min) max_min = mins[j];
    }
    if (max_scale > 0) {
      const float iscale = q4scale / max_scale;
      for (int j = 0; j < 16; ++j) y[i].scales[j] = uint8_t(kq::nearest_int(iscale * scales[j]));
      y[i].d = f32_to_fp16(max_scale / q4scale);
    } else {
      for (int j = 0; j < 16; ++j) y[i].scales[j] = 0;
      y[i].d = f32_to_fp16(0.f);
    }
    if (max_min > 0) {
      const float iscale = q4scale / max_min;
      for (int j = 0; j < 16; ++j) {
        y[i].scales[j] = uint8_t(y[i].scales[j] | (kq::nearest_int(iscale * mins[j]) << 4));
      }
      y[i].dmin = f32_to_fp16(max_min / q4scale);
    } else {
      y[i].dmin = f32_to_fp16(0.f);
    }
    for (int j = 0; j < 16; ++j) {
      const float d = fp16_to_f32(y[i].d) * (y[i].scales[j] & 0xF);
      if (!d) continue;
      const float dm = fp16_to_f32(y[i].dmin) * (y[i].scales[j] >> 4);
      for (int l = 0; l < 16; ++l) {
        const int q = kq::nearest_int((src[16 * j + l] + dm) / d);
        L[16 * j + l] = uint8_t(q < 0 ? 0 : q > 3 ? 3 : q);
      }
    }
    for (int h = 0; h < 2; ++h) {
      const uint8_t* Lh = L + 128 * h;
      for (int l = 0; l < 32; ++l) {
        y[i].qs[32 * h + l] =
            uint8_t(Lh[l] | (Lh[l + 32] << 2) | (Lh[l + 64] << 4) | (Lh[l + 96] << 6));
      }
    }
  }
}

}  // namespace ondo::core::quant
