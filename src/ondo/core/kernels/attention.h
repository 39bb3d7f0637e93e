// Attention of one query head over a run of cached positions. Layer: core.
// out = softmax(scale * q . k_j) . v_j over j < n, with K/V rows `stride` floats apart.
// The scalar version is the oracle; the AVX2 version is chosen at run time. A call's result
// depends only on its inputs (never on batch composition), keeping the forward batch-invariant.
#pragma once

#include <cstdint>

namespace ondo::core {

// q: [D]; k, v: n rows of D floats, `stride` floats apart; scores: scratch of n floats;
// out: [D].
using AttendFn = void (*)(const float* q, const float* k, const float* v, int64_t stride, int32_t n, int32_t D,
                          float scale, float* scores, float* out);

void attend_scalar(const float* q, const float* k, const float* v, int64_t stride, int32_t n, int32_t D, float scale,
                   float* scores, float* out);
void attend_avx2(const float* q, const float* k, const float* v, int64_t stride, int32_t n, int32_t D, float scale,
                 float* scores, float* out);

// The variant for this CPU (respects the SIMD cap of cpu_features).
AttendFn best_attend();

}  // namespace ondo::core
