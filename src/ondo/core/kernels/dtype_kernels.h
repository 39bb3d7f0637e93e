// The per-type kernel entry points that dtype.cpp's traits rows name: SIMD overrides of a
// type's ops, GEMM kernels per SIMD level, AVX-512 decode kernels, the repacked-layout GEMM
// kernels. Each is defined in the translation unit compiled for its SIMD level; a row that
// names one nobody defines fails to link. Layer: core. Private to core (dtype.cpp and the
// kernel units). Must not touch anything above core.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ondo/core/dtype.h"

namespace ondo::core::kernels {

struct GemmKernel;

// ops overrides (legacy_{avx2,avx512}.cpp, kquants_{avx2,avx512}.cpp)
#define ONDO_OPS_HOOKS(t) void avx2_ops_##t(QuantOps& ops); void avx512_ops_##t(QuantOps& ops);
ONDO_OPS_HOOKS(f32) ONDO_OPS_HOOKS(f16) ONDO_OPS_HOOKS(bf16)
ONDO_OPS_HOOKS(q4_0) ONDO_OPS_HOOKS(q4_1) ONDO_OPS_HOOKS(q5_0) ONDO_OPS_HOOKS(q5_1) ONDO_OPS_HOOKS(q8_0) ONDO_OPS_HOOKS(q8_1)
ONDO_OPS_HOOKS(q2_K) ONDO_OPS_HOOKS(q3_K) ONDO_OPS_HOOKS(q4_K) ONDO_OPS_HOOKS(q5_K) ONDO_OPS_HOOKS(q6_K) ONDO_OPS_HOOKS(q8_K)
#undef ONDO_OPS_HOOKS

// GEMM kernels per level (gemm_{scalar,avx2,avx512}.cpp), specialized for every type with
// GEMM traits (gemm_levels.h: Gemm<t>): the list below.
#define ONDO_FOR_EACH_GEMM_DTYPE(X) X(Q8_0) X(Q4_0) X(Q5_0) X(Q2_K) X(Q3_K) X(Q4_K) X(Q5_K) X(Q6_K)
template <DType T> const GemmKernel* gemm_scalar_of();
template <DType T> const GemmKernel* gemm_avx2_of();
template <DType T> const GemmKernel* gemm_avx512_of();
#define ONDO_GEMM_DECLARE(t)                                   \
  template <> const GemmKernel* gemm_scalar_of<DType::t>(); \
  template <> const GemmKernel* gemm_avx2_of<DType::t>();   \
  template <> const GemmKernel* gemm_avx512_of<DType::t>();
ONDO_FOR_EACH_GEMM_DTYPE(ONDO_GEMM_DECLARE)
#undef ONDO_GEMM_DECLARE

// AVX-512 decode kernels (gemm_decode.h; gemm_decode_q*_avx512.cpp)
#define ONDO_DECODE_HOOK(t)                                                                              \
  void decode_avx512_##t(const void* w, size_t wrb, const void* xq, size_t xrb, int64_t K, int64_t n0, \
                         int64_t n1, int64_t T, float* y, int64_t ldy);
ONDO_DECODE_HOOK(q8_0) ONDO_DECODE_HOOK(q4_0) ONDO_DECODE_HOOK(q5_0)
ONDO_DECODE_HOOK(q2_K) ONDO_DECODE_HOOK(q3_K) ONDO_DECODE_HOOK(q4_K) ONDO_DECODE_HOOK(q5_K) ONDO_DECODE_HOOK(q6_K)
#undef ONDO_DECODE_HOOK

// GEMM over the row-interleaved layout (gemm_interleaved_avx512.cpp)
const GemmKernel* gemm_repacked_avx512_q4_K();
const GemmKernel* gemm_repacked_avx512_q6_K();

}  // namespace ondo::core::kernels

namespace ondo::core {

// The row-interleaved layouts (quant/interleave.cpp).
extern const RepackLayout kRepackLayout_q4_K;
extern const RepackLayout kRepackLayout_q6_K;

}  // namespace ondo::core
