// Applying LoRA deltas in a batch step: after the base matmul y = x W^T of a weight (run once
// for the whole batch), each token adds s·B·(A·x) for every adapter of its own LoraSet that
// adapts that weight. Layer: model. Called by forward passes (blocks/decoder_forward).
//
// Batch invariance: the tokens using one adapter at one position of their sets are gathered
// and run through the batch-invariant matmul (core/kernels/matmul.h), so a token's delta
// depends only on its own row; each token's adapters are added in the order of its set
// (pass by pass), whatever the other tokens use. A token without adapters is not touched.
// Thread contract: one LoraStep per forward pass, on the pass's thread; matmuls split over
// the pool.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ondo/core/kernels/matmul.h"
#include "ondo/core/thread_pool.h"
#include "ondo/model/batch.h"
#include "ondo/model/lora/adapter.h"

namespace ondo::model {

// Per-pass plan and buffers; grows to the largest batch/adapter seen, then reused.
struct LoraScratch {
  struct Group {
    const LoraAdapter* adapter = nullptr;
    size_t begin = 0, end = 0;  // into rows / scales
  };
  std::vector<Group> groups;   // pass by pass; groups of one pass have disjoint rows
  std::vector<int32_t> rows;   // batch indices
  std::vector<float> scales;   // the user scale of each row's use
  std::vector<float> xa;       // [n][n_in] gathered inputs
  std::vector<float> ta;       // [n][rank] A·x
  std::vector<float> d;        // [n][n_out] B·(A·x)
};

class LoraStep {
 public:
  // Plans the step's groups from the batch's LoraSets (BatchToken::lora).
  LoraStep(std::span<const BatchToken> batch, LoraScratch& scratch, core::MatmulScratch& mm, core::ThreadPool& pool);

  bool active() const { return !s_.groups.empty(); }
  // y [T][n_out] (row stride n_out) += per token: Σ over its uses of effective_scale·B·(A·x[t])
  // for the pair of (layer, target). x [T][n_in], row stride n_in.
  void add(int32_t layer, LoraTarget target, const float* x, int64_t n_in, float* y, int64_t n_out) const;

 private:
  LoraScratch& s_;
  core::MatmulScratch& mm_;
  core::ThreadPool& pool_;
};

}  // namespace ondo::model
