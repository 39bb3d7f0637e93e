// The qwen2 unit (Qwen2, Qwen2.5): the llama block with q/k/v biases and NeoX-style RoPE
// (pairs i and i + d/2). Layer: model.
#pragma once

#include "ondo/model/unit.h"

namespace ondo::model::qwen2 {

extern const ArchUnit kUnit;

}  // namespace ondo::model::qwen2
