// Reference (scalar) kernels of Q6_K (ggml type 14, 210 bytes per 256 values). Layer: core.
// Layout (ggml block_q6_K): ql[128], qh[64], scales[16] (int8), d (f16).
//   16 sub-blocks of 16 with signed 8-bit scales.
//   Element e = 128*h + 32*k + l (h < 2, k < 4, l < 32):
//     low 4 bits: ql[64*h + 32*(k & 1) + l], low nibble for k < 2, high nibble for k >= 2
//     high 2 bits: (qh[32*h + l] >> 2*k) & 3
//   q6 = low | high << 4, in [0, 63];  x = d * scales[e/16] * (q6 - 32).
// Mirrors llama.cpp's dequantize_row_q6_K, quantize_row_q6_K_ref and the integer sums of
// ggml_vec_dot_q6_K_q8_K (commit 34af94cd).
#pragma GCC optimize("fp-contract=off")

#include <cmath>
#include <cstring>

#include "ondo/core/fp16.h"
#include "ondo/core/quant/blocks.h"
#include "ondo/core/quant/kquant_util.h"
#include "ondo/core/quant/q6_K_impl.h"
#include "ondo/core/quant/reference.h"

namespace ondo::core::quant {
namespace {

// The signed value of element e, q6 - 32 in [-32, 31].
inline int q6_value(const BlockQ6_K& b, int e) {
  const int h = e / 128, k = (e % 128) / 32, l = e % 32;
  const uint8_t lo_byte = b.ql[64 * h + 32 * (k & 1) + l];
  const int low = k < 2 ? (lo_byte & 0xF) : (lo_byte >> 4);
  const int high = (b.qh[32 * h + l] >> (2 * k)) & 3;
  return (low | (high << 4)) - 32;
}

}  // namespace

void dequantize_row_q6_K(const void* src, float* dst, int64_t n) {
  const auto* x = static_cast<const BlockQ6_K*>(src);
  const int64_t nb = n / kQK_K;
  for (int64_t i = 0; i < nb; ++i) {
    const float d = fp16_to_f32(x[i].d);
    for (int e = 0; e < kQK_K; ++e) dst[e] = d * x[i].scales[e / 16] * q6_value(x[i], e);
    dst += kQK_K;
  }
}

// sum_i d_i * sum_s sc_s * <q6_s - 32, q8_s> (exact int32 per super-block), d_i = d * y.d.
float vec_dot_q6_K_q8_K(const void* w, const void* xv, int64_t n) {
  const auto* x = static_cast<const BlockQ6_K*>(w);
  const auto* y = static_cast<const BlockQ8_K*>(xv);
  const int64_t nb = n / kQK_K;
  float sumf = 0;
  for (int64_t i = 0; i < nb; ++i) {
    int32_t isum = 0;
    for (int s = 0; s < 16; ++s) {
      int32_t sub = 0;
      for (int e = 16 * s; e < 16 * s + 16; ++e) sub += q6_value(x[i], e) * y[i].qs[e];
      isum += x[i].scales[s] * sub;
    }
    const float d = fp16_to_f32(x[i].d) * y[i].d;
    sumf += d * isum;
  }
  return sumf;
}

// quantize_row_q6_K_ref: per sub-block a symmetric fit weighted by x^2 (make_qx_quants,
// nmax 32), then the block packing of q6_K_impl.h.
void quantize_row_q6_K(const float* src, void* dst, int64_t n) {
  quantize_q6_K_blocks(src, dst, n, [](int64_t, int, const float* x, int8_t* L) {
    return kq::make_qx_quants(16, 32, x, L, 1);
  });
}

}  // namespace ondo::core::quant
