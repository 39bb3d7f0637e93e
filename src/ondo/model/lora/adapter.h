// LoraAdapter: a LoRA adapter in llama.cpp's GGUF adapter format, bound to the base model it
// adapts; LoraSet: which adapters (and scales) one sequence runs with. Layer: model.
//
// The file format (what llama.cpp's convert_lora_to_gguf.py writes and llama_adapter_lora_init
// reads): general.type "adapter", adapter.type "lora", adapter.lora.alpha (float; 0 or absent:
// no alpha factor), general.architecture = the base's; for each adapted weight W (its GGUF
// name, e.g. "blk.3.attn_q.weight") two tensors "<W>.lora_a" ggml ne [n_in, rank] and
// "<W>.lora_b" ne [rank, n_out], F32 or F16, in the row order of the stored weight, so
// W' = W + s·B·A with s = scale·alpha/rank (rank = ne[0] of lora_b).
// ondo applies adapters to the per-layer matrices of the llama-style decoder: attn_q, attn_k,
// attn_v, attn_output, ffn_gate, ffn_up, ffn_down; a file with any other pair is refused.
//
// Thread contract: immutable after load; shared by every request that uses it (shared_ptr:
// an adapter stays alive while a request holds it, even after it is unloaded).
// Ownership: owns its GgufFile; its tensors are views into that mapping. Borrows the base
// Model, which must outlive it.
#pragma once

#include <array>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ondo/core/tensor.h"
#include "ondo/gguf/reader.h"

namespace ondo::model {

class Model;

// The decoder matrices an adapter may target, in GGUF spelling order of one block.
enum class LoraTarget : uint8_t { Q, K, V, O, Gate, Up, Down };
inline constexpr size_t kLoraTargets = 7;
// "attn_q", "attn_k", ... "ffn_down" (the GGUF tensor name between "blk.N." and ".weight").
std::string_view lora_target_name(LoraTarget t);

// One adapted weight: y += s·B·(A·x) with s = effective_scale(scale).
struct LoraPair {
  core::Tensor a;      // ne [n_in, rank]: rank rows of n_in (F32 or F16)
  core::Tensor b;      // ne [rank, n_out]: n_out rows of rank (F32 or F16)
  float alpha = 0.0f;  // adapter.lora.alpha; 0: absent
  bool valid() const { return a.valid(); }
  // scale·alpha/rank (rank = ne[0] of lora_b), or scale when alpha is 0 (llama.cpp's rule).
  float effective_scale(float scale) const { return alpha != 0.0f ? scale * alpha / float(b.cols()) : scale; }
};

class LoraAdapter {
 public:
  // Opens and validates `path` against `base`. Errors name the file and what is wrong:
  // not an adapter (general.type), not LoRA (adapter.type), another architecture than the
  // base, a pair with a missing half, an unknown or unsupported target tensor, a tensor type
  // other than F32/F16, a shape that contradicts the base weight or the other half's rank,
  // a layer the base does not have; InvalidArgument when the base is not a llama-style
  // decoder. Requires: `base` outlives the adapter.
  static Result<std::shared_ptr<const LoraAdapter>> load(const std::filesystem::path& path, const Model& base);
  // The same over an already-open file (tests build adapters in memory).
  static Result<std::shared_ptr<const LoraAdapter>> from_file(std::unique_ptr<gguf::GgufFile> file,
                                                              const Model& base);

  const Model& base() const { return *base_; }
  const gguf::GgufFile& file() const { return *file_; }
  float alpha() const { return alpha_; }
  int32_t max_rank() const { return max_rank_; }
  int32_t n_pairs() const { return n_pairs_; }
  // A number no other adapter loaded by this process has (caches key on it, not on the
  // address, which a later adapter may reuse).
  uint64_t serial() const { return serial_; }
  // The pair of `target` in `layer`, or nullptr when the adapter leaves that weight alone.
  // Requires: 0 <= layer < the base's n_layer.
  const LoraPair* pair(int32_t layer, LoraTarget target) const {
    const LoraPair& p = layers_[size_t(layer)][size_t(target)];
    return p.valid() ? &p : nullptr;
  }

 private:
  LoraAdapter() = default;
  Status bind(const Model& base);

  const Model* base_ = nullptr;
  std::unique_ptr<gguf::GgufFile> file_;
  float alpha_ = 0.0f;
  int32_t max_rank_ = 0;
  int32_t n_pairs_ = 0;
  uint64_t serial_ = 0;
  std::vector<std::array<LoraPair, kLoraTargets>> layers_;
};

// One adapter at a user scale (llama.cpp's llama_set_adapters_lora scale, before alpha/rank).
struct LoraUse {
  std::shared_ptr<const LoraAdapter> adapter;
  float scale = 1.0f;
};

// The adapters one sequence runs with, applied in this order (deltas on the same weight add
// up in this order). Empty: the base model. Uses with scale 0 are dropped by make_lora_set.
struct LoraSet {
  std::vector<LoraUse> uses;
  bool empty() const { return uses.empty(); }
};

// A LoraSet from `uses`, dropping scale-0 uses (llama.cpp does too). Errors: a non-finite
// scale (InvalidArgument).
Result<std::shared_ptr<const LoraSet>> make_lora_set(std::vector<LoraUse> uses);

// A key that differs between sets that compute differently: "" for none (null or empty),
// else each use's adapter serial and exact scale bits, in order (prefix caches add it to
// their keys).
std::string lora_set_key(const LoraSet* set);

}  // namespace ondo::model
