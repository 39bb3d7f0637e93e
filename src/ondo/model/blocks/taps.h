// Taps: emits named activations to the debug tap of a pass (unit.h: ActivationTap). The
// names derive from the GGUF tensor names ("blk.3.attn_norm"); with no tap set each call is
// one pointer test and builds no string. Layer: model.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ondo/model/unit.h"

namespace ondo::model::blocks {

class Taps {
 public:
  explicit Taps(const ActivationTap* tap) : tap_(tap && *tap ? tap : nullptr) {}

  // `name` with data [rows][cols].
  void operator()(std::string_view name, int64_t rows, int64_t cols, const float* data) const {
    if (!tap_) return;
    const int64_t shape[2] = {rows, cols};
    (*tap_)(name, shape, data);
  }
  // "blk.<layer>.<what>" with data [rows][cols].
  void operator()(int32_t layer, std::string_view what, int64_t rows, int64_t cols, const float* data) const {
    if (!tap_) return;
    std::string name = "blk." + std::to_string(layer) + ".";
    name += what;
    (*this)(name, rows, cols, data);
  }

 private:
  const ActivationTap* tap_;
};

}  // namespace ondo::model::blocks
