// Weights: views of a decoder's tensors inside the mapped GGUF, each shape checked
// against the hyperparameters at load. Layer: model.
#pragma once

#include <memory>
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

// Copies of weights in a kernel's layout, owned by the model.
struct WeightCopies {
  struct Free {
    void operator()(uint8_t* p) const;
  };
  std::vector<std::unique_ptr<uint8_t, Free>> buffers;
};

// Rewrites every matmul weight (attention, feed-forward, output; the embedding too when the
// output is tied to it) whose type has a row-interleaved kernel on this CPU
// (core/quant/interleave.h, core/kernels/gemm.h) as an interleaved copy owned by `copies`,
// and releases the mapped original's pages, so resident memory stays one copy. Results are
// unchanged bit for bit; only speed differs. The environment variable ONDO_INTERLEAVE=0
// keeps the GGUF layout (for comparisons).
void interleave_weights(const gguf::GgufFile& file, Weights& w, WeightCopies& copies);

// Binds every tensor. Errors name the file and the tensor: a missing tensor, a shape that
// contradicts the hyperparameters, a type ondo cannot compute with, or a norm/bias that is
// not F32.
Result<Weights> bind_weights(const gguf::GgufFile& file, const HParams& hp, const ArchSpec& spec);

}  // namespace ondo::model
