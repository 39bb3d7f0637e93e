// The architecture registry: the one table that decides which architectures exist, how
// their hyperparameters are read and which decoder features they use. Layer: model.
// No switch over architectures anywhere else (STYLE 2).
#pragma once

#include <span>
#include <string_view>

#include "ondo/core/kernels/ops.h"

namespace ondo::model {

enum class Arch { Llama, Qwen2 };

struct ArchSpec {
  Arch arch;
  std::string_view name;           // general.architecture
  std::string_view description;    // for `ondo info` and error messages
  core::RopeStyle rope_style;
  bool qkv_bias;                   // q/k/v projections carry biases
  bool output_may_be_tied;         // no output.weight: reuse token_embd
  std::string_view default_tokenizer;  // tokenizer.ggml.model most files of this arch use
};

// Every architecture ondo runs.
std::span<const ArchSpec> architectures();
// The row for a GGUF architecture name, or nullptr.
const ArchSpec* find_architecture(std::string_view name);

}  // namespace ondo::model
