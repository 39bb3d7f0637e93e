// Scalar attention kernel and the run-time choice. Layer: core.
#include "ondo/core/kernels/attention.h"

#include "ondo/core/cpu_features.h"
#include "ondo/core/kernels/ops.h"

namespace ondo::core {

void attend_scalar(const float* q, const float* k, const float* v, int64_t stride, int32_t n, int32_t D, float scale,
                   float* scores, float* out) {
  for (int32_t j = 0; j < n; ++j) {  // scores[j] = (q . k_j) * scale
    const float* kj = k + int64_t(j) * stride;
    float dot = 0.0f;
    for (int32_t d = 0; d < D; ++d) dot += q[d] * kj[d];
    scores[j] = dot * scale;
  }
  softmax(scores, n);
  for (int32_t d = 0; d < D; ++d) out[d] = 0.0f;
  for (int32_t j = 0; j < n; ++j) {  // out += p_j * v_j
    const float* vj = v + int64_t(j) * stride;
    const float p = scores[j];
    for (int32_t d = 0; d < D; ++d) out[d] += p * vj[d];
  }
}

AttendFn best_attend() {
#if defined(__x86_64__)
  static const AttendFn fn = cpu_features().avx2 ? attend_avx2 : attend_scalar;
#else
  static const AttendFn fn = attend_scalar;
#endif
  return fn;
}

}  // namespace ondo::core
