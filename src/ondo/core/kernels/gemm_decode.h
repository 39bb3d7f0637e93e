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

// AVX-512 VNNI decode kernels: a type's traits row (dtype.h: DTypeKernels::decode_avx512)
// names its GemmFn for 1 <= T <= kDecodeMaxT. Bitwise equal to gemm_scalar.cpp. Each runs one
// weight row at a time (one sequential stream per row, which the hardware prefetcher
// follows; 16 interleaved rows measured 2x slower from memory). Q4_K, Q6_K in
// gemm_decode_q4k_q6k_avx512.cpp; Q8_0, Q4_0 in gemm_decode_q8_0_q4_0_avx512.cpp; Q5_K, Q3_K,
// Q2_K, Q5_0 in gemm_decode_q5k_q3k_q2k_q5_0_avx512.cpp.

}  // namespace ondo::core::kernels
