// Importance-weighted legacy rows (llama.cpp's quantize_row_q{4,5}_{0,1}_impl with quant
// weights; facts only) and the dispatcher of weighted.h. Layer: core. Scalar; ggml's float
// order, unfused. Each element's weight is qw * sqrt(sigma^2 + x^2) with sigma^2 the row's
// mean square; symmetric types fit with make_qx_quants_weighted, affine ones with the
// weighted (scale, min) search (make_qkx2_quants, llama.cpp's make_qkx3_quants).
#pragma GCC optimize("fp-contract=off")

#include "ondo/core/quant/weighted.h"

#include <cmath>
#include <cstring>

#include "ondo/core/fp16.h"
#include "ondo/core/quant/blocks.h"
#include "ondo/core/quant/kquant_util.h"
#include "ondo/core/quant/weighted_impl.h"

namespace ondo::core::quant {
namespace weighted {
namespace {

constexpr int kQK = 32;  // block size of every legacy type

float row_sigma2(const float* x, int64_t n) {
  float sum_x2 = 0;
  for (int64_t j = 0; j < n; ++j) sum_x2 += x[j] * x[j];
  return sum_x2 / n;
}

void element_weights(const float* xb, const float* qw, float sigma2, float* weight) {
  for (int j = 0; j < kQK; ++j) weight[j] = qw[j] * std::sqrt(sigma2 + xb[j] * xb[j]);
}

// Levels L[0..32) into 4-bit low nibbles (qs) and, for 5-bit types, the 5th bits (qh).
void pack_nibbles(const uint8_t* L, uint8_t* qs) {
  for (int j = 0; j < 16; ++j) qs[j] = uint8_t((L[j] & 0x0F) | ((L[j + 16] & 0x0F) << 4));
}
void pack_high_bits(const uint8_t* L, uint8_t* qh) {
  uint32_t h = 0;
  for (int j = 0; j < 16; ++j) {
    h |= uint32_t((L[j] & 0x10u) >> 4) << j;
    h |= uint32_t((L[j + 16] & 0x10u) >> 4) << (j + 16);
  }
  for (int k = 0; k < 4; ++k) qh[k] = uint8_t(h >> (8 * k));
}

// Symmetric: d and levels in [0, 2*nmax).
float fit_symmetric(const float* xb, const float* qw, float sigma2, int nmax, uint8_t* L) {
  float weight[kQK];
  int8_t l8[kQK];
  element_weights(xb, qw, sigma2, weight);
  const float d = kq::make_qx_quants_weighted(kQK, nmax, xb, l8, weight);
  for (int j = 0; j < kQK; ++j) L[j] = uint8_t(l8[j]);
  return d;
}

// Affine: x ~ d * L + m with L in [0, nmax], m <= 0.
float fit_affine(const float* xb, const float* qw, float sigma2, int nmax, uint8_t* L, float* m) {
  float weight[kQK];
  uint8_t Laux[kQK];
  element_weights(xb, qw, sigma2, weight);
  float the_min;
  const float d = kq::make_qkx2_quants(kQK, nmax, xb, weight, L, &the_min, Laux, -0.9f, 0.05f, 36, false);
  *m = -the_min;
  return d;
}

}  // namespace

void q4_0(const float* x, void* dst, int64_t n, const float* qw) {
  auto* y = static_cast<BlockQ4_0*>(dst);
  const float sigma2 = row_sigma2(x, n);
  uint8_t L[kQK];
  for (int64_t ib = 0; ib < n / kQK; ++ib) {
    y[ib].d = f32_to_fp16(fit_symmetric(x + kQK * ib, qw + kQK * ib, sigma2, 8, L));
    pack_nibbles(L, y[ib].qs);
  }
}

void q5_0(const float* x, void* dst, int64_t n, const float* qw) {
  auto* y = static_cast<BlockQ5_0*>(dst);
  const float sigma2 = row_sigma2(x, n);
  uint8_t L[kQK];
  for (int64_t ib = 0; ib < n / kQK; ++ib) {
    y[ib].d = f32_to_fp16(fit_symmetric(x + kQK * ib, qw + kQK * ib, sigma2, 16, L));
    pack_nibbles(L, y[ib].qs);
    pack_high_bits(L, y[ib].qh);
  }
}

void q4_1(const float* x, void* dst, int64_t n, const float* qw) {
  auto* y = static_cast<BlockQ4_1*>(dst);
  const float sigma2 = row_sigma2(x, n);
  uint8_t L[kQK];
  for (int64_t ib = 0; ib < n / kQK; ++ib) {
    float m;
    y[ib].d = f32_to_fp16(fit_affine(x + kQK * ib, qw + kQK * ib, sigma2, 15, L, &m));
    y[ib].m = f32_to_fp16(m);
    pack_nibbles(L, y[ib].qs);
  }
}

void q5_1(const float* x, void* dst, int64_t n, const float* qw) {
  auto* y = static_cast<BlockQ5_1*>(dst);
  const float sigma2 = row_sigma2(x, n);
  uint8_t L[kQK];
  for (int64_t ib = 0; ib < n / kQK; ++ib) {
    float m;
    y[ib].d = f32_to_fp16(fit_affine(x + kQK * ib, qw + kQK * ib, sigma2, 31, L, &m));
    y[ib].m = f32_to_fp16(m);
    pack_nibbles(L, y[ib].qs);
    pack_high_bits(L, y[ib].qh);
  }
}

}  // namespace weighted

namespace {

using RowFn = void (*)(const float*, void*, int64_t, const float*);

RowFn weighted_fn(DType t) {
  switch (t) {
    case DType::Q2_K: return weighted::q2_K;
    case DType::Q3_K: return weighted::q3_K;
    case DType::Q4_K: return weighted::q4_K;
    case DType::Q5_K: return weighted::q5_K;
    case DType::Q6_K: return weighted::q6_K;
    case DType::Q4_0: return weighted::q4_0;
    case DType::Q4_1: return weighted::q4_1;
    case DType::Q5_0: return weighted::q5_0;
    case DType::Q5_1: return weighted::q5_1;
    default: return nullptr;
  }
}

}  // namespace

bool has_weighted_quantizer(DType t) { return weighted_fn(t) != nullptr; }

void quantize_row_weighted(DType t, const float* x, void* dst, int64_t n_per_row, const float* qw) {
  // A row holding a NaN or an infinity keeps the unweighted quantizer's non-finite policy.
  bool finite = true;
  for (int64_t i = 0; i < n_per_row; ++i) finite &= std::fabs(x[i]) <= 3.40282347e+38f;
  if (!finite) {
    dtype_info(t).scalar.from_float(x, dst, n_per_row);
    return;
  }
  weighted_fn(t)(x, dst, n_per_row, qw);
}

}  // namespace ondo::core::quant
