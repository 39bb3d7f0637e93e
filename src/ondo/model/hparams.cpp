// Reading and validating hyperparameters from GGUF metadata: the common core and the
// optional per-family pieces units pick from. Layer: model.
#include "ondo/model/hparams.h"

#include "ondo/gguf/keys.h"

namespace ondo::model {
namespace {

using gguf::keys::arch_key;

Error bad(const gguf::GgufFile& f, const std::string& what) {
  return make_error(ErrorCode::InvalidFile, f.name() + ": " + what);
}

// A required positive integer hyperparameter no larger than `max`.
Result<int32_t> positive(const gguf::GgufFile& f, const std::string& key, uint64_t max) {
  ONDO_ASSIGN_OR_RETURN(uint64_t v, f.get_uint(key));
  if (v == 0 || v > max) {
    return bad(f, "metadata key '" + key + "' = " + std::to_string(v) + " is out of range (expected 1.." +
                      std::to_string(max) + ")");
  }
  return int32_t(v);
}

// A required epsilon in (0, 1).
Result<float> epsilon(const gguf::GgufFile& f, const std::string& key) {
  ONDO_ASSIGN_OR_RETURN(double eps, f.get_float(key));
  if (!(eps > 0.0 && eps < 1.0)) return bad(f, "metadata key '" + key + "' = " + std::to_string(eps) + " is out of range");
  return float(eps);
}

}  // namespace

Result<HParams> read_common_hparams(const gguf::GgufFile& f, const std::string& arch) {
  HParams hp;
  hp.arch = arch;
  ONDO_ASSIGN_OR_RETURN(hp.n_embd, positive(f, arch_key(arch, "embedding_length"), 1 << 16));
  ONDO_ASSIGN_OR_RETURN(hp.n_layer, positive(f, arch_key(arch, "block_count"), 1024));
  ONDO_ASSIGN_OR_RETURN(hp.n_head, positive(f, arch_key(arch, "attention.head_count"), 1024));
  ONDO_ASSIGN_OR_RETURN(hp.n_ff, positive(f, arch_key(arch, "feed_forward_length"), 1 << 20));
  ONDO_ASSIGN_OR_RETURN(hp.n_ctx_train, positive(f, arch_key(arch, "context_length"), 1u << 24));

  const std::string kv_key = arch_key(arch, "attention.head_count_kv");
  ONDO_ASSIGN_OR_RETURN(uint64_t n_head_kv, f.get_uint_or(kv_key, uint64_t(hp.n_head)));
  if (n_head_kv == 0 || n_head_kv > uint64_t(hp.n_head) || hp.n_head % n_head_kv != 0) {
    return bad(f, "metadata key '" + kv_key + "' = " + std::to_string(n_head_kv) +
                      " does not divide attention.head_count = " + std::to_string(hp.n_head));
  }
  hp.n_head_kv = int32_t(n_head_kv);

  const std::string kl_key = arch_key(arch, "attention.key_length");
  if (hp.n_embd % hp.n_head != 0 && f.find(kl_key) == nullptr) {
    return bad(f, "embedding_length " + std::to_string(hp.n_embd) + " is not a multiple of head_count " +
                      std::to_string(hp.n_head));
  }
  ONDO_ASSIGN_OR_RETURN(uint64_t head_dim, f.get_uint_or(kl_key, uint64_t(hp.n_embd / hp.n_head)));
  ONDO_ASSIGN_OR_RETURN(uint64_t v_dim, f.get_uint_or(arch_key(arch, "attention.value_length"), head_dim));
  if (head_dim == 0 || head_dim > 1024 || head_dim % 2 != 0 || v_dim != head_dim) {
    return bad(f, "attention head size " + std::to_string(head_dim) + " (value " + std::to_string(v_dim) +
                      ") is unsupported (expected an even size up to 1024, equal for keys and values)");
  }
  hp.head_dim = int32_t(head_dim);
  return hp;
}

Status read_rms_eps(const gguf::GgufFile& f, HParams& hp) {
  ONDO_ASSIGN_OR_RETURN(hp.rms_eps, epsilon(f, arch_key(hp.arch, "attention.layer_norm_rms_epsilon")));
  return ok_status();
}

Status read_layer_norm_eps(const gguf::GgufFile& f, HParams& hp) {
  ONDO_ASSIGN_OR_RETURN(hp.layer_norm_eps, epsilon(f, arch_key(hp.arch, "attention.layer_norm_epsilon")));
  return ok_status();
}

Status read_rope(const gguf::GgufFile& f, core::RopeStyle style, HParams& hp) {
  hp.rope_style = style;
  const std::string base_key = arch_key(hp.arch, "rope.freq_base");
  ONDO_ASSIGN_OR_RETURN(double base, f.get_float_or(base_key, 10000.0));
  if (!(base > 1.0 && base < 1e12)) return bad(f, "metadata key '" + base_key + "' = " + std::to_string(base) + " is out of range");
  hp.rope_base = float(base);

  const std::string rd_key = arch_key(hp.arch, "rope.dimension_count");
  ONDO_ASSIGN_OR_RETURN(uint64_t rope_dims, f.get_uint_or(rd_key, uint64_t(hp.head_dim)));
  if (rope_dims == 0 || rope_dims > uint64_t(hp.head_dim) || rope_dims % 2 != 0) {
    return bad(f, "metadata key '" + rd_key + "' = " + std::to_string(rope_dims) + " must be even and at most the head size " +
                      std::to_string(hp.head_dim));
  }
  hp.rope_dims = int32_t(rope_dims);

  // Context-extension scaling other than Llama 3.1's (carried by the rope_freqs tensor) is
  // not implemented: refuse it rather than compute wrong logits.
  const std::string sc_key = arch_key(hp.arch, "rope.scaling.type");
  if (const gguf::Value* v = f.find(sc_key)) {
    auto type = v->as_string();
    if (!type || (*type != "none" && *type != "llama3")) {
      return make_error(ErrorCode::Unsupported, f.name() + ": metadata key '" + sc_key + "' = '" +
                                                    std::string(type.value_or("?")) + "' is not supported");
    }
  }
  return ok_status();
}

Status read_pooling(const gguf::GgufFile& f, Pooling fallback, HParams& hp) {
  const std::string key = arch_key(hp.arch, "pooling_type");
  ONDO_ASSIGN_OR_RETURN(uint64_t v, f.get_uint_or(key, uint64_t(fallback)));
  if (v > uint64_t(Pooling::Rank)) {
    return bad(f, "metadata key '" + key + "' = " + std::to_string(v) +
                      " is not a supported pooling (0 none, 1 mean, 2 cls, 3 last, 4 rank)");
  }
  hp.pooling = Pooling(v);
  return ok_status();
}

}  // namespace ondo::model
