// Matmul over activations converted once: the batch-invariant GEMM kernels of gemm.h where
// the weight type has one, else one vec_dot per output. Layer: core.
#include "ondo/core/kernels/matmul.h"

#include <algorithm>

#include "ondo/core/check.h"
#include "ondo/core/kernels/gemm.h"

namespace ondo::core {

size_t matmul_scratch_bytes(DType t, int64_t K, int64_t T) {
  const DType xt = dtype_info(t).vec_dot_type;
  auto rb = row_bytes(xt, K);
  ONDO_CHECK(rb.ok());
  return size_t(*rb) * size_t(T);
}

void matmul_in_run(const Tensor& w, const float* x, int64_t T, float* y, int64_t ldy,
                   uint8_t* xq, int ith, int nth, ThreadPool& pool) {
  const int64_t K = w.cols(), N = w.rows();
  const DTypeInfo& info = dtype_info(w.type);
  const QuantOps& wops = best_ops(w.type);
  const QuantOps& xops = best_ops(info.vec_dot_type);
  const size_t xrow = size_t(*row_bytes(info.vec_dot_type, K));

  // 1. convert activations: rows split over participants
  int64_t t0, t1;
  split_range(T, ith, nth, &t0, &t1);
  for (int64_t t = t0; t < t1; ++t) xops.from_float(x + t * K, xq + size_t(t) * xrow, K);
  pool.barrier();

  // 2a. GEMM kernel: weight rows split over participants in multiples of its row tile.
  if (const kernels::GemmKernel* gk = kernels::gemm_kernel(w.type)) {
    const int64_t tile = gk->row_tile;
    int64_t r0, r1;
    split_range((N + tile - 1) / tile, ith, nth, &r0, &r1);
    const int64_t n0 = std::min(N, r0 * tile), n1 = std::min(N, r1 * tile);
    if (n0 < n1) gk->run(w.data, w.row_bytes, xq, xrow, K, n0, n1, T, y, ldy);
    return;
  }

  // 2b. outputs: weight rows split over participants in blocks of 16, so each block of
  //    weights is read from memory once and reused for all T activation rows.
  constexpr int64_t kRowBlock = 16;
  const int64_t n_blocks = (N + kRowBlock - 1) / kRowBlock;
  int64_t b0, b1;
  split_range(n_blocks, ith, nth, &b0, &b1);
  for (int64_t b = b0; b < b1; ++b) {
    const int64_t n0 = b * kRowBlock, n1 = std::min(N, n0 + kRowBlock);
    for (int64_t t = 0; t < T; ++t) {
      const uint8_t* xt = xq + size_t(t) * xrow;
      float* yt = y + t * ldy;
      for (int64_t n = n0; n < n1; ++n) yt[n] = wops.vec_dot(w.row(n), xt, K);
    }
  }
}

void matmul(const Tensor& w, const float* x, int64_t T, float* y, int64_t ldy,
            MatmulScratch& scratch, ThreadPool& pool) {
  const size_t need = matmul_scratch_bytes(w.type, w.cols(), T);
  if (scratch.xq.size() < need) scratch.xq.resize(need);
  uint8_t* xq = scratch.xq.data();
  pool.run([&](int ith, int nth) { matmul_in_run(w, x, T, y, ldy, xq, ith, nth, pool); });
}

void get_row(const Tensor& w, int64_t id, float* dst) {
  best_ops(w.type).to_float(w.row(id), dst, w.cols());
}

}  // namespace ondo::core
