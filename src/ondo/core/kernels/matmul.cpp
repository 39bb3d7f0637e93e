// Matmul over activations converted once: the batch-invariant GEMM kernels of gemm.h where
// the weight type has one, else one vec_dot per output; and their description
// (kernel_summary.h). Layer: core.
#include "ondo/core/kernels/matmul.h"

#include <algorithm>
#include <atomic>

#include "ondo/core/check.h"
#include "ondo/core/kernels/dispatch.h"
#include "ondo/core/kernels/gemm.h"
#include "ondo/core/kernels/kernel_summary.h"
#include "ondo/core/kernels/prepare.h"
#include "ondo/core/quant/interleave.h"

namespace ondo::core {

size_t matmul_scratch_bytes(DType t, int64_t K, int64_t T) {
  const DType xt = dtype_info(t).vec_dot_type;
  auto rb = row_bytes(xt, K);
  ONDO_CHECK(rb.ok());
  return size_t(*rb) * size_t(T);
}

namespace {

// The GEMM kernel of w's type and layout; nullptr: none (GGUF layout only).
const kernels::GemmKernel* gemm_kernel_for(const PreparedTensor& w) {
  if (w.layout() == WeightLayout::Rows16) {
    const kernels::GemmKernel* gk = kernels::gemm_kernel_interleaved(w.type());
    ONDO_CHECK(gk != nullptr);  // weights are interleaved only where a kernel reads them
    return gk;
  }
  return kernels::gemm_kernel(w.type());
}

// Rows [n0, n1) of y = W . xq for T converted activation rows: the GEMM kernel of the type
// where it has one, else one vec_dot per output.
void compute_rows(const PreparedTensor& w, const uint8_t* xq, size_t xrow, int64_t T, int64_t n0, int64_t n1,
                  float* y, int64_t ldy) {
  const int64_t K = w.cols();
  if (const kernels::GemmKernel* gk = gemm_kernel_for(w)) {
    gk->run(w.data(), w.row_bytes(), xq, xrow, K, n0, n1, T, y, ldy);
    return;
  }
  // file layout (the only one without a GEMM kernel): row n at data + n * row_bytes
  const auto* base = static_cast<const uint8_t*>(w.data());
  const size_t rb = w.row_bytes();
  // weight rows in blocks of 16, each block read once and reused for all T activation rows
  const QuantOps& wops = best_ops(w.type());
  constexpr int64_t kRowBlock = 16;
  for (int64_t b0 = n0; b0 < n1; b0 += kRowBlock) {
    const int64_t b1 = std::min(n1, b0 + kRowBlock);
    for (int64_t t = 0; t < T; ++t) {
      const uint8_t* xt = xq + size_t(t) * xrow;
      float* yt = y + t * ldy;
      for (int64_t n = b0; n < b1; ++n) yt[n] = wops.vec_dot(base + size_t(n) * rb, xt, K);
    }
  }
}

int64_t row_tile(const PreparedTensor& w) {
  const kernels::GemmKernel* gk = gemm_kernel_for(w);
  return gk ? gk->row_tile : 16;
}

// Weight rows are handed out in chunks from a shared counter, kChunksPerThread per
// participant on average, so a participant that the OS delays (a shared machine) leaves its
// remaining chunks to the others instead of stalling the step. Which participant computes a
// row never changes its result (batch-invariant kernels).
constexpr int64_t kChunksPerThread = 4;

struct Chunks {
  int64_t per = 1, count = 0;  // tiles per chunk, chunks
  Chunks(int64_t tiles, int nth) {
    per = std::max<int64_t>(1, (tiles + kChunksPerThread * nth - 1) / (kChunksPerThread * nth));
    count = (tiles + per - 1) / per;
  }
};

// One participant's share of matmul(): converts its rows of x, waits for all, then takes
// chunks of weight rows from the shared counter.
void matmul_in_run(const PreparedTensor& w, const float* x, int64_t T, float* y, int64_t ldy,
                   uint8_t* xq, std::atomic<int64_t>& next_chunk, int ith, int nth, ThreadPool& pool) {
  const int64_t K = w.cols(), N = w.rows();
  const DTypeInfo& info = dtype_info(w.type());
  const QuantOps& xops = best_ops(info.vec_dot_type);
  const size_t xrow = size_t(*row_bytes(info.vec_dot_type, K));

  // 1. convert activations: rows split over participants
  int64_t t0, t1;
  split_range(T, ith, nth, &t0, &t1);
  for (int64_t t = t0; t < t1; ++t) xops.from_float(x + t * K, xq + size_t(t) * xrow, K);
  pool.barrier();

  // 2. weight rows in chunks of whole tiles from the shared counter
  const int64_t tile = row_tile(w);
  const Chunks chunks((N + tile - 1) / tile, nth);
  for (int64_t c; (c = next_chunk.fetch_add(1, std::memory_order_relaxed)) < chunks.count;) {
    const int64_t n0 = std::min(N, c * chunks.per * tile), n1 = std::min(N, (c + 1) * chunks.per * tile);
    if (n0 < n1) compute_rows(w, xq, xrow, T, n0, n1, y, ldy);
  }
}

}  // namespace

void matmul(const PreparedTensor& w, const float* x, int64_t T, float* y, int64_t ldy,
            MatmulScratch& scratch, ThreadPool& pool) {
  const size_t need = matmul_scratch_bytes(w.type(), w.cols(), T);
  if (scratch.xq.size() < need) scratch.xq.resize(need);
  uint8_t* xq = scratch.xq.data();
  std::atomic<int64_t> next_chunk{0};
  pool.run([&](int ith, int nth) { matmul_in_run(w, x, T, y, ldy, xq, next_chunk, ith, nth, pool); });
}

void matmul_many(std::span<const MatmulOutput> outs, const float* x, int64_t T, MatmulScratch& scratch,
                 ThreadPool& pool) {
  constexpr size_t kMax = 4;
  ONDO_CHECK(!outs.empty() && outs.size() <= kMax);
  const int64_t K = outs[0].w->cols();
  // one converted copy of x per distinct partner format
  DType formats[kMax];
  size_t n_formats = 0, offset[kMax], xrow[kMax], fmt_of[kMax];
  size_t total = 0;
  for (size_t i = 0; i < outs.size(); ++i) {
    ONDO_CHECK(outs[i].w->cols() == K);
    const DType f = dtype_info(outs[i].w->type()).vec_dot_type;
    size_t k = 0;
    while (k < n_formats && formats[k] != f) ++k;
    if (k == n_formats) {
      formats[k] = f;
      xrow[k] = size_t(*row_bytes(f, K));
      offset[k] = total;
      total += xrow[k] * size_t(T);
      ++n_formats;
    }
    fmt_of[i] = k;
  }
  if (scratch.xq.size() < total) scratch.xq.resize(total);
  uint8_t* xq = scratch.xq.data();
  // work units: the tiles of every output, in order
  int64_t tiles[kMax], first_tile[kMax + 1];
  first_tile[0] = 0;
  for (size_t i = 0; i < outs.size(); ++i) {
    tiles[i] = row_tile(*outs[i].w);
    first_tile[i + 1] = first_tile[i] + (outs[i].w->rows() + tiles[i] - 1) / tiles[i];
  }
  std::atomic<int64_t> next_chunk{0};
  pool.run([&](int ith, int nth) {
    int64_t t0, t1;
    split_range(T, ith, nth, &t0, &t1);
    for (size_t k = 0; k < n_formats; ++k) {
      const QuantOps& xops = best_ops(formats[k]);
      for (int64_t t = t0; t < t1; ++t) xops.from_float(x + t * K, xq + offset[k] + size_t(t) * xrow[k], K);
    }
    pool.barrier();
    const Chunks chunks(first_tile[outs.size()], nth);
    for (int64_t c; (c = next_chunk.fetch_add(1, std::memory_order_relaxed)) < chunks.count;) {
      const int64_t u0 = c * chunks.per, u1 = std::min(first_tile[outs.size()], u0 + chunks.per);
      for (size_t i = 0; i < outs.size(); ++i) {
        const int64_t a = std::max(u0, first_tile[i]), b = std::min(u1, first_tile[i + 1]);
        if (a >= b) continue;
        const int64_t N = outs[i].w->rows();
        const int64_t n0 = std::min(N, (a - first_tile[i]) * tiles[i]), n1 = std::min(N, (b - first_tile[i]) * tiles[i]);
        const size_t k = fmt_of[i];
        compute_rows(*outs[i].w, xq + offset[k], xrow[k], T, n0, n1, outs[i].y, outs[i].ldy);
      }
    }
  });
}

namespace {

const char* level_name(kernels::SimdLevel l) {
  switch (l) {
    case kernels::SimdLevel::Scalar: return "scalar";
    case kernels::SimdLevel::Avx2: return "avx2";
    case kernels::SimdLevel::Avx512: return "avx512";
  }
  return "scalar";
}

// The lowest level whose kernel is the one this CPU runs (a level without its own kernel
// for t keeps the one below).
template <class Same>
kernels::SimdLevel origin_level(kernels::SimdLevel best, Same same) {
  for (int l = 0; l < int(best); ++l) {
    if (same(kernels::SimdLevel(l))) return kernels::SimdLevel(l);
  }
  return best;
}

}  // namespace

std::string matmul_kernel_summary(DType t, int64_t rows) {
  const DTypeInfo& info = dtype_info(t);
  if (!info.compute || info.scalar.vec_dot == nullptr) return "none";
  const std::string_view name = simd_level_name();
  const kernels::SimdLevel best = name == "avx512" ? kernels::SimdLevel::Avx512
                                  : name == "avx2" ? kernels::SimdLevel::Avx2
                                                   : kernels::SimdLevel::Scalar;
  if (const kernels::GemmKernel* gk = kernels::gemm_kernel(t)) {
    const kernels::SimdLevel l =
        origin_level(best, [&](kernels::SimdLevel x) { return kernels::gemm_kernel_at_level(t, x) == gk; });
    std::string s = std::string("gemm ") + level_name(l);
    if (l == kernels::SimdLevel::Avx512 && info.kernels.decode_avx512) s += " + decode avx512";
    if (has_prepared_layout(t, rows)) s += ", rows16 layout";
    return s;
  }
  const auto dot = best_ops(t).vec_dot;
  const kernels::SimdLevel l =
      origin_level(best, [&](kernels::SimdLevel x) { return kernels::ops_at_level(t, x).vec_dot == dot; });
  return std::string("vec_dot ") + level_name(l);
}

void get_row(const PreparedTensor& w, int64_t id, float* dst) {
  if (w.layout() == WeightLayout::Rows16) {
    thread_local std::vector<uint8_t> row;
    row.resize(w.row_bytes());
    deinterleave_row(w.type(), w.data(), id, w.cols(), row.data());
    best_ops(w.type()).to_float(row.data(), dst, w.cols());
    return;
  }
  best_ops(w.type()).to_float(static_cast<const uint8_t*>(w.data()) + size_t(id) * w.row_bytes(), dst, w.cols());
}

}  // namespace ondo::core
