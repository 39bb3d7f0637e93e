// Private to core/quant: the per-type importance-weighted row quantizers behind
// quantize_row_weighted (weighted.h). Layer: core. n is one row; qw has n weights.
#pragma once

#include <cstdint>

namespace ondo::core::quant::weighted {

void q2_K(const float* x, void* dst, int64_t n, const float* qw);
void q3_K(const float* x, void* dst, int64_t n, const float* qw);
void q4_K(const float* x, void* dst, int64_t n, const float* qw);
void q5_K(const float* x, void* dst, int64_t n, const float* qw);
void q6_K(const float* x, void* dst, int64_t n, const float* qw);
void q4_0(const float* x, void* dst, int64_t n, const float* qw);
void q4_1(const float* x, void* dst, int64_t n, const float* qw);
void q5_0(const float* x, void* dst, int64_t n, const float* qw);
void q5_1(const float* x, void* dst, int64_t n, const float* qw);

}  // namespace ondo::core::quant::weighted
