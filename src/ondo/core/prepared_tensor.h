// PreparedTensor: a weight matrix as the matmul kernels read it, either in the file's GGUF
// layout or in a kernel-private layout made at load (kernels/prepare.h). Layer: core.
// It deliberately has no row(): in a private layout row i is not contiguous; read rows with
// get_row (kernels/matmul.h), which knows every layout. A view: never owns its bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ondo/core/tensor.h"

namespace ondo::core {

enum class WeightLayout : uint8_t {
  File,    // GGUF blocks, row after row (Tensor's layout)
  Rows16,  // rows in groups of 16, block-interleaved (core/quant/interleave.h)
};

class PreparedTensor {
 public:
  PreparedTensor() = default;
  // The file's layout, nothing copied (implicit: any Tensor can be multiplied with).
  PreparedTensor(const Tensor& t) : t_(t) {}  // NOLINT(google-explicit-constructor)
  // A tensor whose bytes at t.data are already in `layout` (shape and row_bytes as in the
  // file). Requires: the bytes really are in that layout (prepare_weights makes them).
  static PreparedTensor in_layout(const Tensor& t, WeightLayout layout) {
    PreparedTensor p(t);
    p.layout_ = layout;
    return p;
  }

  bool valid() const { return t_.valid(); }
  std::string_view name() const { return t_.name; }
  DType type() const { return t_.type; }
  WeightLayout layout() const { return layout_; }
  int64_t cols() const { return t_.cols(); }
  int64_t rows() const { return t_.rows(); }
  size_t row_bytes() const { return t_.row_bytes; }  // bytes of one row in the file layout
  size_t nbytes() const { return t_.nbytes(); }       // the same in every layout
  const void* data() const { return t_.data; }       // the first byte, in layout()

 private:
  Tensor t_;
  WeightLayout layout_ = WeightLayout::File;
};

}  // namespace ondo::core
