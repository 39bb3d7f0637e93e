// Tensor: a read-only view of a weight matrix or vector (usually into an mmapped GGUF).
// Layer: core. The view never owns its bytes.
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
  // Rows in groups of 16 (core/quant/interleave.h), for the kernels of
  // gemm_kernel_interleaved; row(i) is then not row i (use get_row).
  bool interleaved = false;

  bool valid() const { return data != nullptr; }
  int64_t cols() const { return ne[0]; }
  int64_t rows() const { return ne[1] * ne[2] * ne[3]; }
  // Requires: !interleaved.
  const uint8_t* row(int64_t i) const { return static_cast<const uint8_t*>(data) + size_t(i) * row_bytes; }
  size_t nbytes() const { return row_bytes * size_t(rows()); }
};

}  // namespace ondo::core
