// Reference (scalar) kernels of Q4_0, the oracle for the SIMD variants. Layer: core.
// Semantics follow llama.cpp's quantize_row_q4_0_ref / dequantize_row_q4_0 /
// ggml_vec_dot_q4_0_q8_0 (commit 34af94cd, facts only). Must not touch anything above core.
//
// Block (18 bytes): d (fp16) | qs[16]. Element j (0..15) is the low nibble of qs[j],
// element j + 16 the high nibble of qs[j]; x = d * (q - 8), q in 0..15.
#include <cstring>

#include "ondo/core/fp16.h"
#include "ondo/core/quant/blocks.h"
#include "ondo/core/quant/legacy_util.h"
#include "ondo/core/quant/reference.h"

namespace ondo::core::quant {

void quantize_row_q4_0(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ4_0*>(dst);
  for (int64_t i = 0; i < n / kQK4_0; ++i, src += kQK4_0) {
    if (!block_is_finite(src, kQK4_0)) {
      y[i].d = kFp16NaN;
      std::memset(y[i].qs, 0, sizeof(y[i].qs));
      continue;
    }
    // max: the value of largest magnitude, sign kept (first one on ties)
    float amax = 0.0f, max = 0.0f;
    for (int j = 0; j < kQK4_0; ++j) {
      if (amax < std::fabs(src[j])) { amax = std::fabs(src[j]); max = src[j]; }
    }
    // d = max / -8 maps max to q = 0 (-8 after the offset); the opposite extreme clamps to 15
    const float d = max / -8.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[i].d = f32_to_fp16(d);
    for (int j = 0; j < kQK4_0 / 2; ++j) {
      // (int8_t)(x*id + 8.5f): truncation, i.e. round half up around the offset 8
      const int8_t a = static_cast<int8_t>(x86_cvt_trunc(src[j] * id + 8.5f));
      const int8_t b = static_cast<int8_t>(x86_cvt_trunc(src[j + 16] * id + 8.5f));
      const uint8_t xa = static_cast<uint8_t>(a < 15 ? a : 15);
      const uint8_t xb = static_cast<uint8_t>(b < 15 ? b : 15);
      y[i].qs[j] = static_cast<uint8_t>(xa | (xb << 4));
    }
  }
}

void dequantize_row_q4_0(const void* src, float* dst, int64_t n) {
  const auto* x = static_cast<const BlockQ4_0*>(src);
  for (int64_t i = 0; i < n / kQK4_0; ++i, dst += kQK4_0) {
    const float d = fp16_to_f32(x[i].d);
    for (int j = 0; j < kQK4_0 / 2; ++j) {
      dst[j] = float((x[i].qs[j] & 0x0F) - 8) * d;
      dst[j + 16] = float((x[i].qs[j] >> 4) - 8) * d;
    }
  }
}

// sum over blocks of (d_w * d_x) * sumi, sumi the exact integer dot product of the block;
// accumulated in double so that it is the most exact of all the variants.
float vec_dot_q4_0_q8_0(const void* w, const void* x, int64_t n) {
  const auto* a = static_cast<const BlockQ4_0*>(w);
  const auto* b = static_cast<const BlockQ8_0*>(x);
  double sum = 0.0;
  for (int64_t i = 0; i < n / kQK4_0; ++i) {
    int32_t sumi = 0;
    for (int j = 0; j < kQK4_0 / 2; ++j) {
      sumi += ((a[i].qs[j] & 0x0F) - 8) * b[i].qs[j];
      sumi += ((a[i].qs[j] >> 4) - 8) * b[i].qs[j + 16];
    }
    const float d = fp16_to_f32(a[i].d) * fp16_to_f32(b[i].d);
    sum += double(d * float(sumi));
  }
  return float(sum);
}

}  // namespace ondo::core::quant
