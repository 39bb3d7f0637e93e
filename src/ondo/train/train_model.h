// TrainModel: the forward and backward pass of a llama decoder over a batch of B sequences
// of S tokens, on F32 parameters held in a ParamLayout buffer. Layer: train.
//
// Ownership: owns its activation buffers (sized once for B x n_ctx tokens); borrows the
// parameters and gradients it is given. Thread contract: one call at a time; each call
// splits its work over the pool. Deterministic: the same inputs and thread count give the
// same bits.
#pragma once

#include <cstdint>
#include <vector>

#include "ondo/core/thread_pool.h"
#include "ondo/train/ops.h"
#include "ondo/train/params.h"

namespace ondo::train {

class TrainModel {
 public:
  // Requires: validate_config(c) ok, max_batch >= 1.
  TrainModel(const ModelConfig& c, int64_t max_batch);

  const ModelConfig& config() const { return c_; }
  const ParamLayout& layout() const { return layout_; }

  // Logits of every token: tokens [B][S], B <= max_batch, 1 <= S <= n_ctx; each row starts
  // at position 0. The result [B*S][V] stays valid until the next call.
  const float* forward(const float* params, const int32_t* tokens, int64_t B, int64_t S, core::ThreadPool& pool);

  // Mean cross-entropy of targets [B][S] over tokens whose mask is set, and its gradient
  // added into `grads` (same layout as params). *n_counted gets the number of tokens counted.
  double forward_backward(const float* params, const int32_t* tokens, const int32_t* targets, const uint8_t* mask,
                          int64_t B, int64_t S, float* grads, int64_t* n_counted, core::ThreadPool& pool);

  // The loss only (evaluation).
  double loss(const float* params, const int32_t* tokens, const int32_t* targets, const uint8_t* mask, int64_t B,
              int64_t S, int64_t* n_counted, core::ThreadPool& pool);

 private:
  struct LayerActs {
    std::vector<float> xn1, rstd1, q, k, v, probs, att, x_mid, xn2, rstd2, g, u, h;
  };
  void backward(const float* params, const int32_t* tokens, float* grads, core::ThreadPool& pool);

  ModelConfig c_;
  ParamLayout layout_;
  int64_t max_batch_;
  int64_t B_ = 0, S_ = 0;          // shape of the last forward
  std::vector<int32_t> pos_;       // [T] position of each token
  std::vector<std::vector<float>> xs_;  // [L+1][T][C] residual stream entering each layer (xs_[L]: final)
  std::vector<LayerActs> acts_;
  std::vector<float> xnf_, rstdf_, logits_;  // final norm [T][C], [T]; logits [T][V]
  // gradient buffers
  std::vector<float> dx_, dxn_, datt_, dq_, dk_, dv_, dh_, dg_, du_, dp_;
  LinearScratch lin_;
};

}  // namespace ondo::train
