// Causal attention: the scalar kernel policy and run-time dispatch to the AVX2 one.
// Layer: train.
#include "ondo/core/cpu_features.h"
#include "ondo/train/attention_impl.h"

namespace ondo::train {
namespace {

struct ScalarKernels {
  static float dot(const float* a, const float* b, int n) {
    float s = 0.0f;
    for (int i = 0; i < n; ++i) s += a[i] * b[i];
    return s;
  }
  static void axpy(float* y, float alpha, const float* x, int n) {
    for (int i = 0; i < n; ++i) y[i] += alpha * x[i];
  }
};

}  // namespace

void attention_forward(const float* q, const float* k, const float* v, const AttnShape& a, float* probs, float* out,
                       core::ThreadPool& pool) {
  if (core::cpu_features().avx2) return attention_forward_avx2(q, k, v, a, probs, out, pool);
  attention_forward_impl<ScalarKernels>(q, k, v, a, probs, out, pool);
}

void attention_backward(const float* q, const float* k, const float* v, const float* probs, const float* dout,
                        const AttnShape& a, float* dq, float* dk, float* dv, std::vector<float>& dp,
                        core::ThreadPool& pool) {
  dp.resize(size_t(pool.size()) * size_t(a.S));
  if (core::cpu_features().avx2) return attention_backward_avx2(q, k, v, probs, dout, a, dq, dk, dv, dp.data(), pool);
  attention_backward_impl<ScalarKernels>(q, k, v, probs, dout, a, dq, dk, dv, dp.data(), pool);
}

}  // namespace ondo::train
