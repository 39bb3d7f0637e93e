// The architecture registry: the one table of architecture units (unit.h). Which
// architectures exist, and everything about each, derives from its row. Layer: model.
// No switch over architectures anywhere else (STYLE 2).
#pragma once

#include <span>
#include <string_view>

#include "ondo/model/unit.h"

namespace ondo::model {

// Every architecture ondo runs, one unit each.
std::span<const ArchUnit* const> architectures();
// The unit for a GGUF architecture name, or nullptr.
const ArchUnit* find_architecture(std::string_view name);

}  // namespace ondo::model
