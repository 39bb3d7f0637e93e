// Quantization presets (llama.cpp's LLAMA_FTYPE mixes: Q4_K_M, Q8_0, ...) and the rule that
// picks each tensor's type in a preset. Layer: model. Pure functions over names and shapes;
// no I/O, nothing above model.
//
// The rule mirrors llama.cpp's llama_tensor_get_type (src/llama-quant.cpp, commit 34af94cd;
// facts only) for the architectures ondo runs: 1-D tensors and norms keep their type, the
// output matrix (and token_embd when the output is tied) gets Q6_K in most presets, attn_v
// and ffn_down get more bits in the _M/_L presets depending on the layer, and a K type whose
// block does not divide a row falls back to a legacy type.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "ondo/core/dtype.h"

namespace ondo::model::quantize {

// llama.cpp's llama_ftype values (written to general.file_type); never renumber.
enum class FileType : uint32_t {
  F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q8_0 = 7, Q5_0 = 8, Q5_1 = 9, Q2_K = 10,
  Q3_K_S = 11, Q3_K_M = 12, Q3_K_L = 13, Q4_K_S = 14, Q4_K_M = 15, Q5_K_S = 16,
  Q5_K_M = 17, Q6_K = 18, BF16 = 32,
};

struct Preset {
  FileType file_type;
  std::string_view name;  // as llama-quantize spells it: "Q4_K_M"
  core::DType base;       // the type of 2-D weights no special case touches
};

// Every preset ondo writes.
std::span<const Preset> presets();
// Case-insensitive look-up ("q4_k_m"); nullptr when unknown.
const Preset* find_preset(std::string_view name);
// "Q8_0, Q4_0, ..." for messages.
std::string presets_list();

// A tensor as the rule sees it. `shape` is in ggml order (shape[0] = row length).
struct TensorDesc {
  std::string_view name;
  core::DType type;
  std::vector<int64_t> shape;
};

struct ModelDesc {
  int32_t n_layer = 0;
  int32_t n_head = 0;
  int32_t n_head_kv = 0;
};

struct TensorChoice {
  core::DType type;       // the type to write
  bool fallback = false;  // the preset's type did not fit the row length
};

// Chooses the type of every tensor. `tensors` must be in the order they are written (llama.cpp
// counts attn_v and ffn_down tensors in that order; see llama_tensor_order()).
std::vector<TensorChoice> choose_types(const Preset& preset, const ModelDesc& model,
                                       std::span<const TensorDesc> tensors);

// llama.cpp's output order: tensors outside blocks first, then block by block ("blk.N.",
// N ascending), each group sorted by name. Returns the permutation of indices into `names`.
std::vector<size_t> llama_tensor_order(std::span<const std::string_view> names);

}  // namespace ondo::model::quantize
