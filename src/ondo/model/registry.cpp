// The architecture table. A new architecture is one row here plus its directory under
// model/ (see STYLE 9, "New architecture"). Layer: model.
#include "ondo/model/registry.h"

#include "ondo/model/bert/bert.h"
#include "ondo/model/llama/llama.h"
#include "ondo/model/qwen2/qwen2.h"

namespace ondo::model {
namespace {

const ArchUnit* const kArchitectures[] = {
    &llama::kUnit,
    &qwen2::kUnit,
    &bert::kUnit,
};

}  // namespace

std::span<const ArchUnit* const> architectures() { return kArchitectures; }

const ArchUnit* find_architecture(std::string_view name) {
  for (const ArchUnit* a : kArchitectures) {
    if (a->name == name) return a;
  }
  return nullptr;
}

}  // namespace ondo::model
