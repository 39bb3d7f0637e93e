// Tensor: a read-only view of a weight matrix or vector in the GGUF block layout (usually
// into an mmapped GGUF). Layer: core. The view never owns its bytes. A weight copied into a
// kernel-private layout is a PreparedTensor (prepared_tensor.h), which has no row().
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ondo/core/dtype.h"

namespace ondo::core {

// ne[0] is the contiguous dimension (ggml order): a matrix W of N output features over K
// inputs has ne = {K, N} and row n at data + n * row_bytes.
struct Tensor {
  std::string_view name;
  DType type = DType::F32;
  int64_t ne[4] = {1, 1, 1, 1};
  const void* data = nullptr;
  size_t row_bytes = 0;  // bytes of one ne[0]-row

  bool valid() const { return data != nullptr; }
  int64_t cols() const { return ne[0]; }
  int64_t rows() const { return ne[1] * ne[2] * ne[3]; }
  const uint8_t* row(int64_t i) const { return static_cast<const uint8_t*>(data) + size_t(i) * row_bytes; }
  size_t nbytes() const { return row_bytes * size_t(rows()); }
};

}  // namespace ondo::core
