// The forward pass of a llama-style decoder, shared by the units whose network it is (llama,
// qwen2): embeddings, then per layer RMSNorm -> Q/K/V (+ biases where the weights have them)
// -> RoPE (style from the hyperparameters) -> causal GQA attention -> output projection +
// residual -> RMSNorm -> SwiGLU FFN + residual; final RMSNorm -> logits. Every step is named
// for the activation taps. Layer: model. A family whose network differs writes its own recipe.
#pragma once

#include <span>

#include "ondo/model/unit.h"

namespace ondo::model::blocks {

// A unit's ForwardFn for blocks::DecoderWeights (unit.h: ForwardFn).
Status decoder_forward(const StepContext& c, std::span<const BatchToken> batch, KvStore& kv, float* logits);

}  // namespace ondo::model::blocks
