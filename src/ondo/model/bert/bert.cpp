// The bert unit: hyperparameters, weight binding, memory needs (bert.h); the pass is in
// bert_forward.cpp. Tensor and key names as llama.cpp (upstream 34af94cd) reads them for
// LLM_ARCH_BERT. Layer: model.
#include "ondo/model/bert/bert.h"

#include <string>

#include "ondo/gguf/keys.h"
#include "ondo/model/blocks/binder.h"

namespace ondo::model::bert {
namespace {

Error bad(const gguf::GgufFile& f, ErrorCode code, const std::string& what) {
  return make_error(code, f.name() + ": " + what);
}

Result<HParams> read_hparams(const gguf::GgufFile& f) {
  ONDO_ASSIGN_OR_RETURN(HParams hp, read_common_hparams(f, "bert"));
  ONDO_TRY(read_layer_norm_eps(f, hp));
  // A BERT file without the key is pooled by its [CLS] token, BERT's sentence vector
  // (llama.cpp would return per-token vectors instead).
  ONDO_TRY(read_pooling(f, Pooling::Cls, hp));
  if (hp.pooling == Pooling::None) {
    return bad(f, ErrorCode::Unsupported,
               "metadata key 'bert.pooling_type' = 0 (none, per-token vectors) is not supported; "
               "ondo returns one vector per input");
  }
  ONDO_ASSIGN_OR_RETURN(bool causal, f.get_bool_or(gguf::keys::arch_key("bert", "attention.causal"), false));
  if (causal) return bad(f, ErrorCode::Unsupported, "metadata key 'bert.attention.causal' = true is not supported");
  hp.causal = false;
  if (hp.pooling == Pooling::Rank) {
    // One score per classifier label; one when the file names none.
    hp.n_cls_out = 1;
    if (const gguf::Value* labels = f.find(gguf::keys::arch_key("bert", "classifier.output_labels"))) {
      if (labels->type() != gguf::ValueType::Array || labels->size() == 0 || labels->size() > 4096) {
        return bad(f, ErrorCode::InvalidFile, "metadata key 'bert.classifier.output_labels' is not a list of 1..4096 labels");
      }
      hp.n_cls_out = int32_t(labels->size());
    }
  }
  return hp;
}

Result<std::unique_ptr<UnitWeights>> bind_weights(const gguf::GgufFile& f, const HParams& hp) {
  const blocks::Binder b(f);
  auto wp = std::make_unique<BertWeights>();
  BertWeights& w = *wp;
  const int64_t C = hp.n_embd, V = hp.n_vocab, F = hp.n_ff, QD = hp.q_dim(), KVD = hp.kv_dim();
  ONDO_ASSIGN_OR_RETURN(w.token_embd, b.bind("token_embd.weight", C, V, false));
  ONDO_ASSIGN_OR_RETURN(w.position_embd, b.bind("position_embd.weight", C, hp.n_ctx_train, false));
  if (const gguf::TensorInfo* tt = f.find_tensor("token_types.weight")) {
    const int64_t n_types = tt->shape.size() >= 2 ? tt->shape[1] : 1;
    ONDO_ASSIGN_OR_RETURN(w.token_types, b.bind("token_types.weight", C, n_types, false));
  }
  ONDO_ASSIGN_OR_RETURN(w.embd_norm, b.bind("token_embd_norm.weight", C, 1, true));
  ONDO_ASSIGN_OR_RETURN(w.embd_norm_b, b.bind("token_embd_norm.bias", C, 1, true));
  w.layers.resize(size_t(hp.n_layer));
  for (int32_t i = 0; i < hp.n_layer; ++i) {
    const std::string p = "blk." + std::to_string(i) + ".";
    LayerWeights& l = w.layers[size_t(i)];
    if (f.find_tensor(p + "attn_qkv.weight")) {
      return bad(f, ErrorCode::Unsupported, "tensor '" + p + "attn_qkv.weight' (fused Q/K/V) is not supported");
    }
    ONDO_ASSIGN_OR_RETURN(l.wq, b.bind(p + "attn_q.weight", C, QD, false));
    ONDO_ASSIGN_OR_RETURN(l.bq, b.bind(p + "attn_q.bias", QD, 1, true));
    ONDO_ASSIGN_OR_RETURN(l.wk, b.bind(p + "attn_k.weight", C, KVD, false));
    ONDO_ASSIGN_OR_RETURN(l.bk, b.bind(p + "attn_k.bias", KVD, 1, true));
    ONDO_ASSIGN_OR_RETURN(l.wv, b.bind(p + "attn_v.weight", C, KVD, false));
    ONDO_ASSIGN_OR_RETURN(l.bv, b.bind(p + "attn_v.bias", KVD, 1, true));
    ONDO_ASSIGN_OR_RETURN(l.wo, b.bind(p + "attn_output.weight", QD, C, false));
    ONDO_ASSIGN_OR_RETURN(l.bo, b.bind(p + "attn_output.bias", C, 1, true));
    ONDO_ASSIGN_OR_RETURN(l.attn_out_norm, b.bind(p + "attn_output_norm.weight", C, 1, true));
    ONDO_ASSIGN_OR_RETURN(l.attn_out_norm_b, b.bind(p + "attn_output_norm.bias", C, 1, true));
    if (f.find_tensor(p + "ffn_gate.weight")) {
      return bad(f, ErrorCode::Unsupported, "tensor '" + p + "ffn_gate.weight' (gated FFN) is not supported by the bert unit");
    }
    ONDO_ASSIGN_OR_RETURN(l.w_up, b.bind(p + "ffn_up.weight", C, F, false));
    ONDO_ASSIGN_OR_RETURN(l.b_up, b.bind(p + "ffn_up.bias", F, 1, true));
    ONDO_ASSIGN_OR_RETURN(l.w_down, b.bind(p + "ffn_down.weight", F, C, false));
    ONDO_ASSIGN_OR_RETURN(l.b_down, b.bind(p + "ffn_down.bias", C, 1, true));
    ONDO_ASSIGN_OR_RETURN(l.layer_out_norm, b.bind(p + "layer_output_norm.weight", C, 1, true));
    ONDO_ASSIGN_OR_RETURN(l.layer_out_norm_b, b.bind(p + "layer_output_norm.bias", C, 1, true));
  }
  if (hp.pooling == Pooling::Rank) {
    ONDO_ASSIGN_OR_RETURN(w.cls, b.bind_optional("cls.weight", C, C, false));
    if (w.cls.valid()) {
      ONDO_ASSIGN_OR_RETURN(w.cls_b, b.bind_optional("cls.bias", C, 1, true));
    }
    ONDO_ASSIGN_OR_RETURN(w.cls_out, b.bind("cls.output.weight", C, hp.n_cls_out, false));
    ONDO_ASSIGN_OR_RETURN(w.cls_out_b, b.bind_optional("cls.output.bias", hp.n_cls_out, 1, true));
  }
  return std::unique_ptr<UnitWeights>(std::move(wp));
}

// Per batch token: x, xn, proj [C]; q, attn [H*D]; k, v [Hkv*D]; up (and the unused gate) [F].
// No KV cache: an encoder sees each sequence once.
MemoryNeeds memory(const HParams& hp) {
  MemoryNeeds m;
  m.scratch_bytes_per_token = sizeof(float) * (3ull * uint64_t(hp.n_embd) + 2ull * uint64_t(hp.q_dim()) +
                                               2ull * uint64_t(hp.kv_dim()) + 2ull * uint64_t(hp.n_ff));
  return m;
}

}  // namespace

std::vector<core::PreparedTensor*> BertWeights::matmul_weights() {
  std::vector<core::PreparedTensor*> out;
  for (LayerWeights& l : layers) {
    for (core::PreparedTensor* t : {&l.wq, &l.wk, &l.wv, &l.wo, &l.w_up, &l.w_down}) out.push_back(t);
  }
  if (cls.valid()) out.push_back(&cls);
  if (cls_out.valid()) out.push_back(&cls_out);
  return out;
}

const ArchUnit kUnit = {
    .name = "bert",
    .description = "BERT encoder (embeddings: MiniLM, bge, e5, gte; rerankers)",
    .kind = ModelKind::Encode,
    .default_tokenizer = "bert",
    .read_hparams = read_hparams,
    .bind_weights = bind_weights,
    .forward = nullptr,
    .encode = encode,
    .memory = memory,
};

}  // namespace ondo::model::bert
