// Reference (scalar) kernels of Q8_1, the activation partner of Q4_1 and Q5_1. Layer: core.
// Must not touch anything above core.
//
// Block (36 bytes): d (fp16) | s (fp16) | qs[32] (int8); x = d * q, s = d * sum(q).
// quantize_row_q8_1 follows ggml-cpu's x86 path (llama.cpp commit 34af94cd), which the
// reference data was made with: d = amax / 127, id = 127 / amax, q = round-to-nearest-even
// (x * id) saturated to int8, and s = fp16(d * sum of the int32 quants before saturation)
// with d the float scale (not its fp16 rounding) and the sum of the integers, not of the
// floats. dequantize ignores s.
#include <cstring>

#include "ondo/core/fp16.h"
#include "ondo/core/quant/blocks.h"
#include "ondo/core/quant/legacy_util.h"
#include "ondo/core/quant/reference.h"

namespace ondo::core::quant {

void quantize_row_q8_1(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ8_1*>(dst);
  for (int64_t i = 0; i < n / kQK8_1; ++i, src += kQK8_1) {
    if (!block_is_finite(src, kQK8_1)) {
      y[i].d = kFp16NaN;
      y[i].s = kFp16NaN;
      std::memset(y[i].qs, 0, sizeof(y[i].qs));
      continue;
    }
    float amax = 0.0f;
    for (int j = 0; j < kQK8_1; ++j) amax = std::fabs(src[j]) > amax ? std::fabs(src[j]) : amax;
    const float d = amax / 127.0f;
    const float id = amax != 0.0f ? 127.0f / amax : 0.0f;
    y[i].d = f32_to_fp16(d);
    uint32_t sum = 0;  // int32 lanes add with wrap-around, as the SIMD sum does
    for (int j = 0; j < kQK8_1; ++j) {
      const int32_t q = x86_cvt_round(src[j] * id);
      sum += uint32_t(q);
      y[i].qs[j] = sat_i8(q);
    }
    y[i].s = f32_to_fp16(d * float(static_cast<int32_t>(sum)));
  }
}

void dequantize_row_q8_1(const void* src, float* dst, int64_t n) {
  const auto* x = static_cast<const BlockQ8_1*>(src);
  for (int64_t i = 0; i < n / kQK8_1; ++i, dst += kQK8_1) {
    const float d = fp16_to_f32(x[i].d);
    for (int j = 0; j < kQK8_1; ++j) dst[j] = float(x[i].qs[j]) * d;
  }
}

}  // namespace ondo::core::quant
