// Reference (scalar) kernels of Q8_K, the activation partner of the K types. Layer: core.
// Block of 256: x = d * q (d float, q int8 in [-127, 127]); bsums[j] = sum of q[16j..16j+15].
// quantize_row_q8_K mirrors ggml's quantize_row_q8_K_ref, which is what llama.cpp's CPU
// backend runs on x86 (ggml-cpu/arch/x86/quants.c forwards to it; commit 34af94cd).
#pragma GCC optimize("fp-contract=off")

#include <cmath>
#include <cstring>

#include "ondo/core/quant/blocks.h"
#include "ondo/core/quant/kquant_util.h"
#include "ondo/core/quant/reference.h"

namespace ondo::core::quant {

void quantize_row_q8_K(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ8_K*>(dst);
  const int64_t nb = n / kQK_K;
  for (int64_t i = 0; i < nb; ++i, src += kQK_K) {
    // max: the first element of largest magnitude, with its sign (NaNs never win).
    float max = 0, amax = 0;
    for (int j = 0; j < kQK_K; ++j) {
      const float ax = std::fabs(src[j]);
      if (ax > amax) {
        amax = ax;
        max = src[j];
      }
    }
    if (amax == 0) {  // ggml leaves bsums unset here; we zero them
      std::memset(&y[i], 0, sizeof(BlockQ8_K));
      continue;
    }
    // iscale = -127/max maps max to -127 exactly (ggml chose -127 over -128 for IQ2_XXS).
    const float iscale = -127.f / max;
    for (int j = 0; j < kQK_K; ++j) {
      const int v = kq::nearest_int(iscale * src[j]);
      y[i].qs[j] = int8_t(v < 127 ? v : 127);
    }
    for (int j = 0; j < kQK_K / 16; ++j) {
      int sum = 0;
      for (int l = 0; l < 16; ++l) sum += y[i].qs[16 * j + l];
      y[i].bsums[j] = int16_t(sum);
    }
    y[i].d = 1 / iscale;
  }
}

void dequantize_row_q8_K(const void* src, float* dst, int64_t n) {
  const auto* x = static_cast<const BlockQ8_K*>(src);
  const int64_t nb = n / kQK_K;
  for (int64_t i = 0; i < nb; ++i) {
    for (int j = 0; j < kQK_K; ++j) *dst++ = x[i].d * x[i].qs[j];
  }
}

}  // namespace ondo::core::quant
