// Loading and validating a LoRA adapter GGUF against its base (adapter.h). Layer: model.
#include "ondo/model/lora/adapter.h"

#include <atomic>
#include <cmath>
#include <cstring>
#include <optional>

#include "ondo/gguf/keys.h"
#include "ondo/model/blocks/decoder_weights.h"
#include "ondo/model/model.h"

namespace ondo::model {
namespace {

constexpr std::array<std::string_view, kLoraTargets> kTargetNames = {
    "attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"};
constexpr int64_t kMaxRank = 1 << 14;
std::atomic<uint64_t> g_next_serial{1};

std::string shape_str(const std::vector<int64_t>& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

// The two dims of a matrix tensor (trailing 1s ignored), or nullopt when it is not 2-D.
std::optional<std::array<int64_t, 2>> dims2(const gguf::TensorInfo& t) {
  std::vector<int64_t> s = t.shape;
  while (s.size() > 2 && s.back() == 1) s.pop_back();
  if (s.size() != 2) return std::nullopt;
  return std::array<int64_t, 2>{s[0], s[1]};
}

// "blk.<layer>.<target>.weight" -> (layer, target), or nullopt.
std::optional<std::pair<int32_t, LoraTarget>> parse_weight_name(std::string_view w) {
  constexpr std::string_view kBlk = "blk.", kWeight = ".weight";
  if (!w.starts_with(kBlk) || !w.ends_with(kWeight)) return std::nullopt;
  w.remove_prefix(kBlk.size());
  w.remove_suffix(kWeight.size());
  const size_t dot = w.find('.');
  if (dot == 0 || dot == std::string_view::npos || dot > 6) return std::nullopt;
  int32_t layer = 0;
  for (char ch : w.substr(0, dot)) {
    if (ch < '0' || ch > '9') return std::nullopt;
    layer = layer * 10 + (ch - '0');
  }
  const std::string_view target = w.substr(dot + 1);
  for (size_t i = 0; i < kLoraTargets; ++i) {
    if (kTargetNames[i] == target) return std::make_pair(layer, LoraTarget(i));
  }
  return std::nullopt;
}

core::Tensor view(const gguf::TensorInfo& t, int64_t ne0, int64_t ne1) {
  core::Tensor out;
  out.name = t.name;
  out.type = t.type;
  out.ne[0] = ne0;
  out.ne[1] = ne1;
  out.data = t.data;
  out.row_bytes = size_t(*core::row_bytes(t.type, ne0));
  return out;
}

// The pair (ta = "<w>.lora_a", tb = "<w>.lora_b") checked against the base weight `w`:
// F32/F16, matrices, rank in range, A [n_in, rank], B [rank, n_out].
Result<LoraPair> bind_pair(const gguf::GgufFile& f, const Model& base, const gguf::TensorInfo& ta,
                           const gguf::TensorInfo& tb, const std::string& w) {
  const std::string& fn = f.name();
  auto bad = [&](const std::string& what) { return make_error(ErrorCode::InvalidFile, fn + ": " + what); };
  const std::string name(ta.name), other(tb.name);
  const gguf::TensorInfo* tw = base.file().find_tensor(w);
  if (!tw) return bad("tensor '" + name + "' adapts '" + w + "', which the base model does not have");
  const auto dw = dims2(*tw);
  const auto da = dims2(ta), db = dims2(tb);
  for (const gguf::TensorInfo* t : {&ta, &tb}) {
    if (t->type != core::DType::F32 && t->type != core::DType::F16) {
      return make_error(ErrorCode::Unsupported, fn + ": tensor '" + std::string(t->name) + "' has type " +
                                                    std::string(core::dtype_info(t->type).name) +
                                                    ", expected F32 or F16");
    }
  }
  if (!dw || !da || !db) {
    return bad("tensor '" + std::string(da ? tb.name : ta.name) + "' is not a matrix (shape " +
               shape_str(da ? tb.shape : ta.shape) + ")");
  }
  const int64_t n_in = (*dw)[0], n_out = (*dw)[1], rank = (*db)[0];
  if (rank < 1 || rank > kMaxRank) {
    return bad("tensor '" + other + "' has rank " + std::to_string(rank) + " (expected 1.." +
               std::to_string(kMaxRank) + ")");
  }
  if ((*da)[0] != n_in || (*da)[1] != rank) {
    return bad("tensor '" + name + "' has shape " + shape_str(ta.shape) + ", expected [" +
               std::to_string(n_in) + ", " + std::to_string(rank) + "] from '" + w + "' and the rank of '" + other +
               "'");
  }
  if ((*db)[1] != n_out) {
    return bad("tensor '" + other + "' has shape " + shape_str(tb.shape) + ", expected [" + std::to_string(rank) +
               ", " + std::to_string(n_out) + "] from '" + w + "'");
  }
  LoraPair p;
  p.a = view(ta, n_in, rank);
  p.b = view(tb, rank, n_out);
  return p;
}

}  // namespace

std::string_view lora_target_name(LoraTarget t) { return kTargetNames[size_t(t)]; }

Result<std::shared_ptr<const LoraAdapter>> LoraAdapter::load(const std::filesystem::path& path, const Model& base) {
  ONDO_ASSIGN_OR_RETURN(auto file, gguf::GgufFile::open(path));
  return from_file(std::move(file), base);
}

Result<std::shared_ptr<const LoraAdapter>> LoraAdapter::from_file(std::unique_ptr<gguf::GgufFile> file,
                                                                  const Model& base) {
  std::shared_ptr<LoraAdapter> a(new LoraAdapter());
  a->file_ = std::move(file);
  ONDO_TRY(a->bind(base));
  a->serial_ = g_next_serial.fetch_add(1);
  return std::shared_ptr<const LoraAdapter>(std::move(a));
}

// Checks the metadata, then binds every "<W>.lora_a" / "<W>.lora_b" pair.
Status LoraAdapter::bind(const Model& base) {
  const gguf::GgufFile& f = *file_;
  const std::string& fn = f.name();
  auto bad = [&](const std::string& what) { return make_error(ErrorCode::InvalidFile, fn + ": " + what); };
  if (!base.weights_as<blocks::DecoderWeights>()) {
    return make_error(ErrorCode::InvalidArgument, fn + ": the base model " + base.file().name() + " ('" +
                                                      std::string(base.unit().name) +
                                                      "') is not a llama-style decoder; LoRA adapters apply to those only");
  }
  ONDO_ASSIGN_OR_RETURN(std::string_view type, f.get_string("general.type"));
  if (type != "adapter") return bad("general.type is '" + std::string(type) + "', expected 'adapter'");
  ONDO_ASSIGN_OR_RETURN(std::string_view atype, f.get_string("adapter.type"));
  if (atype != "lora") return bad("adapter.type is '" + std::string(atype) + "', expected 'lora'");
  ONDO_ASSIGN_OR_RETURN(std::string_view arch, f.get_string(gguf::keys::kArchitecture));
  if (arch != base.unit().name) {
    return make_error(ErrorCode::InvalidArgument, fn + ": the adapter is for architecture '" + std::string(arch) +
                                                      "' but the base model " + base.file().name() + " is '" +
                                                      std::string(base.unit().name) + "'");
  }
  ONDO_ASSIGN_OR_RETURN(double alpha, f.get_float_or("adapter.lora.alpha", 0.0));
  if (!std::isfinite(alpha)) return bad("adapter.lora.alpha is not a finite number");
  alpha_ = float(alpha);
  base_ = &base;
  const int32_t n_layer = base.hparams().n_layer;
  layers_.assign(size_t(n_layer), {});

  for (const gguf::TensorInfo& ta : f.tensors()) {
    const std::string_view name = ta.name;
    const bool is_a = name.ends_with(".lora_a"), is_b = name.ends_with(".lora_b");
    if (!is_a && !is_b) return bad("tensor '" + std::string(name) + "' is not a LoRA tensor (.lora_a / .lora_b)");
    const std::string w(name.substr(0, name.size() - 7));
    const std::string other = w + (is_a ? ".lora_b" : ".lora_a");
    const gguf::TensorInfo* tb = f.find_tensor(other);
    if (!tb) return bad("tensor '" + std::string(name) + "' has no partner '" + other + "'");
    if (is_b) continue;  // each pair is bound once, from its lora_a
    const auto where = parse_weight_name(w);
    if (!where) {
      return make_error(ErrorCode::Unsupported, fn + ": tensor '" + std::string(name) + "' adapts '" + w +
                                                    "', which ondo does not adapt (per-layer attn_q/k/v/output and "
                                                    "ffn_gate/up/down only)");
    }
    const auto [layer, target] = *where;
    if (layer >= n_layer) {
      return bad("tensor '" + std::string(name) + "' is for layer " + std::to_string(layer) + " but the base has " +
                 std::to_string(n_layer) + " layers");
    }
    ONDO_ASSIGN_OR_RETURN(LoraPair p, bind_pair(f, base, ta, *tb, w));
    p.alpha = alpha_;
    layers_[size_t(layer)][size_t(target)] = p;
    max_rank_ = std::max(max_rank_, int32_t(p.a.rows()));
    ++n_pairs_;
  }
  if (n_pairs_ == 0) return bad("the adapter has no LoRA tensors");
  return ok_status();
}

Result<std::shared_ptr<const LoraSet>> make_lora_set(std::vector<LoraUse> uses) {
  auto set = std::make_shared<LoraSet>();
  for (size_t i = 0; i < uses.size(); ++i) {
    if (!uses[i].adapter) return make_error(ErrorCode::InvalidArgument, "lora[" + std::to_string(i) + "]: no adapter");
    if (!std::isfinite(uses[i].scale)) {
      return make_error(ErrorCode::InvalidArgument, "lora[" + std::to_string(i) + "]: scale is not a finite number");
    }
    if (uses[i].scale != 0.0f) set->uses.push_back(std::move(uses[i]));
  }
  return std::shared_ptr<const LoraSet>(std::move(set));
}

}  // namespace ondo::model

namespace ondo::model {

std::string lora_set_key(const LoraSet* set) {
  if (!set || set->empty()) return "";
  std::string key = "lora";
  for (const LoraUse& u : set->uses) {
    uint32_t bits = 0;
    std::memcpy(&bits, &u.scale, sizeof bits);
    key += ";" + std::to_string(u.adapter->serial()) + "@" + std::to_string(bits);
  }
  return key;
}

}  // namespace ondo::model
