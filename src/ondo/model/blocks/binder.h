// Binder: looks tensors up by GGUF name and checks each against the shape the
// hyperparameters imply and the types ondo computes with. Shared by every unit's weight
// binding. Layer: model.
#pragma once

#include <string>

#include "ondo/core/tensor.h"
#include "ondo/gguf/reader.h"

namespace ondo::model::blocks {

class Binder {
 public:
  // Borrows `file` for the binder's lifetime.
  explicit Binder(const gguf::GgufFile& file) : f_(file) {}

  // Binds `name` expecting ggml shape {ne0, ne1} (ne1 = 1 for vectors). Errors: missing
  // tensor, other shape, a type ondo cannot compute with, or not F32 when `f32_only`.
  Result<core::Tensor> bind(const std::string& name, int64_t ne0, int64_t ne1, bool f32_only) const;
  // As bind, but an absent tensor is an invalid (empty) Tensor, not an error.
  Result<core::Tensor> bind_optional(const std::string& name, int64_t ne0, int64_t ne1, bool f32_only) const;

  const gguf::GgufFile& file() const { return f_; }

 private:
  Result<core::Tensor> check(const gguf::TensorInfo& t, int64_t ne0, int64_t ne1, bool f32_only) const;
  const gguf::GgufFile& f_;
};

}  // namespace ondo::model::blocks
