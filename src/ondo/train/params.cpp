// Parameter layout and initialization of a trained llama model. Layer: train.
#include "ondo/train/params.h"

#include <cmath>

namespace ondo::train {

int64_t ParamTensor::size() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

ParamLayout make_layout(const ModelConfig& c) {
  ParamLayout l;
  auto add = [&](std::string name, std::vector<int64_t> shape, bool decay) {
    ParamTensor t{std::move(name), l.n_params, std::move(shape), decay};
    l.n_params += t.size();
    l.tensors.push_back(std::move(t));
    return l.tensors.back().offset;
  };
  const int64_t C = c.n_embd, V = c.n_vocab, F = c.n_ff, QD = c.q_dim(), KVD = c.kv_dim();
  l.token_embd = add("token_embd.weight", {C, V}, true);
  for (int32_t i = 0; i < c.n_layer; ++i) {
    const std::string p = "blk." + std::to_string(i) + ".";
    LayerOffsets o;
    o.attn_norm = add(p + "attn_norm.weight", {C}, false);
    o.wq = add(p + "attn_q.weight", {C, QD}, true);
    o.wk = add(p + "attn_k.weight", {C, KVD}, true);
    o.wv = add(p + "attn_v.weight", {C, KVD}, true);
    o.wo = add(p + "attn_output.weight", {QD, C}, true);
    o.ffn_norm = add(p + "ffn_norm.weight", {C}, false);
    o.w_gate = add(p + "ffn_gate.weight", {C, F}, true);
    o.w_up = add(p + "ffn_up.weight", {C, F}, true);
    o.w_down = add(p + "ffn_down.weight", {F, C}, true);
    l.layers.push_back(o);
  }
  l.output_norm = add("output_norm.weight", {C}, false);
  return l;
}

void init_params(const ParamLayout& layout, const ModelConfig& c, Rng& rng, float* params) {
  const float std_base = 0.02f, std_resid = 0.02f / std::sqrt(2.0f * float(c.n_layer));
  for (const ParamTensor& t : layout.tensors) {
    float* p = params + t.offset;
    const int64_t n = t.size();
    if (!t.decay) {
      for (int64_t i = 0; i < n; ++i) p[i] = 1.0f;
      continue;
    }
    const bool resid = t.name.ends_with("attn_output.weight") || t.name.ends_with("ffn_down.weight");
    const float sd = resid ? std_resid : std_base;
    for (int64_t i = 0; i < n; ++i) p[i] = rng.normal(sd);
  }
}

}  // namespace ondo::train
