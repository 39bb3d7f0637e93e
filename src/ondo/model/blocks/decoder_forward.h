// The forward pass of a llama-style decoder, shared by the units whose network it is (llama,
// qwen2): embeddings, then per layer RMSNorm -> Q/K/V (+ biases where the weights have them)
// -> RoPE (style from the hyperparameters) -> causal GQA attention -> output projection +
// residual -> RMSNorm -> SwiGLU FFN + residual; final RMSNorm -> logits (forward) or pooled
// embeddings (encode). Every step is named
// for the activation taps. Layer: model. A family whose network differs writes its own recipe.
#pragma once

#include <span>

#include "ondo/model/unit.h"

namespace ondo::model::blocks {

// A unit's ForwardFn for blocks::DecoderWeights (unit.h: ForwardFn).
Status decoder_forward(const StepContext& c, std::span<const BatchToken> batch, KvStore& kv, float* logits);

// The same network as an embedding model (unit.h: EncodeFn; Model::encode's contract): every
// sequence of the batch runs causally, within itself, without a KV store; the final RMSNorm's
// output of its tokens is pooled by hp.pooling (mean, last or cls), as llama.cpp pools a
// decoder's embeddings. Each hidden state equals the one forward() computes for the same
// sequence bit for bit. Requires: hp.pooling is Mean, Last or Cls.
Status decoder_encode(const StepContext& c, std::span<const BatchToken> batch, float* out);

}  // namespace ondo::model::blocks
