// Binding and shape-checking tensors (binder.h). Layer: model.
#include "ondo/model/blocks/binder.h"

#include <vector>

namespace ondo::model::blocks {
namespace {

std::string shape_str(const std::vector<int64_t>& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

}  // namespace

Result<core::Tensor> Binder::bind(const std::string& name, int64_t ne0, int64_t ne1, bool f32_only) const {
  const gguf::TensorInfo* t = f_.find_tensor(name);
  if (!t) return make_error(ErrorCode::InvalidFile, f_.name() + ": tensor '" + name + "' is missing");
  return check(*t, ne0, ne1, f32_only);
}

Result<core::Tensor> Binder::bind_optional(const std::string& name, int64_t ne0, int64_t ne1, bool f32_only) const {
  const gguf::TensorInfo* t = f_.find_tensor(name);
  if (!t) return core::Tensor{};
  return check(*t, ne0, ne1, f32_only);
}

Result<core::Tensor> Binder::check(const gguf::TensorInfo& t, int64_t ne0, int64_t ne1, bool f32_only) const {
  std::vector<int64_t> want = ne1 == 1 ? std::vector<int64_t>{ne0} : std::vector<int64_t>{ne0, ne1};
  std::vector<int64_t> got = t.shape;
  while (got.size() > want.size() && got.back() == 1) got.pop_back();
  if (got != want) {
    return make_error(ErrorCode::InvalidFile, f_.name() + ": tensor '" + std::string(t.name) + "' has shape " +
                                                  shape_str(t.shape) + ", expected " + shape_str(want) +
                                                  " from the hyperparameters");
  }
  const core::DTypeInfo& info = core::dtype_info(t.type);
  if (!info.compute || (f32_only && t.type != core::DType::F32)) {
    return make_error(ErrorCode::Unsupported, f_.name() + ": tensor '" + std::string(t.name) + "' has type " +
                                                  std::string(info.name) + (f32_only ? ", expected F32" : ", which ondo cannot compute with"));
  }
  core::Tensor out;
  out.name = t.name;
  out.type = t.type;
  for (size_t i = 0; i < t.shape.size() && i < 4; ++i) out.ne[i] = t.shape[i];
  out.data = t.data;
  out.row_bytes = size_t(*core::row_bytes(t.type, t.shape[0]));
  return out;
}

}  // namespace ondo::model::blocks
