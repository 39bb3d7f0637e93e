// Reference (scalar) kernels of Q4_1, the oracle for the SIMD variants. Layer: core.
// Semantics follow llama.cpp's quantize_row_q4_1_ref / dequantize_row_q4_1 /
// ggml_vec_dot_q4_1_q8_1 (commit 34af94cd, facts only). Must not touch anything above core.
//
// Block (20 bytes): d (fp16) | m (fp16) | qs[16]. Element j (0..15) is the low nibble of
// qs[j], element j + 16 the high nibble; x = d * q + m, q in 0..15.
#include <cfloat>
#include <cstring>

#include "ondo/core/fp16.h"
#include "ondo/core/quant/blocks.h"
#include "ondo/core/quant/legacy_util.h"
#include "ondo/core/quant/reference.h"

namespace ondo::core::quant {

void quantize_row_q4_1(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ4_1*>(dst);
  for (int64_t i = 0; i < n / kQK4_1; ++i, src += kQK4_1) {
    if (!block_is_finite(src, kQK4_1)) {
      y[i].d = kFp16NaN;
      y[i].m = kFp16NaN;
      std::memset(y[i].qs, 0, sizeof(y[i].qs));
      continue;
    }
    float min = FLT_MAX, max = -FLT_MAX;
    for (int j = 0; j < kQK4_1; ++j) {
      if (src[j] < min) min = src[j];
      if (src[j] > max) max = src[j];
    }
    // 16 levels from min to max; m is the unrounded min (stored as fp16)
    const float d = (max - min) / 15.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[i].d = f32_to_fp16(d);
    y[i].m = f32_to_fp16(min);
    for (int j = 0; j < kQK4_1 / 2; ++j) {
      // (int8_t)((x - min)*id + 0.5f): truncation = round half up, clamped to 15
      const int8_t a = static_cast<int8_t>(x86_cvt_trunc((src[j] - min) * id + 0.5f));
      const int8_t b = static_cast<int8_t>(x86_cvt_trunc((src[j + 16] - min) * id + 0.5f));
      const uint8_t xa = static_cast<uint8_t>(a < 15 ? a : 15);
      const uint8_t xb = static_cast<uint8_t>(b < 15 ? b : 15);
      y[i].qs[j] = static_cast<uint8_t>(xa | (xb << 4));
    }
  }
}

void dequantize_row_q4_1(const void* src, float* dst, int64_t n) {
  const auto* x = static_cast<const BlockQ4_1*>(src);
  for (int64_t i = 0; i < n / kQK4_1; ++i, dst += kQK4_1) {
    const float d = fp16_to_f32(x[i].d);
    const float m = fp16_to_f32(x[i].m);
    for (int j = 0; j < kQK4_1 / 2; ++j) {
      dst[j] = float(x[i].qs[j] & 0x0F) * d + m;
      dst[j + 16] = float(x[i].qs[j] >> 4) * d + m;
    }
  }
}

// sum over blocks of (d_w * d_x) * sumi + m_w * s_x, where s_x = d_x * sum(q_x) comes
// stored in the Q8_1 block; accumulated in double.
float vec_dot_q4_1_q8_1(const void* w, const void* x, int64_t n) {
  const auto* a = static_cast<const BlockQ4_1*>(w);
  const auto* b = static_cast<const BlockQ8_1*>(x);
  double sum = 0.0;
  for (int64_t i = 0; i < n / kQK4_1; ++i) {
    int32_t sumi = 0;
    for (int j = 0; j < kQK4_1 / 2; ++j) {
      sumi += (a[i].qs[j] & 0x0F) * b[i].qs[j];
      sumi += (a[i].qs[j] >> 4) * b[i].qs[j + 16];
    }
    const float d = fp16_to_f32(a[i].d) * fp16_to_f32(b[i].d);
    sum += double(d * float(sumi));
    sum += double(fp16_to_f32(a[i].m) * fp16_to_f32(b[i].s));
  }
  return float(sum);
}

}  // namespace ondo::core::quant
