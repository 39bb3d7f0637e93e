// The Q6_K block recipe shared by the reference quantizer (q6_K.cpp) and the importance-
// weighted one (weighted_kquants.cpp); they differ only in each sub-block's scale fit.
// Layer: core (internal to core/quant). Include from a file compiled with fp-contract off.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#include "ondo/core/fp16.h"
#include "ondo/core/quant/blocks.h"
#include "ondo/core/quant/kquant_util.h"

namespace ondo::core::quant {

// Quantizes n floats (n a multiple of 256) into Q6_K blocks at dst. `fit(block, ib, x, L)`
// fits the 16 values x of sub-block ib of block `block`, writes their levels L (0..63) and
// returns the sub-block's scale. Then: 8-bit signed scale codes relative to the scale of
// largest magnitude (mapped to -128), the levels recomputed against the rounded scales, and
// the 4+2-bit packing.
template <typename Fit>
void quantize_q6_K_blocks(const float* src, void* dst, int64_t n, const Fit& fit) {
  auto* y = static_cast<BlockQ6_K*>(dst);
  const int64_t nb = n / kQK_K;
  int8_t L[kQK_K];
  float scales[16];
  for (int64_t i = 0; i < nb; ++i, src += kQK_K) {
    float max_scale = 0, max_abs_scale = 0;
    for (int ib = 0; ib < 16; ++ib) {
      scales[ib] = fit(i, ib, src + 16 * ib, L + 16 * ib);
      const float abs_scale = std::fabs(scales[ib]);
      if (abs_scale > max_abs_scale) {
        max_abs_scale = abs_scale;
        max_scale = scales[ib];
      }
    }
    if (max_abs_scale < 1e-15f) {  // ggml's GROUP_MAX_EPS: an all-zero block
      std::memset(&y[i], 0, sizeof(BlockQ6_K));
      continue;
    }
    const float iscale = -128.f / max_scale;
    y[i].d = f32_to_fp16(1 / iscale);
    for (int ib = 0; ib < 16; ++ib) {
      const int v = kq::nearest_int(iscale * scales[ib]);
      y[i].scales[ib] = int8_t(v < 127 ? v : 127);
    }
    for (int j = 0; j < 16; ++j) {
      const float d = fp16_to_f32(y[i].d) * y[i].scales[j];
      if (!d) continue;
      for (int l = 0; l < 16; ++l) {
        const int q = kq::nearest_int(src[16 * j + l] / d);
        L[16 * j + l] = int8_t((q < -32 ? -32 : q > 31 ? 31 : q) + 32);
      }
    }
    for (int h = 0; h < 2; ++h) {
      const int8_t* Lh = L + 128 * h;
      for (int l = 0; l < 32; ++l) {
        y[i].ql[64 * h + l] = uint8_t((Lh[l] & 0xF) | ((Lh[l + 64] & 0xF) << 4));
        y[i].ql[64 * h + 32 + l] = uint8_t((Lh[l + 32] & 0xF) | ((Lh[l + 96] & 0xF) << 4));
        y[i].qh[32 * h + l] = uint8_t((Lh[l] >> 4) | ((Lh[l + 32] >> 4) << 2) |
                                      ((Lh[l + 64] >> 4) << 4) | ((Lh[l + 96] >> 4) << 6));
      }
    }
  }
}

}  // namespace ondo::core::quant
