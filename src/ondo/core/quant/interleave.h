// Row-interleaved weight layout for the SIMD matmul kernels. Layer: core. Must not touch
// anything above core.
//
// A weight tensor of N rows (N a multiple of 16) stored as N / 16 groups of 16 rows. A group
// takes the bytes of its 16 rows (16 * row_bytes), block after block: the 16 rows' block b
// become one tile of 16 * block_bytes. A tile is the block's units (its fp16 scales, its packed
// scale bytes one by one, its quants as dwords) in the order the kernel reads them, each unit
// as the 16 rows' copies side by side. So one 64-byte load gives the same 4 quant bytes of
// all 16 rows: a SIMD lane per row, and a sub-block's dot product of 16 rows accumulates in
// one register without a horizontal sum; and the kernel reads each tile front to back, one
// sequential stream for the prefetcher. The unit orders are in interleave.cpp (and the
// offsets the kernels use in gemm_interleaved_avx512.cpp). Byte for byte a permutation:
// same size, same values; only the kernels that know the layout (gemm.h:
// gemm_kernel_interleaved) may read it.
#pragma once

#include <cstdint>

#include "ondo/core/dtype.h"

namespace ondo::core {

inline constexpr int64_t kInterleaveRows = 16;

// Whether the layout is defined for type t (Q4_K, Q6_K) with this many rows.
bool interleave_defined(DType t, int64_t rows);

// src: `rows` rows of `cols` elements in GGUF block layout; dst (same byte size, not
// overlapping src): the interleaved layout. Requires: interleave_defined(t, rows).
void interleave_rows(DType t, const void* src, void* dst, int64_t rows, int64_t cols);

// Row r of an interleaved tensor (base = its first byte) back in GGUF block layout.
void deinterleave_row(DType t, const void* base, int64_t r, int64_t cols, void* dst_row);

}  // namespace ondo::core
