// Reference (scalar) kernels of Q5_1, the oracle for the SIMD variants. Layer: core.
// Semantics follow llama.cpp's quantize_row_q5_1_ref / dequantize_row_q5_1 /
// ggml_vec_dot_q5_1_q8_1 (commit 34af94cd, facts only). Must not touch anything above core.
//
// Block (24 bytes): d (fp16) | m (fp16) | qh[4] | qs[16]. Low 4 bits of element j (0..15)
// in the low nibble of qs[j], of element j + 16 in the high nibble; the 5th bit of element
// k is bit k of qh as a little-endian uint32. x = d * q + m, q in 0..31.
#include <cfloat>
#include <cstring>

#include "ondo/core/fp16.h"
#include "ondo/core/quant/blocks.h"
#include "ondo/core/quant/legacy_util.h"
#include "ondo/core/quant/reference.h"

namespace ondo::core::quant {

namespace {

inline uint32_t load_qh(const uint8_t* qh) {
  return uint32_t(qh[0]) | uint32_t(qh[1]) << 8 | uint32_t(qh[2]) << 16 | uint32_t(qh[3]) << 24;
}

inline int q5_at(const uint8_t* qs, uint32_t qh, int k) {
  const int lo = k < 16 ? (qs[k] & 0x0F) : (qs[k - 16] >> 4);
  return lo | int((qh >> k) & 1u) << 4;
}

}  // namespace

void quantize_row_q5_1(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ5_1*>(dst);
  for (int64_t i = 0; i < n / kQK5_1; ++i, src += kQK5_1) {
    if (!block_is_finite(src, kQK5_1)) {
      y[i].d = kFp16NaN;
      y[i].m = kFp16NaN;
      std::memset(y[i].qh, 0, sizeof(y[i].qh));
      std::memset(y[i].qs, 0, sizeof(y[i].qs));
      continue;
    }
    float min = FLT_MAX, max = -FLT_MAX;
    for (int j = 0; j < kQK5_1; ++j) {
      if (src[j] < min) min = src[j];
      if (src[j] > max) max = src[j];
    }
    const float d = (max - min) / 31.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[i].d = f32_to_fp16(d);
    y[i].m = f32_to_fp16(min);
    uint32_t qh = 0;
    for (int j = 0; j < kQK5_1 / 2; ++j) {
      // (uint8_t)((x - min)*id + 0.5f): round half up; llama.cpp does not clamp here
      const uint8_t xa = static_cast<uint8_t>(x86_cvt_trunc((src[j] - min) * id + 0.5f));
      const uint8_t xb = static_cast<uint8_t>(x86_cvt_trunc((src[j + 16] - min) * id + 0.5f));
      y[i].qs[j] = static_cast<uint8_t>((xa & 0x0F) | ((xb & 0x0F) << 4));
      qh |= uint32_t((xa & 0x10u) >> 4) << j;
      qh |= uint32_t((xb & 0x10u) >> 4) << (j + 16);
    }
    for (int k = 0; k < 4; ++k) y[i].qh[k] = uint8_t(qh >> (8 * k));
  }
}

void dequantize_row_q5_1(const void* src, float* dst, int64_t n) {
  const auto* x = static_cast<const BlockQ5_1*>(src);
  for (int64_t i = 0; i < n / kQK5_1; ++i, dst += kQK5_1) {
    const float d = fp16_to_f32(x[i].d);
    const float m = fp16_to_f32(x[i].m);
    const uint32_t qh = load_qh(x[i].qh);
    for (int k = 0; k < kQK5_1; ++k) dst[k] = float(q5_at(x[i].qs, qh, k)) * d + m;
  }
}

// sum over blocks of (d_w * d_x) * sumi + m_w * s_x; accumulated in double.
float vec_dot_q5_1_q8_1(const void* w, const void* x, int64_t n) {
  const auto* a = static_cast<const BlockQ5_1*>(w);
  const auto* b = static_cast<const BlockQ8_1*>(x);
  double sum = 0.0;
  for (int64_t i = 0; i < n / kQK5_1; ++i) {
    const uint32_t qh = load_qh(a[i].qh);
    int32_t sumi = 0;
    for (int k = 0; k < kQK5_1; ++k) sumi += q5_at(a[i].qs, qh, k) * b[i].qs[k];
    const float d = fp16_to_f32(a[i].d) * fp16_to_f32(b[i].d);
    sum += double(d * float(sumi));
    sum += double(fp16_to_f32(a[i].m) * fp16_to_f32(b[i].s));
  }
  return float(sum);
}

}  // namespace ondo::core::quant
