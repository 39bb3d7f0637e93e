// The qwen2 architecture (Qwen2, Qwen2.5): the llama block with q/k/v biases and
// NeoX-style RoPE (pairs i and i + d/2). Layer: model.
#pragma once

#include "ondo/model/registry.h"

namespace ondo::model::qwen2 {

constexpr ArchSpec spec() {
  return ArchSpec{Arch::Qwen2, "qwen2", "Qwen2 decoder (q/k/v biases, NeoX RoPE)",
                  core::RopeStyle::Neox, /*qkv_bias=*/true, /*output_may_be_tied=*/true, "gpt2"};
}

}  // namespace ondo::model::qwen2
