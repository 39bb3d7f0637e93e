// ForwardScratch: the activation buffers of one batch step, sized once for a maximum batch
// and context and reused, so a step allocates nothing. Layer: model.
// Thread contract: used by one forward() at a time.
#pragma once

#include <cstdint>
#include <vector>

#include "ondo/core/kernels/matmul.h"
#include "ondo/model/hparams.h"
#include "ondo/model/lora/apply.h"

namespace ondo::model {

struct ForwardScratch {
  // Requires: max_tokens >= 1, n_ctx >= 1, n_threads >= 1.
  ForwardScratch(const HParams& hp, int32_t max_tokens, int32_t n_ctx, int n_threads);

  int32_t max_tokens;
  int32_t n_ctx;
  std::vector<float> x;       // [T][C] residual stream
  std::vector<float> xn;      // [T][C] normalized
  std::vector<float> q;       // [T][H*D]
  std::vector<float> k;       // [T][Hkv*D]
  std::vector<float> v;       // [T][Hkv*D]
  std::vector<float> attn;    // [T][H*D] attention output
  std::vector<float> gate;    // [T][F]
  std::vector<float> up;      // [T][F]
  std::vector<float> proj;    // [T][C] output of wo / w_down
  std::vector<float> scores;  // [n_threads][n_ctx] attention probabilities
  std::vector<int32_t> out_rows;  // batch indices that want logits
  std::vector<int32_t> seq_starts;  // encode: first batch index of each sequence, then T
  core::MatmulScratch mm;
  LoraScratch lora;  // LoRA deltas (lora/apply.h); empty until a batch uses adapters
};

}  // namespace ondo::model
