// ParamLayout: where each tensor of a trained model lives in one flat F32 buffer (the
// parameters, their gradients and the optimizer moments all share it), with the GGUF name
// and shape each tensor is exported under. Layer: train.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ondo/train/config.h"

namespace ondo::train {

struct ParamTensor {
  std::string name;            // GGUF tensor name ("blk.0.attn_q.weight")
  int64_t offset = 0;          // into the flat buffer, in floats
  std::vector<int64_t> shape;  // ggml order: {K, N} for a matrix of N rows of K
  bool decay = false;          // AdamW weight decay applies (matrices, not norms)
  int64_t size() const;
};

struct LayerOffsets {
  int64_t attn_norm, wq, wk, wv, wo, ffn_norm, w_gate, w_up, w_down;
};

struct ParamLayout {
  std::vector<ParamTensor> tensors;  // in export order
  int64_t token_embd = 0;            // [V][C], also the output projection (tied)
  int64_t output_norm = 0;           // [C]
  std::vector<LayerOffsets> layers;
  int64_t n_params = 0;
};

// Requires: validate_config(c) ok.
ParamLayout make_layout(const ModelConfig& c);

// GPT-2 style initialization: matrices ~ N(0, 0.02), the residual outputs (wo, w_down)
// scaled by 1/sqrt(2 n_layer), norms 1. Draws from `rng` in tensor order.
void init_params(const ParamLayout& layout, const ModelConfig& c, Rng& rng, float* params);

}  // namespace ondo::train
