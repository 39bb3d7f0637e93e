// Reference (scalar) kernels of Q8_0, the oracle for the SIMD variants. Layer: core.
// Must not touch anything above core.
//
// Block (34 bytes): d (fp16) | qs[32] (int8, element k in qs[k]); x = d * q.
// Q8_0 is both a weight type and the activation partner of Q4_0/Q5_0/Q8_0, and llama.cpp
// (commit 34af94cd) quantizes the two differently:
//  - quantize_row_q8_0 (activations, what the engine runs): ggml-cpu's x86 path, which the
//    reference data was made with: d = amax / 127, id = 127 / amax (not 1/d: differs in
//    the last bit), q = round-to-nearest-even(x * id) (_mm256_round_ps), saturated to int8.
//  - quantize_row_q8_0_model (writing model files): quantize_row_q8_0_ref: id = 1/d and
//    roundf (ties away from zero).
#include <cstring>

#include "ondo/core/fp16.h"
#include "ondo/core/quant/blocks.h"
#include "ondo/core/quant/legacy_util.h"
#include "ondo/core/quant/reference.h"

namespace ondo::core::quant {

namespace {

inline float block_amax(const float* x, int n) {
  float amax = 0.0f;
  for (int j = 0; j < n; ++j) amax = std::fabs(x[j]) > amax ? std::fabs(x[j]) : amax;
  return amax;
}

}  // namespace

void quantize_row_q8_0(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ8_0*>(dst);
  for (int64_t i = 0; i < n / kQK8_0; ++i, src += kQK8_0) {
    if (!block_is_finite(src, kQK8_0)) {
      y[i].d = kFp16NaN;
      std::memset(y[i].qs, 0, sizeof(y[i].qs));
      continue;
    }
    const float amax = block_amax(src, kQK8_0);
    const float d = amax / 127.0f;
    const float id = amax != 0.0f ? 127.0f / amax : 0.0f;
    y[i].d = f32_to_fp16(d);
    // cvtps2dq then two saturating packs; with amax below ~3.7e-37 id overflows to inf
    // and every quant becomes -128 (d rounds to fp16 0, so the block still reads as 0)
    for (int j = 0; j < kQK8_0; ++j) y[i].qs[j] = sat_i8(x86_cvt_round(src[j] * id));
  }
}

void quantize_row_q8_0_model(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ8_0*>(dst);
  for (int64_t i = 0; i < n / kQK8_0; ++i, src += kQK8_0) {
    if (!block_is_finite(src, kQK8_0)) {
      y[i].d = kFp16NaN;
      std::memset(y[i].qs, 0, sizeof(y[i].qs));
      continue;
    }
    const float d = block_amax(src, kQK8_0) / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[i].d = f32_to_fp16(d);
    // roundf of a float in [-127, 127] (or inf/nan when id overflows): x86 float->int8
    for (int j = 0; j < kQK8_0; ++j) {
      y[i].qs[j] = static_cast<int8_t>(x86_cvt_trunc(std::round(src[j] * id)));
    }
  }
}

void dequantize_row_q8_0(const void* src, float* dst, int64_t n) {
  const auto* x = static_cast<const BlockQ8_0*>(src);
  for (int64_t i = 0; i < n / kQK8_0; ++i, dst += kQK8_0) {
    const float d = fp16_to_f32(x[i].d);
    for (int j = 0; j < kQK8_0; ++j) dst[j] = float(x[i].qs[j]) * d;
  }
}

// sum over blocks of (d_w * d_x) * sumi; accumulated in double.
float vec_dot_q8_0_q8_0(const void* w, const void* x, int64_t n) {
  const auto* a = static_cast<const BlockQ8_0*>(w);
  const auto* b = static_cast<const BlockQ8_0*>(x);
  double sum = 0.0;
  for (int64_t i = 0; i < n / kQK8_0; ++i) {
    int32_t sumi = 0;
    for (int j = 0; j < kQK8_0; ++j) sumi += int32_t(a[i].qs[j]) * b[i].qs[j];
    const float d = fp16_to_f32(a[i].d) * fp16_to_f32(b[i].d);
    sum += double(d * float(sumi));
  }
  return float(sum);
}

}  // namespace ondo::core::quant
