// The bert unit: BERT-style encoders as llama.cpp's converter writes them (arch "bert":
// all-MiniLM, bge, e5, gte; cross-encoder rerankers with pooling rank). Learned position and
// token-type embeddings, post-LayerNorm layers with biases, GELU FFN, attention both ways
// within a sequence, pooling from bert.pooling_type. Layer: model.
#pragma once

#include <vector>

#include "ondo/core/prepared_tensor.h"
#include "ondo/core/tensor.h"
#include "ondo/model/unit.h"

namespace ondo::model::bert {

extern const ArchUnit kUnit;

struct LayerWeights {
  core::PreparedTensor wq, wk, wv, wo;     // [C -> H*D] x3, [H*D -> C]
  core::Tensor bq, bk, bv, bo;             // biases, F32
  core::Tensor attn_out_norm, attn_out_norm_b;    // [C] F32 (post-attention LayerNorm)
  core::PreparedTensor w_up, w_down;       // [C -> F], [F -> C]
  core::Tensor b_up, b_down;               // [F], [C] F32
  core::Tensor layer_out_norm, layer_out_norm_b;  // [C] F32 (post-FFN LayerNorm)
};

struct BertWeights final : UnitWeights {
  core::PreparedTensor token_embd;         // [C] x V rows (row lookup only)
  core::PreparedTensor position_embd;      // [C] x n_ctx_train rows
  core::PreparedTensor token_types;        // [C] x n_types rows, or invalid (row 0 is added)
  core::Tensor embd_norm, embd_norm_b;     // [C] F32
  std::vector<LayerWeights> layers;
  // Rank pooling's classifier head: h = tanh(cls h_CLS + cls_b) (optional), then
  // scores = cls_out h + cls_out_b.
  core::PreparedTensor cls, cls_out;       // [C -> C], [C -> n_cls_out]
  core::Tensor cls_b, cls_out_b;           // [C], [n_cls_out] F32, or invalid

  std::vector<core::PreparedTensor*> matmul_weights() override;
};

// The encoder pass (bert_forward.cpp); Model::encode's contract.
Status encode(const StepContext& ctx, std::span<const BatchToken> batch, float* out);

}  // namespace ondo::model::bert
