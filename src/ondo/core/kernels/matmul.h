// Matrix products of weights with activations. Layer: core.
// Activations are converted once per call to the weight type's partner format
// (DTypeInfo::vec_dot_type), as llama.cpp does, then every output is one vec_dot.
// Batch invariance: y[t][n] depends only on row n of W and row t of x, never on T or on
// how work is split, so a token's result is the same alone or batched.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ondo/core/prepared_tensor.h"
#include "ondo/core/thread_pool.h"

namespace ondo::core {

// Scratch for converted activations; grows on first use, then is reused (no allocation
// in steady state).
struct MatmulScratch {
  std::vector<uint8_t> xq;
};

// y[t][n] = sum_k W[n][k] * x[t][k]  for t < T, n < N = w.rows().
// x: [T][K] floats (row stride K), y: [T][N] floats (row stride ldy >= N). w in any layout
// (a plain Tensor converts to the file layout).
// Requires: w.cols() == K is a multiple of the block size of w.type() and of its partner.
void matmul(const PreparedTensor& w, const float* x, int64_t T, float* y, int64_t ldy,
            MatmulScratch& scratch, ThreadPool& pool);

// One product of matmul_many: y[t][n] = W[n] . x[t], y with row stride ldy.
struct MatmulOutput {
  const PreparedTensor* w;
  float* y;
  int64_t ldy;
};

// Several products of the same activations x ([T][K]) in one pass of the thread pool: x is
// converted once per distinct partner format and the weight rows of all outputs are split
// over the threads together (Q/K/V, or gate/up). Results are bitwise those of matmul().
// Requires: every w has K columns; at most 4 outputs.
void matmul_many(std::span<const MatmulOutput> outs, const float* x, int64_t T, MatmulScratch& scratch,
                 ThreadPool& pool);

// Bytes of converted activations matmul needs for T rows of K elements for weight type t.
size_t matmul_scratch_bytes(DType t, int64_t K, int64_t T);

// Embedding row lookup: dst[0..K) = row `id` of w (any layout), dequantized.
void get_row(const PreparedTensor& w, int64_t id, float* dst);

}  // namespace ondo::core
