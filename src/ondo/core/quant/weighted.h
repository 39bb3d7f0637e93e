// Importance-weighted quantization of weight rows (llama.cpp's quantize_* with quant_weights,
// as llama-quantize --imatrix runs them; facts of ggml-quants.c, code ours). The blocks are the
// same formats as the unweighted quantizers write; only the choice of scales and levels
// changes, to minimise sum_i qw[i] * (x[i] - q[i])^2 (qw from an importance matrix, scaled
// per element by sqrt(sigma^2 + x^2) where llama.cpp does so). Layer: core.
//
// Q8_0 and the float types have no weighted variant (llama.cpp ignores the weights there).
#pragma once

#include <cstdint>

#include "ondo/core/dtype.h"

namespace ondo::core::quant {

// True for Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q4_0, Q4_1, Q5_0 and Q5_1.
bool has_weighted_quantizer(DType t);

// Quantizes one row. Requires: has_weighted_quantizer(t); n_per_row a multiple of t's block
// size; qw holds n_per_row finite weights >= 0; dst holds one row of t.
void quantize_row_weighted(DType t, const float* x, void* dst, int64_t n_per_row, const float* qw);

}  // namespace ondo::core::quant
