// DecoderWeights: the tensors of a llama-style decoder block stack (embeddings, per layer
// RMSNorm, Q/K/V/O with optional q/k/v biases, SwiGLU FFN; final norm and output), bound and
// shape-checked. Shared by the llama and qwen2 units. Layer: model.
#pragma once

#include <vector>

#include "ondo/core/prepared_tensor.h"
#include "ondo/core/tensor.h"
#include "ondo/gguf/reader.h"
#include "ondo/model/hparams.h"
#include "ondo/model/unit.h"

namespace ondo::model::blocks {

// A llama-style decoder's per-token needs: F32 K and V of every layer, and the activations
// ForwardScratch holds per batch token (x, xn, proj [C]; q, attn [H*D]; k, v [Hkv*D]; gate, up [F]).
MemoryNeeds decoder_memory(const HParams& hp);

struct LayerWeights {
  core::Tensor attn_norm;              // [C] F32
  core::PreparedTensor wq, wk, wv, wo;  // [C -> H*D], [C -> Hkv*D] x2, [H*D -> C]
  core::Tensor bq, bk, bv;             // [H*D], [Hkv*D] x2 biases, or invalid
  core::Tensor ffn_norm;               // [C] F32
  core::PreparedTensor w_gate, w_up, w_down;  // [C -> F] x2, [F -> C]
};

struct DecoderWeights final : UnitWeights {
  core::PreparedTensor token_embd;  // [C] x V rows (prepared only when tied to the output)
  core::Tensor output_norm;         // [C] F32
  core::PreparedTensor output;      // [C -> V]; token_embd when tied
  core::Tensor rope_freqs;   // [rope_dims/2] F32 frequency divisors (Llama 3.1), or invalid
  bool tied_output = false;
  std::vector<LayerWeights> layers;

  std::vector<core::PreparedTensor*> matmul_weights() override;
};

// Which optional parts a family's decoder has.
struct DecoderParts {
  bool qkv_bias = false;  // attn_{q,k,v}.bias required
};

// Binds every tensor of the stack. Errors name the file and the tensor: missing, a shape that
// contradicts hp, a type ondo cannot compute with, a norm/bias that is not F32. A missing
// output.weight means the output is tied to token_embd.
Result<std::unique_ptr<DecoderWeights>> bind_decoder_weights(const gguf::GgufFile& file, const HParams& hp,
                                                             DecoderParts parts);

}  // namespace ondo::model::blocks
