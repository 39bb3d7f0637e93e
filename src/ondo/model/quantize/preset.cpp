// The preset table and the per-tensor type rule (llama.cpp's llama_tensor_get_type at commit
// 34af94cd, facts only, for the non-IQ presets). Layer: model.
#include "ondo/model/quantize/preset.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <string>

#include "ondo/core/quant/blocks.h"

namespace ondo::model::quantize {
namespace {

using core::DType;
using FT = FileType;

const std::array<Preset, 17> kPresets = {{
    {FT::Q8_0, "Q8_0", DType::Q8_0},     {FT::Q4_0, "Q4_0", DType::Q4_0},
    {FT::Q4_1, "Q4_1", DType::Q4_1},     {FT::Q5_0, "Q5_0", DType::Q5_0},
    {FT::Q5_1, "Q5_1", DType::Q5_1},     {FT::Q2_K, "Q2_K", DType::Q2_K},
    {FT::Q3_K_S, "Q3_K_S", DType::Q3_K}, {FT::Q3_K_M, "Q3_K_M", DType::Q3_K},
    {FT::Q3_K_L, "Q3_K_L", DType::Q3_K}, {FT::Q4_K_S, "Q4_K_S", DType::Q4_K},
    {FT::Q4_K_M, "Q4_K_M", DType::Q4_K}, {FT::Q5_K_S, "Q5_K_S", DType::Q5_K},
    {FT::Q5_K_M, "Q5_K_M", DType::Q5_K}, {FT::Q6_K, "Q6_K", DType::Q6_K},
    {FT::F16, "F16", DType::F16},        {FT::BF16, "BF16", DType::BF16},
    {FT::F32, "F32", DType::F32},
}};

enum class Category { TokenEmbd, Output, AttnQkv, AttnV, AttnOutput, FfnDown, Other };

bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }
bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

// llama.cpp's tensor categories, tested in its order.
Category category_of(std::string_view name) {
  if (name == "output.weight") return Category::Output;
  if (name == "token_embd.weight") return Category::TokenEmbd;
  if (contains(name, "attn_qkv.weight")) return Category::AttnQkv;
  if (contains(name, "attn_kv_b.weight") || contains(name, "attn_v.weight")) return Category::AttnV;
  if (contains(name, "attn_output.weight")) return Category::AttnOutput;
  if (contains(name, "ffn_down")) return Category::FfnDown;
  return Category::Other;
}

// ggml_n_dims: the index of the last dimension above 1, plus one (a [C, 1] tensor is 1-D).
int n_dims(const std::vector<int64_t>& shape) {
  for (int i = int(shape.size()) - 1; i >= 1; --i) {
    if (shape[size_t(i)] > 1) return i + 1;
  }
  return 1;
}

// Only matrices named "*weight" are quantized; never norms or MoE routers.
bool may_quantize(const TensorDesc& t) {
  return n_dims(t.shape) >= 2 && ends_with(t.name, "weight") && !contains(t.name, "_norm.weight") &&
         !contains(t.name, "ffn_gate_inp.weight") && !contains(t.name, "position_embd") &&
         !contains(t.name, "token_types");
}

bool is_quantized(DType t) { return core::dtype_info(t).block_size > 1; }
int64_t block_of(DType t) { return core::dtype_info(t).block_size; }

// llama.cpp's use_more_bits: the first and last eighth of the layers, and every third between.
bool use_more_bits(int i_layer, int n_layers) {
  return i_layer < n_layers / 8 || i_layer >= 7 * n_layers / 8 || (i_layer - n_layers / 8) % 3 == 2;
}

struct Counters {
  int i_attn_v = 0, n_attn_v = 0;
  int i_ffn_down = 0, n_ffn_down = 0;
  bool tied_output = true;  // until an output.weight is seen
  int gqa = 1;
  bool is_70b = false;
};

DType attn_v_type(FT ft, DType t, Counters& c) {
  if (ft == FT::Q2_K) t = c.gqa >= 4 ? DType::Q4_K : DType::Q3_K;
  else if (ft == FT::Q3_K_M) t = c.i_attn_v < 2 ? DType::Q5_K : DType::Q4_K;
  else if (ft == FT::Q3_K_L) t = DType::Q5_K;
  else if ((ft == FT::Q4_K_M || ft == FT::Q5_K_M) && use_more_bits(c.i_attn_v, c.n_attn_v)) t = DType::Q6_K;
  else if (ft == FT::Q4_K_S && c.i_attn_v < 4) t = DType::Q5_K;
  // 70B models share one attn_v among 8 heads: the tensor is small, so it gets more bits.
  if (c.is_70b && (t == DType::Q3_K || t == DType::Q4_K)) t = DType::Q5_K;
  ++c.i_attn_v;
  return t;
}

DType ffn_down_type(FT ft, DType t, Counters& c) {
  const int i = c.i_ffn_down, n = c.n_ffn_down;
  if (ft == FT::Q2_K) t = DType::Q3_K;
  else if (ft == FT::Q3_K_M) t = i < n / 16 ? DType::Q5_K : DType::Q4_K;
  else if (ft == FT::Q3_K_L) t = DType::Q5_K;
  else if (ft == FT::Q4_K_M) { if (use_more_bits(i, n)) t = DType::Q6_K; }
  else if (ft == FT::Q5_K_M && use_more_bits(i, n)) t = DType::Q6_K;
  else if (ft == FT::Q4_K_S && i < n / 8) t = DType::Q5_K;
  ++c.i_ffn_down;
  return t;
}

// The preset's choice before the row-length check.
DType mixed_type(const Preset& p, const TensorDesc& t, Category cat, Counters& c) {
  const FT ft = p.file_type;
  DType type = p.base;
  if (cat == Category::Output || (c.tied_output && cat == Category::TokenEmbd)) {
    if (t.shape[0] % core::kQK_K != 0) return DType::Q8_0;
    return type == DType::Q8_0 ? type : DType::Q6_K;
  }
  switch (cat) {
    case Category::AttnV: return attn_v_type(ft, type, c);
    case Category::FfnDown: return ffn_down_type(ft, type, c);
    case Category::AttnOutput:
      if (ft == FT::Q2_K) return DType::Q3_K;
      if (ft == FT::Q3_K_M) return DType::Q4_K;
      if (ft == FT::Q3_K_L) return DType::Q5_K;
      return type;
    case Category::AttnQkv:
      if (ft == FT::Q3_K_M || ft == FT::Q3_K_L) return DType::Q4_K;
      if (ft == FT::Q4_K_M) return DType::Q5_K;
      if (ft == FT::Q5_K_M) return DType::Q6_K;
      return type;
    default: return type;
  }
}

// A type whose block does not divide the row length: the legacy type llama.cpp falls back
// to (Q2_K/Q3_K -> Q4_0 since llama.cpp PR 8489), then F16 when even that does not fit.
TensorChoice fit_row(DType type, int64_t row) {
  if (row % block_of(type) == 0) return {type, false};
  DType fb = DType::F16;
  switch (type) {
    case DType::Q2_K:
    case DType::Q3_K: fb = DType::Q4_0; break;
    case DType::Q4_K: fb = DType::Q5_0; break;
    case DType::Q5_K: fb = DType::Q5_1; break;
    case DType::Q6_K: fb = DType::Q8_0; break;
    default: break;
  }
  if (row % block_of(fb) != 0) fb = DType::F16;
  return {fb, true};
}

int layer_of(std::string_view name) {
  if (name.substr(0, 4) != "blk.") return -1;
  int v = -1;
  const char* b = name.data() + 4;
  auto [ptr, ec] = std::from_chars(b, name.data() + name.size(), v);
  return (ec == std::errc() && ptr < name.data() + name.size() && *ptr == '.') ? v : -1;
}

}  // namespace

std::span<const Preset> presets() { return kPresets; }

const Preset* find_preset(std::string_view name) {
  for (const Preset& p : kPresets) {
    if (p.name.size() != name.size()) continue;
    bool eq = true;
    for (size_t i = 0; i < name.size() && eq; ++i) {
      eq = std::toupper(static_cast<unsigned char>(name[i])) == p.name[i];
    }
    if (eq) return &p;
  }
  return nullptr;
}

std::string presets_list() {
  std::string s;
  for (const Preset& p : kPresets) (s += s.empty() ? "" : ", ") += p.name;
  return s;
}

std::vector<TensorChoice> choose_types(const Preset& preset, const ModelDesc& model,
                                       std::span<const TensorDesc> tensors) {
  Counters c;
  for (const TensorDesc& t : tensors) {
    const Category cat = category_of(t.name);
    if (cat == Category::AttnV || cat == Category::AttnQkv) ++c.n_attn_v;
    if (cat == Category::Output) c.tied_output = false;
  }
  c.n_ffn_down = model.n_layer;
  c.gqa = model.n_head_kv > 0 ? model.n_head / model.n_head_kv : 1;
  // llama.cpp's LLM_TYPE_70B for the architectures ondo runs: 80 layers with GQA.
  c.is_70b = model.n_layer == 80 && model.n_head_kv < model.n_head;

  std::vector<TensorChoice> out;
  out.reserve(tensors.size());
  for (const TensorDesc& t : tensors) {
    if (!may_quantize(t)) {
      out.push_back({t.type, false});
    } else if (!is_quantized(preset.base)) {
      out.push_back({preset.base, false});  // F32/F16/BF16 presets convert every matrix
    } else {
      out.push_back(fit_row(mixed_type(preset, t, category_of(t.name), c), t.shape[0]));
    }
  }
  return out;
}

std::vector<size_t> llama_tensor_order(std::span<const std::string_view> names) {
  std::vector<size_t> idx(names.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
    const int la = layer_of(names[a]), lb = layer_of(names[b]);
    if (la != lb) return la < lb;
    return names[a] < names[b];
  });
  return idx;
}

}  // namespace ondo::model::quantize
