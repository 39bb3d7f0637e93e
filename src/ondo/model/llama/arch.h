// The llama architecture (Llama 1/2/3.x, Mistral, TinyLlama, TinyStories): RMSNorm,
// GQA attention with "normal" RoPE on adjacent pairs, SwiGLU, optional rope_freqs
// (Llama 3.1 scaling), tied or separate output. Layer: model.
#pragma once

#include "ondo/model/registry.h"

namespace ondo::model::llama {

constexpr ArchSpec spec() {
  return ArchSpec{Arch::Llama, "llama", "Llama-family decoder (Llama 1/2/3, Mistral, TinyLlama)",
                  core::RopeStyle::Normal, /*qkv_bias=*/false, /*output_may_be_tied=*/true, "llama"};
}

}  // namespace ondo::model::llama
