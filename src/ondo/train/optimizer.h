// AdamW (decoupled weight decay, Loshchilov & Hutter), the learning-rate schedule (linear
// warm-up, then cosine decay to min_lr_ratio * lr) and global gradient-norm clipping.
// Layer: train. Deterministic: fixed-order reductions only.
#pragma once

#include <cstdint>
#include <vector>

#include "ondo/core/thread_pool.h"
#include "ondo/train/params.h"

namespace ondo::train {

struct OptimizerOptions {
  float lr = 1e-3f;
  float beta1 = 0.9f, beta2 = 0.95f, eps = 1e-8f;
  float weight_decay = 0.1f;  // applied to tensors with ParamTensor::decay only
  float clip = 1.0f;          // global L2 norm bound on the gradient; <= 0: off
  int64_t warmup = 100;
  int64_t total_steps = 1000;
  float min_lr_ratio = 0.1f;
};

// lr at step (0-based): lr * (step+1)/warmup during warm-up, then cosine from lr down to
// min_lr_ratio * lr at total_steps.
float lr_at(const OptimizerOptions& o, int64_t step);

// The moments of every parameter and the step count (checkpointed with the weights).
struct AdamState {
  std::vector<float> m, v;
  int64_t t = 0;  // updates applied
};

// sqrt(sum g^2) over the whole buffer, in double, fixed order.
double grad_norm(const float* grads, int64_t n);

// One update at `step`: scales grads by min(1, clip / norm), then AdamW on every tensor.
// Returns the gradient norm before clipping. Requires: state sized to layout.n_params.
double adamw_step(const OptimizerOptions& o, int64_t step, const ParamLayout& layout, float* params, float* grads,
                  AdamState& state, core::ThreadPool& pool);

}  // namespace ondo::train
