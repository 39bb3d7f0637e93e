// Reference (scalar) kernels of Q5_0, the oracle for the SIMD variants. Layer: core.
// Semantics follow llama.cpp's quantize_row_q5_0_ref / dequantize_row_q5_0 /
// ggml_vec_dot_q5_0_q8_0 (commit 34af94cd, facts only). Must not touch anything above core.
//
// Block (22 bytes): d (fp16) | qh[4] | qs[16]. The low 4 bits of element j (0..15) are the
// low nibble of qs[j], of element j + 16 the high nibble; the 5th bit of element k (0..31)
// is bit k of qh read as a little-endian uint32. x = d * (q - 16), q in 0..31.
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

inline void store_qh(uint8_t* qh, uint32_t v) {
  for (int k = 0; k < 4; ++k) qh[k] = uint8_t(v >> (8 * k));
}

// The 5-bit quant of element k of a Q5 block.
inline int q5_at(const uint8_t* qs, uint32_t qh, int k) {
  const int lo = k < 16 ? (qs[k] & 0x0F) : (qs[k - 16] >> 4);
  return lo | int((qh >> k) & 1u) << 4;
}

}  // namespace

void quantize_row_q5_0(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ5_0*>(dst);
  for (int64_t i = 0; i < n / kQK5_0; ++i, src += kQK5_0) {
    if (!block_is_finite(src, kQK5_0)) {
      y[i].d = kFp16NaN;
      std::memset(y[i].qh, 0, sizeof(y[i].qh));
      std::memset(y[i].qs, 0, sizeof(y[i].qs));
      continue;
    }
    float amax = 0.0f, max = 0.0f;  // largest magnitude, sign kept (first on ties)
    for (int j = 0; j < kQK5_0; ++j) {
      if (amax < std::fabs(src[j])) { amax = std::fabs(src[j]); max = src[j]; }
    }
    const float d = max / -16.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[i].d = f32_to_fp16(d);
    uint32_t qh = 0;
    for (int j = 0; j < kQK5_0 / 2; ++j) {
      // (int8_t)(x*id + 16.5f) clamped to 31, then kept as uint8_t
      const int8_t a = static_cast<int8_t>(x86_cvt_trunc(src[j] * id + 16.5f));
      const int8_t b = static_cast<int8_t>(x86_cvt_trunc(src[j + 16] * id + 16.5f));
      const uint8_t xa = static_cast<uint8_t>(a < 31 ? a : 31);
      const uint8_t xb = static_cast<uint8_t>(b < 31 ? b : 31);
      y[i].qs[j] = static_cast<uint8_t>((xa & 0x0F) | ((xb & 0x0F) << 4));
      qh |= uint32_t((xa & 0x10u) >> 4) << j;
      qh |= uint32_t((xb & 0x10u) >> 4) << (j + 16);
    }
    store_qh(y[i].qh, qh);
  }
}

void dequantize_row_q5_0(const void* src, float* dst, int64_t n) {
  const auto* x = static_cast<const BlockQ5_0*>(src);
  for (int64_t i = 0; i < n / kQK5_0; ++i, dst += kQK5_0) {
    const float d = fp16_to_f32(x[i].d);
    const uint32_t qh = load_qh(x[i].qh);
    for (int k = 0; k < kQK5_0; ++k) dst[k] = float(q5_at(x[i].qs, qh, k) - 16) * d;
  }
}

// sum over blocks of (d_w * d_x) * sumi; accumulated in double.
float vec_dot_q5_0_q8_0(const void* w, const void* x, int64_t n) {
  const auto* a = static_cast<const BlockQ5_0*>(w);
  const auto* b = static_cast<const BlockQ8_0*>(x);
  double sum = 0.0;
  for (int64_t i = 0; i < n / kQK5_0; ++i) {
    const uint32_t qh = load_qh(a[i].qh);
    int32_t sumi = 0;
    for (int k = 0; k < kQK5_0; ++k) sumi += (q5_at(a[i].qs, qh, k) - 16) * b[i].qs[k];
    const float d = fp16_to_f32(a[i].d) * fp16_to_f32(b[i].d);
    sum += double(d * float(sumi));
  }
  return float(sum);
}

}  // namespace ondo::core::quant
