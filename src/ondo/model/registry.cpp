// The architecture table. A new architecture is one row here plus its directory under
// model/ (see STYLE 9, "New architecture"). Layer: model.
#include "ondo/model/registry.h"

#include <array>

#include "ondo/model/llama/arch.h"
#include "ondo/model/qwen2/arch.h"

namespace ondo::model {
namespace {

const std::array<ArchSpec, 2> kArchitectures = {
    llama::spec(),
    qwen2::spec(),
};

constexpr Arch kAllArchs[] = {Arch::Llama, Arch::Qwen2};
static_assert(std::size(kAllArchs) == std::tuple_size_v<decltype(kArchitectures)>,
              "every Arch value needs exactly one registry row");

}  // namespace

std::span<const ArchSpec> architectures() { return kArchitectures; }

const ArchSpec* find_architecture(std::string_view name) {
  for (const ArchSpec& a : kArchitectures) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

}  // namespace ondo::model
