// The llama unit (Llama 1/2/3.x including Llama 3.1 rope scaling, Mistral, TinyLlama,
// TinyStories): RMSNorm, GQA attention with "normal" RoPE on adjacent pairs, SwiGLU, tied or
// separate output. Layer: model.
#pragma once

#include "ondo/model/unit.h"

namespace ondo::model::llama {

extern const ArchUnit kUnit;

}  // namespace ondo::model::llama
