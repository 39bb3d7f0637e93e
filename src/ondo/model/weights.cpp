// Binding and shape-checking a decoder's tensors. Layer: model.
#include "ondo/model/weights.h"

#include <string>

namespace ondo::model {
namespace {

std::string shape_str(const std::vector<int64_t>& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

class Binder {
 public:
  explicit Binder(const gguf::GgufFile& f) : f_(f) {}

  // Binds `name` expecting ggml shape {ne0, ne1} (ne1 = 1 for vectors).
  Result<core::Tensor> bind(const std::string& name, int64_t ne0, int64_t ne1, bool f32_only) const {
    const gguf::TensorInfo* t = f_.find_tensor(name);
    if (!t) return make_error(ErrorCode::InvalidFile, f_.name() + ": tensor '" + name + "' is missing");
    return check(*t, ne0, ne1, f32_only);
  }
  Result<core::Tensor> bind_optional(const std::string& name, int64_t ne0, int64_t ne1, bool f32_only) const {
    const gguf::TensorInfo* t = f_.find_tensor(name);
    if (!t) return core::Tensor{};
    return check(*t, ne0, ne1, f32_only);
  }

 private:
  Result<core::Tensor> check(const gguf::TensorInfo& t, int64_t ne0, int64_t ne1, bool f32_only) const {
    std::vector<int64_t> want = ne1 == 1 ? std::vector<int64_t>{ne0} : std::vector<int64_t>{ne0, ne1};
    std::vector<int64_t> got = t.shape;
    while (got.size() > want.size() && got.back() == 1) got.pop_back();
    if (got != want) {
      return make_error(ErrorCode::InvalidFile, f_.name() + ": tensor '" + std::string(t.name) + "' has shape " +
                                                    shape_str(t.shape) + ", expected " + shape_str(want) +
                                                    " from the hyperparameters");
    }
    const core::DTypeInfo& info = core::dtype_info(t.type);
    if (!info.compute || (f32_only && t.type != core::DType::F32)) {
      return make_error(ErrorCode::Unsupported, f_.name() + ": tensor '" + std::string(t.name) + "' has type " +
                                                    std::string(info.name) + (f32_only ? ", expected F32" : ", which ondo cannot compute with"));
    }
    core::Tensor out;
    out.name = t.name;
    out.type = t.type;
    for (size_t i = 0; i < t.shape.size() && i < 4; ++i) out.ne[i] = t.shape[i];
    out.data = t.data;
    out.row_bytes = size_t(*core::row_bytes(t.type, t.shape[0]));
    return out;
  }

  const gguf::GgufFile& f_;
};

}  // namespace

Result<Weights> bind_weights(const gguf::GgufFile& f, const HParams& hp, const ArchSpec& spec) {
  Binder b(f);
  Weights w;
  const int64_t C = hp.n_embd, V = hp.n_vocab, F = hp.n_ff;
  const int64_t QD = hp.q_dim(), KVD = hp.kv_dim();
  ONDO_ASSIGN_OR_RETURN(w.token_embd, b.bind("token_embd.weight", C, V, false));
  ONDO_ASSIGN_OR_RETURN(w.output_norm, b.bind("output_norm.weight", C, 1, true));
  ONDO_ASSIGN_OR_RETURN(w.output, b.bind_optional("output.weight", C, V, false));
  if (!w.output.valid()) {
    if (!spec.output_may_be_tied) {
      return make_error(ErrorCode::InvalidFile, f.name() + ": tensor 'output.weight' is missing");
    }
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
    if (spec.qkv_bias) {
      ONDO_ASSIGN_OR_RETURN(l.bq, b.bind(p + "attn_q.bias", QD, 1, true));
      ONDO_ASSIGN_OR_RETURN(l.bk, b.bind(p + "attn_k.bias", KVD, 1, true));
      ONDO_ASSIGN_OR_RETURN(l.bv, b.bind(p + "attn_v.bias", KVD, 1, true));
    }
    ONDO_ASSIGN_OR_RETURN(l.ffn_norm, b.bind(p + "ffn_norm.weight", C, 1, true));
    ONDO_ASSIGN_OR_RETURN(l.w_gate, b.bind(p + "ffn_gate.weight", C, F, false));
    ONDO_ASSIGN_OR_RETURN(l.w_up, b.bind(p + "ffn_up.weight", C, F, false));
    ONDO_ASSIGN_OR_RETURN(l.w_down, b.bind(p + "ffn_down.weight", F, C, false));
  }
  return w;
}

}  // namespace ondo::model
