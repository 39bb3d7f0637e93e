// Decode (few-token GEMV) kernels behind the GEMM kernels of gemm.h: the same contract and the
// same canonical reduction, tuned for T <= kDecodeMaxT, where the weights stream from memory
// once per call and the work per weight byte must stay below the memory time. Layer: core.
// Private to core/kernels (gemm_*.cpp). Must not touch anything above core.
#pragma once

#include <cstdint>

#include "ondo/core/dtype.h"
#include "ondo/core/kernels/gemm.h"

namespace ondo::core::kernels {

// The largest T the decode kernels take; larger T goes to the tiled GEMM.
inline constexpr int64_t kDecodeMaxT = 4;
// Up to this T the decode kernels also serve, kDecodeMaxT tokens at a time over L2-sized
// row chunks (a few sequences decoding together); larger T goes to the tiled GEMM. Single
// thread, 2048x8192, T = 8: decode 1.25x (Q8_0) to 2.5x (Q4_K, Q6_K) faster than the GEMM;
// at T = 16 the GEMM wins for Q8_0.
inline constexpr int64_t kDecodeBatchMaxT = 8;

// AVX-512 VNNI decode kernels (gemm_decode_{legacy,kquants}_avx512.cpp): the GemmFn of type t
// for 1 <= T <= kDecodeMaxT, or nullptr when t has none. Bitwise equal to gemm_scalar.cpp.
GemmFn gemm_decode_legacy_avx512(DType t);
GemmFn gemm_decode_kquants_avx512(DType t);
// Row-at-a-time AVX-512 VNNI decode kernels (gemm_decode_rows_avx512.cpp), where one
// sequential stream per row beats 16 interleaved ones from memory: Q4_K, Q6_K; nullptr otherwise.
GemmFn gemm_decode_rows_avx512(DType t);
// Row-at-a-time AVX-512 VNNI decode kernels of Q8_0 and Q4_0 (gemm_decode_legacy_rows_avx512.cpp);
// nullptr otherwise.
GemmFn gemm_decode_legacy_rows_avx512(DType t);
// Row-at-a-time AVX-512 VNNI decode kernels of Q5_K, Q3_K, Q2_K and Q5_0
// (gemm_decode_rows2_avx512.cpp); nullptr otherwise.
GemmFn gemm_decode_rows2_avx512(DType t);

}  // namespace ondo::core::kernels
