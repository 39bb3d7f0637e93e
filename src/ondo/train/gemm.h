// The one matrix product the trainer needs, C = A B^T over F32, threaded; every linear
// layer's forward and backward product is written as it (transposing operands first).
// Layer: train. Scalar reference + AVX2/FMA variant chosen at run time (core cpu_features).
#pragma once

#include <cstdint>

#include "ondo/core/thread_pool.h"

namespace ondo::train {

// C[m][n] (+)= sum_l A[m][l] * B[n][l] for m < M, n < N: A is [M][L], B [N][L], C [M][N],
// all row-major and dense. Each C element is one dot product reduced in a fixed order (8
// lanes, then a fixed lane sum, then the tail), so results do not depend on the thread
// count or on how the work is split. Overwrites C unless `accumulate`.
void gemm_nt(const float* A, const float* B, float* C, int64_t M, int64_t N, int64_t L, bool accumulate,
             core::ThreadPool& pool);

// The same with the scalar kernel only (the reference the SIMD one is tested against).
void gemm_nt_scalar(const float* A, const float* B, float* C, int64_t M, int64_t N, int64_t L, bool accumulate,
                    core::ThreadPool& pool);

// out[c][r] = in[r][c] for in [rows][cols].
void transpose(const float* in, int64_t rows, int64_t cols, float* out);

// Kernel signature of one tile: C rows [m0, m1) x columns [n0, n1).
using GemmTileFn = void (*)(const float* A, const float* B, float* C, int64_t N, int64_t L, int64_t m0, int64_t m1,
                            int64_t n0, int64_t n1, bool accumulate);
void gemm_tile_scalar(const float* A, const float* B, float* C, int64_t N, int64_t L, int64_t m0, int64_t m1,
                      int64_t n0, int64_t n1, bool accumulate);
void gemm_tile_avx2(const float* A, const float* B, float* C, int64_t N, int64_t L, int64_t m0, int64_t m1,
                    int64_t n0, int64_t n1, bool accumulate);

}  // namespace ondo::train
