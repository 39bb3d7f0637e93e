// Binding a llama-style decoder's tensors (decoder_weights.h). Layer: model.
#include "ondo/model/blocks/decoder_weights.h"

#include <string>

#include "ondo/model/blocks/binder.h"

namespace ondo::model::blocks {

MemoryNeeds decoder_memory(const HParams& hp) {
  MemoryNeeds m;
  m.kv_bytes_per_token = 2ull * uint64_t(hp.n_layer) * uint64_t(hp.kv_dim()) * sizeof(float);
  m.scratch_bytes_per_token = sizeof(float) * (3ull * uint64_t(hp.n_embd) + 2ull * uint64_t(hp.q_dim()) +
                                               2ull * uint64_t(hp.kv_dim()) + 2ull * uint64_t(hp.n_ff));
  return m;
}

std::vector<core::PreparedTensor*> DecoderWeights::matmul_weights() {
  std::vector<core::PreparedTensor*> out;
  for (LayerWeights& l : layers) {
    for (core::PreparedTensor* t : {&l.wq, &l.wk, &l.wv, &l.wo, &l.w_gate, &l.w_up, &l.w_down}) out.push_back(t);
  }
  out.push_back(&output);
  if (tied_output) out.push_back(&token_embd);  // same bytes as output: prepared together
  return out;
}

Result<std::unique_ptr<DecoderWeights>> bind_decoder_weights(const gguf::GgufFile& f, const HParams& hp,
                                                             DecoderParts parts) {
  const Binder b(f);
  auto wp = std::make_unique<DecoderWeights>();
  DecoderWeights& w = *wp;
  const int64_t C = hp.n_embd, V = hp.n_vocab, F = hp.n_ff;
  const int64_t QD = hp.q_dim(), KVD = hp.kv_dim();
  ONDO_ASSIGN_OR_RETURN(w.token_embd, b.bind("token_embd.weight", C, V, false));
  ONDO_ASSIGN_OR_RETURN(w.output_norm, b.bind("output_norm.weight", C, 1, true));
  ONDO_ASSIGN_OR_RETURN(w.output, b.bind_optional("output.weight", C, V, false));
  if (!w.output.valid()) {
    w.output = w.token_embd;
    w.tied_output = true;
  }
  ONDO_ASSIGN_OR_RETURN(w.rope_freqs, b.bind_optional("rope_freqs.weight", hp.rope_dims / 2, 1, true));
  w.layers.resize(size_t(hp.n_layer));
  for (int32_t i = 0; i < hp.n_layer; ++i) {
    const std::string p = "blk." + std::to_string(i) + ".";
    LayerWeights& l = w.layers[size_t(i)];
    ONDO_ASSIGN_OR_RETURN(l.attn_norm, b.bind(p + "attn_norm.weight", C, 1, true));
    ONDO_ASSIGN_OR_RETURN(l.wq, b.bind(p + "attn_q.weight", C, QD, false));
    ONDO_ASSIGN_OR_RETURN(l.wk, b.bind(p + "attn_k.weight", C, KVD, false));
    ONDO_ASSIGN_OR_RETURN(l.wv, b.bind(p + "attn_v.weight", C, KVD, false));
    ONDO_ASSIGN_OR_RETURN(l.wo, b.bind(p + "attn_output.weight", QD, C, false));
    if (parts.qkv_bias) {
      ONDO_ASSIGN_OR_RETURN(l.bq, b.bind(p + "attn_q.bias", QD, 1, true));
      ONDO_ASSIGN_OR_RETURN(l.bk, b.bind(p + "attn_k.bias", KVD, 1, true));
      ONDO_ASSIGN_OR_RETURN(l.bv, b.bind(p + "attn_v.bias", KVD, 1, true));
    }
    ONDO_ASSIGN_OR_RETURN(l.ffn_norm, b.bind(p + "ffn_norm.weight", C, 1, true));
    ONDO_ASSIGN_OR_RETURN(l.w_gate, b.bind(p + "ffn_gate.weight", C, F, false));
    ONDO_ASSIGN_OR_RETURN(l.w_up, b.bind(p + "ffn_up.weight", C, F, false));
    ONDO_ASSIGN_OR_RETURN(l.w_down, b.bind(p + "ffn_down.weight", F, C, false));
  }
  return wp;
}

}  // namespace ondo::model::blocks
