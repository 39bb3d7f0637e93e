// Scalar reference kernels for every compute type: the oracles SIMD variants are tested
// against. One .cpp per type under core/quant/. Layer: core.
// Conventions: `n` is a multiple of the type's block size; rows are contiguous blocks.
// vec_dot_<w>_<x>(w, x, n): w is a row of type <w>, x a row of its partner type <x>.
#pragma once

#include <cstdint>

namespace ondo::core::quant {

#define ONDO_DECLARE_QUANT_REF(t)                                   \
  void dequantize_row_##t(const void* src, float* dst, int64_t n); \
  void quantize_row_##t(const float* src, void* dst, int64_t n);

ONDO_DECLARE_QUANT_REF(f32)
ONDO_DECLARE_QUANT_REF(f16)
ONDO_DECLARE_QUANT_REF(bf16)
ONDO_DECLARE_QUANT_REF(q4_0)
ONDO_DECLARE_QUANT_REF(q4_1)
ONDO_DECLARE_QUANT_REF(q5_0)
ONDO_DECLARE_QUANT_REF(q5_1)
ONDO_DECLARE_QUANT_REF(q8_0)
ONDO_DECLARE_QUANT_REF(q8_1)
ONDO_DECLARE_QUANT_REF(q2_K)
ONDO_DECLARE_QUANT_REF(q3_K)
ONDO_DECLARE_QUANT_REF(q4_K)
ONDO_DECLARE_QUANT_REF(q5_K)
ONDO_DECLARE_QUANT_REF(q6_K)
ONDO_DECLARE_QUANT_REF(q8_K)
#undef ONDO_DECLARE_QUANT_REF

// Q8_0 as llama.cpp's quantize_row_q8_0_ref writes model files (id = 1/d, roundf);
// quantize_row_q8_0 is the activation quantizer of ggml-cpu's x86 path (see q8_0.cpp).
void quantize_row_q8_0_model(const float* src, void* dst, int64_t n);

float vec_dot_f32_f32(const void* w, const void* x, int64_t n);
float vec_dot_f16_f16(const void* w, const void* x, int64_t n);
float vec_dot_bf16_bf16(const void* w, const void* x, int64_t n);
float vec_dot_q4_0_q8_0(const void* w, const void* x, int64_t n);
float vec_dot_q4_1_q8_1(const void* w, const void* x, int64_t n);
float vec_dot_q5_0_q8_0(const void* w, const void* x, int64_t n);
float vec_dot_q5_1_q8_1(const void* w, const void* x, int64_t n);
float vec_dot_q8_0_q8_0(const void* w, const void* x, int64_t n);
float vec_dot_q2_K_q8_K(const void* w, const void* x, int64_t n);
float vec_dot_q3_K_q8_K(const void* w, const void* x, int64_t n);
float vec_dot_q4_K_q8_K(const void* w, const void* x, int64_t n);
float vec_dot_q5_K_q8_K(const void* w, const void* x, int64_t n);
float vec_dot_q6_K_q8_K(const void* w, const void* x, int64_t n);

}  // namespace ondo::core::quant
