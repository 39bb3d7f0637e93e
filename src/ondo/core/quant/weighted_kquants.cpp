// Importance-weighted K-quant rows (weighted.h): llama.cpp's quantize_row_q{2..6}_K_impl
// with quant weights (ggml-quants.c; facts only). Layer: core. Scalar; ggml's float order.
// Per super-block: each sub-block gets a weighted fit of its levels (make_qkx2_quants, which
// is llama.cpp's make_qkx3_quants when weights are given, or make_qx_quants_weighted), then
// the sub-block scales and mins are themselves quantized with weights sum(w) per sub-block
// (make_qp_quants / make_qx_quants_weighted) instead of relative to their maxima, and the
// levels are recomputed against the rounded scales.
#pragma GCC optimize("fp-contract=off")

#include <cmath>
#include <cstring>

#include "ondo/core/fp16.h"
#include "ondo/core/quant/blocks.h"
#include "ondo/core/quant/kquant_util.h"
#include "ondo/core/quant/q6_K_impl.h"
#include "ondo/core/quant/weighted_impl.h"

namespace ondo::core::quant::weighted {

void q2_K(const float* x, void* dst, int64_t n, const float* qw) {
  auto* y = static_cast<BlockQ2_K*>(dst);
  uint8_t L[kQK_K], Laux[16], Ls[16], Lm[16];
  float mins[16], scales[16], sw[16], weight[16];
  for (int64_t i = 0; i < n / kQK_K; ++i, x += kQK_K, qw += kQK_K) {
    float sumx2 = 0;
    for (int j = 0; j < kQK_K; ++j) sumx2 += x[j] * x[j];
    const float sigma2 = sumx2 / kQK_K;
    for (int j = 0; j < 16; ++j) {
      sw[j] = 0;
      for (int l = 0; l < 16; ++l) weight[l] = qw[16 * j + l] * std::sqrt(sigma2 + x[16 * j + l] * x[16 * j + l]);
      for (int l = 0; l < 16; ++l) sw[j] += weight[l];
      scales[j] = kq::make_qkx2_quants(16, 3, x + 16 * j, weight, L + 16 * j, &mins[j], Laux, -0.9f, 0.05f, 36, false);
    }
    y[i].d = f32_to_fp16(kq::make_qp_quants(16, 15, scales, Ls, sw));
    y[i].dmin = f32_to_fp16(kq::make_qp_quants(16, 15, mins, Lm, sw));
    const float dm = fp16_to_f32(y[i].d), mm = fp16_to_f32(y[i].dmin);
    for (int j = 0; j < 16; ++j) y[i].scales[j] = uint8_t(Ls[j] | (Lm[j] << 4));
    for (int j = 0; j < 16; ++j) {
      const float d = dm * (y[i].scales[j] & 0xF);
      if (!d) continue;
      const float m = mm * (y[i].scales[j] >> 4);
      for (int l = 0; l < 16; ++l) {
        const int q = kq::nearest_int((x[16 * j + l] + m) / d);
        L[16 * j + l] = uint8_t(q < 0 ? 0 : q > 3 ? 3 : q);
      }
    }
    for (int h = 0; h < 2; ++h) {
      const uint8_t* Lh = L + 128 * h;
      for (int l = 0; l < 32; ++l) {
        y[i].qs[32 * h + l] = uint8_t(Lh[l] | (Lh[l + 32] << 2) | (Lh[l + 64] << 4) | (Lh[l + 96] << 6));
      }
    }
  }
}

void q3_K(const float* x, void* dst, int64_t n, const float* qw) {
  auto* y = static_cast<BlockQ3_K*>(dst);
  int8_t L[kQK_K], Ls[16], sc[16];
  float scales[16], weight[16], sw[16];
  for (int64_t i = 0; i < n / kQK_K; ++i, x += kQK_K, qw += kQK_K) {
    float sumx2 = 0;
    for (int j = 0; j < kQK_K; ++j) sumx2 += x[j] * x[j];
    const float sigma2 = 2 * sumx2 / kQK_K;
    for (int j = 0; j < 16; ++j) {
      for (int l = 0; l < 16; ++l) weight[l] = qw[16 * j + l] * std::sqrt(sigma2 + x[16 * j + l] * x[16 * j + l]);
      float sumw = 0;
      for (int l = 0; l < 16; ++l) sumw += weight[l];
      sw[j] = sumw;
      scales[j] = kq::make_qx_quants_weighted(16, 4, x + 16 * j, L + 16 * j, weight);
    }
    std::memset(y[i].scales, 0, sizeof(y[i].scales));
    const float d_block = kq::make_qx_quants_weighted(16, 32, scales, Ls, sw);
    for (int j = 0; j < 16; ++j) kq::pack_q3_scale(j, Ls[j], y[i].scales);
    y[i].d = f32_to_fp16(d_block);
    kq::unpack_q3_scales(y[i].scales, sc);
    for (int j = 0; j < 16; ++j) {
      const float d = fp16_to_f32(y[i].d) * sc[j];
      if (!d) continue;
      for (int l = 0; l < 16; ++l) {
        const int q = kq::nearest_int(x[16 * j + l] / d);
        L[16 * j + l] = int8_t((q < -4 ? -4 : q > 3 ? 3 : q) + 4);
      }
    }
    std::memset(y[i].hmask, 0, sizeof(y[i].hmask));
    for (int e = 0; e < kQK_K; ++e) {
      if (L[e] > 3) {
        y[i].hmask[e % 32] = uint8_t(y[i].hmask[e % 32] | (1u << (e / 32)));
        L[e] = int8_t(L[e] - 4);
      }
    }
    for (int h = 0; h < 2; ++h) {
      const int8_t* Lh = L + 128 * h;
      for (int l = 0; l < 32; ++l) {
        y[i].qs[32 * h + l] = uint8_t(Lh[l] | (Lh[l + 32] << 2) | (Lh[l + 64] << 4) | (Lh[l + 96] << 6));
      }
    }
  }
}

// Q4_K (nmax 15) and Q5_K (nmax 31) share the scale search; `pack` writes the levels.
template <class Block, int kNmax, class Pack>
void q45_K(const float* x, void* dst, int64_t n, const float* qw, Pack pack) {
  auto* y = static_cast<Block*>(dst);
  uint8_t L[kQK_K], Laux[32], Ls[8], Lm[8];
  float weights[32], sw[8], mins[8], scales[8];
  for (int64_t i = 0; i < n / kQK_K; ++i, x += kQK_K, qw += kQK_K) {
    float sum_x2 = 0;
    for (int l = 0; l < kQK_K; ++l) sum_x2 += x[l] * x[l];
    const float sigma2 = 2 * sum_x2 / kQK_K;
    for (int j = 0; j < 8; ++j) {
      for (int l = 0; l < 32; ++l) weights[l] = qw[32 * j + l] * std::sqrt(sigma2 + x[32 * j + l] * x[32 * j + l]);
      float sumw = 0;
      for (int l = 0; l < 32; ++l) sumw += weights[l];
      sw[j] = sumw;
      scales[j] = kq::make_qkx2_quants(32, kNmax, x + 32 * j, weights, L + 32 * j, &mins[j], Laux, -0.9f, 0.05f, 36, false);
    }
    const float d_block = kq::make_qp_quants(8, 63, scales, Ls, sw);
    const float m_block = kq::make_qp_quants(8, 63, mins, Lm, sw);
    for (int j = 0; j < 8; ++j) {
      kq::pack_scale_min_k4(j, Ls[j] < 63 ? Ls[j] : 63, Lm[j] < 63 ? Lm[j] : 63, y[i].scales);
    }
    y[i].d = f32_to_fp16(d_block);
    y[i].dmin = f32_to_fp16(m_block);
    for (int j = 0; j < 8; ++j) {
      uint8_t sc, m;
      kq::scale_min_k4(j, y[i].scales, &sc, &m);
      const float d = fp16_to_f32(y[i].d) * sc;
      if (!d) continue;
      const float dm = fp16_to_f32(y[i].dmin) * m;
      for (int l = 0; l < 32; ++l) {
        const int q = kq::nearest_int((x[32 * j + l] + dm) / d);
        L[32 * j + l] = uint8_t(q < 0 ? 0 : q > kNmax ? kNmax : q);
      }
    }
    pack(y[i], L);
  }
}

void q4_K(const float* x, void* dst, int64_t n, const float* qw) {
  q45_K<BlockQ4_K, 15>(x, dst, n, qw, [](BlockQ4_K& b, const uint8_t* L) {
    for (int c = 0; c < 4; ++c) {
      for (int l = 0; l < 32; ++l) b.qs[32 * c + l] = uint8_t(L[64 * c + l] | (L[64 * c + 32 + l] << 4));
    }
  });
}

void q5_K(const float* x, void* dst, int64_t n, const float* qw) {
  q45_K<BlockQ5_K, 31>(x, dst, n, qw, [](BlockQ5_K& b, const uint8_t* L) {
    std::memset(b.qh, 0, sizeof(b.qh));
    for (int c = 0; c < 4; ++c) {
      for (int l = 0; l < 32; ++l) {
        const int l1 = L[64 * c + l], l2 = L[64 * c + 32 + l];
        b.qs[32 * c + l] = uint8_t((l1 & 0xF) | ((l2 & 0xF) << 4));
        b.qh[l] = uint8_t(b.qh[l] | ((l1 >> 4) << (2 * c)) | ((l2 >> 4) << (2 * c + 1)));
      }
    }
  });
}

// Q6_K: the unweighted recipe with the importance itself (not scaled by sigma) as the
// weights of each sub-block's fit, as llama.cpp does.
void q6_K(const float* x, void* dst, int64_t n, const float* qw) {
  quantize_q6_K_blocks(x, dst, n, [qw](int64_t block, int ib, const float* xs, int8_t* L) {
    return kq::make_qx_quants_weighted(16, 32, xs, L, qw + block * kQK_K + 16 * ib);
  });
}

}  // namespace ondo::core::quant::weighted
