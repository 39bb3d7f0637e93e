// The dot-product kernels behind dense_dot, one per SIMD level. Layer: rag (internal).
#pragma once

#include <cstddef>

namespace ondo::rag {

float dense_dot_scalar(const float* a, const float* b, size_t n);
// Requires: the CPU has AVX2 and FMA.
float dense_dot_avx2(const float* a, const float* b, size_t n);

}  // namespace ondo::rag
