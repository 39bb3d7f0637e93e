// Weights: views of a decoder's tensors inside the mapped GGUF, each shape checked
// against the hyperparameters at load. Layer: model.
#pragma once

#include <vector>

#include "ondo/core/tensor.h"
#include "ondo/gguf/reader.h"
#include "ondo/model/hparams.h"
#include "ondo/model/registry.h"

namespace ondo::model {

struct LayerWeights {
  core::Tensor attn_norm;              // [C] F32
  core::Tensor wq, wk, wv, wo;         // [C -> H*D], [C -> Hkv*D] x2, [H*D -> C]
  core::Tensor bq, bk, bv;             // biases (qwen2) or invalid
  core::Tensor ffn_norm;               // [C]
  core::Tensor w_gate, w_up, w_down;   // [C -> F] x2, [F -> C]
};

struct Weights {
  core::Tensor token_embd;   // [C] x V rows
  core::Tensor output_norm;  // [C]
  core::Tensor output;       // [C -> V]; token_embd when tied
  core::Tensor rope_freqs;   // [rope_dims/2] F32 frequency divisors, or invalid
  bool tied_output = false;
  std::vector<LayerWeights> layers;
};

// Binds every tensor. Errors name the file and the tensor: a missing tensor, a shape that
// contradicts the hyperparameters, a type ondo cannot compute with, or a norm/bias that is
// not F32.
Result<Weights> bind_weights(const gguf::GgufFile& file, const HParams& hp, const ArchSpec& spec);

}  // namespace ondo::model
