// Limits on request data shared by every layer that walks it. Layer: core (constants only).
#pragma once

#include <cstdint>

namespace ondo::core {

// Nesting of request JSON: containers inside containers, `{}` counting as level 1. serve
// refuses deeper bodies at parse time; the compilers below it (chat-template inputs, JSON
// schemas) enforce it again on their own inputs, so a walk over request data never recurses
// deeper than this plus what a compiler adds itself (documented where it does).
inline constexpr uint32_t kMaxRequestJsonDepth = 64;

}  // namespace ondo::core
