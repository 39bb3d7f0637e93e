// Batch-invariant quantized matrix kernels: y[t][n] = W[n] . x[t] for a range of weight rows
// and T activation rows in the weight type's partner format (Q8_0 or Q8_K). Layer: core.
// Must not touch anything above core.
//
// Canonical reduction (one per type, shared by every implementation, tile size, T and
// thread split; see gemm_levels.h for the integer form of a block): per output element,
// blocks in order, isum (and msum, the mins of Q4_K/Q5_K/Q2_K) exact int32, then the float
// steps of the scalar vec_dot references (core/quant/<type>.cpp), d = d_w * d_x:
//   Q8_0, Q4_0, Q5_0:  double acc += double(d * float(isum));   y = float(acc)
//   K types:           float  acc += d * float(isum) - (dmin_w * d_x) * float(msum)
// Integer sums are exact in any order and the float steps are the same IEEE operations
// everywhere (SIMD lanes hold different outputs, never different blocks), so the scalar
// reference, AVX2, AVX-512 and the scalar vec_dot agree bit for bit, and a token's outputs
// do not depend on which other tokens share the batch.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ondo/core/dtype.h"
#include "ondo/core/kernels/dispatch.h"

namespace ondo::core::kernels {

// w: rows of the weight type, row n at w + n * w_row_bytes, K elements each.
// xq: T activation rows in the partner format, row t at xq + t * x_row_bytes.
// y: outputs, y[t * ldy + n] for t < T, n0 <= n < n1 (other entries untouched).
// Requires: K a positive multiple of the block size; 0 <= n0 <= n1; T >= 1.
// Thread contract: reentrant; calls on disjoint row ranges may run concurrently.
using GemmFn = void (*)(const void* w, size_t w_row_bytes, const void* xq, size_t x_row_bytes,
                        int64_t K, int64_t n0, int64_t n1, int64_t T, float* y, int64_t ldy);

struct GemmKernel {
  GemmFn run = nullptr;
  int row_tile = 1;  // preferred multiple of rows per call (split work in multiples of it)
};

// The kernel for weight type t at the best SIMD level of this CPU, from t's traits row
// (dtype.h: DTypeKernels); nullptr when the type has none (callers then use QuantOps::vec_dot).
const GemmKernel* gemm_kernel(DType t);

// The kernel at exactly `level` (nullptr where that level has none for t). For tests and
// benchmarks; call only levels that level_supported() says this CPU runs.
const GemmKernel* gemm_kernel_at_level(DType t, SimdLevel level);

// The kernel for weights of type t stored in the row-interleaved layout
// (core/quant/interleave.h), at the best SIMD level of this CPU; nullptr where there is none,
// and then weights of type t must stay in GGUF layout. Same contract as above, with the row
// range [n0, n1) in whole groups of 16 rows (row_tile) and w the tensor's first byte.
const GemmKernel* gemm_kernel_interleaved(DType t);

// The scalar reference kernel (gemm_scalar.cpp) = gemm_kernel_at_level(t, SimdLevel::Scalar).
const GemmKernel* gemm_kernel_scalar(DType t);

}  // namespace ondo::core::kernels
