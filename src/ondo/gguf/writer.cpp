// GGUF v3 writer: metadata in insertion order, tensor infos with aligned offsets, then the
// data section streamed tensor by tensor. Layer: gguf (uses core only). Layout per the
// GGUF spec (ggml docs/gguf.md): header, kv pairs, tensor infos, padding to
// general.alignment, tensor data each starting at a multiple of the alignment.
#include "ondo/gguf/writer.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <type_traits>
#include <unordered_set>
#include <utility>

#include "ondo/core/check.h"
#include "ondo/gguf/keys.h"
#include "ondo/gguf/value_util.h"

namespace ondo::gguf {
namespace {

constexpr uint64_t kDefaultAlignment = 32;
constexpr uint64_t kMaxAlignment = uint64_t(1) << 30;

template <class T>
void put(std::string& out, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  out.append(b, sizeof(T));
}

void put_string(std::string& out, std::string_view s) {
  put<uint64_t>(out, s.size());
  out.append(s);
}

template <class T>
constexpr ValueType value_type_of() {
  if constexpr (std::is_same_v<T, uint8_t>) return ValueType::UInt8;
  else if constexpr (std::is_same_v<T, int8_t>) return ValueType::Int8;
  else if constexpr (std::is_same_v<T, uint16_t>) return ValueType::UInt16;
  else if constexpr (std::is_same_v<T, int16_t>) return ValueType::Int16;
  else if constexpr (std::is_same_v<T, uint32_t>) return ValueType::UInt32;
  else if constexpr (std::is_same_v<T, int32_t>) return ValueType::Int32;
  else if constexpr (std::is_same_v<T, uint64_t>) return ValueType::UInt64;
  else if constexpr (std::is_same_v<T, int64_t>) return ValueType::Int64;
  else if constexpr (std::is_same_v<T, float>) return ValueType::Float32;
  else if constexpr (std::is_same_v<T, double>) return ValueType::Float64;
  else static_assert(sizeof(T) == 0, "not a GGUF numeric type");
}

bool power_of_two(uint64_t n) { return n != 0 && (n & (n - 1)) == 0; }

uint64_t align_up(uint64_t n, uint64_t a) { return (n + a - 1) / a * a; }

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

}  // namespace

// ---------------------------------------------------------------------------------------
// MetaValue

namespace {
template <class T>
std::string encode_scalar(T v) {
  std::string b;
  put<T>(b, v);
  return b;
}
}  // namespace

#define ONDO_SCALAR_CTOR(fn, T, VT) \
  MetaValue MetaValue::fn(T v) { return MetaValue(VT, VT, encode_scalar<T>(v)); }
ONDO_SCALAR_CTOR(u8, uint8_t, ValueType::UInt8)
ONDO_SCALAR_CTOR(i8, int8_t, ValueType::Int8)
ONDO_SCALAR_CTOR(u16, uint16_t, ValueType::UInt16)
ONDO_SCALAR_CTOR(i16, int16_t, ValueType::Int16)
ONDO_SCALAR_CTOR(u32, uint32_t, ValueType::UInt32)
ONDO_SCALAR_CTOR(i32, int32_t, ValueType::Int32)
ONDO_SCALAR_CTOR(u64, uint64_t, ValueType::UInt64)
ONDO_SCALAR_CTOR(i64, int64_t, ValueType::Int64)
ONDO_SCALAR_CTOR(f32, float, ValueType::Float32)
ONDO_SCALAR_CTOR(f64, double, ValueType::Float64)
#undef ONDO_SCALAR_CTOR

MetaValue MetaValue::boolean(bool v) {
  return MetaValue(ValueType::Bool, ValueType::Bool, encode_scalar<uint8_t>(v ? 1 : 0));
}

MetaValue MetaValue::string(std::string_view v) {
  std::string b;
  put_string(b, v);
  return MetaValue(ValueType::String, ValueType::String, std::move(b));
}

Result<MetaValue> MetaValue::array(ValueType elem, std::span<const MetaValue> items) {
  std::string b;
  put<uint32_t>(b, uint32_t(elem));
  put<uint64_t>(b, items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].type() != elem) {
      return make_error(ErrorCode::InvalidArgument,
                        "array item " + std::to_string(i) + " has type " +
                            std::string(value_type_name(items[i].type())) + ", expected " +
                            std::string(value_type_name(elem)));
    }
    b += items[i].encoded();
  }
  return MetaValue(ValueType::Array, elem, std::move(b));
}

template <class T>
MetaValue MetaValue::numbers(std::span<const T> v) {
  constexpr ValueType vt = value_type_of<T>();
  std::string b;
  b.reserve(12 + v.size() * sizeof(T));
  put<uint32_t>(b, uint32_t(vt));
  put<uint64_t>(b, v.size());
  b.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  return MetaValue(ValueType::Array, vt, std::move(b));
}

template MetaValue MetaValue::numbers<uint8_t>(std::span<const uint8_t>);
template MetaValue MetaValue::numbers<int8_t>(std::span<const int8_t>);
template MetaValue MetaValue::numbers<uint16_t>(std::span<const uint16_t>);
template MetaValue MetaValue::numbers<int16_t>(std::span<const int16_t>);
template MetaValue MetaValue::numbers<uint32_t>(std::span<const uint32_t>);
template MetaValue MetaValue::numbers<int32_t>(std::span<const int32_t>);
template MetaValue MetaValue::numbers<uint64_t>(std::span<const uint64_t>);
template MetaValue MetaValue::numbers<int64_t>(std::span<const int64_t>);
template MetaValue MetaValue::numbers<float>(std::span<const float>);
template MetaValue MetaValue::numbers<double>(std::span<const double>);

MetaValue MetaValue::bools(const std::vector<bool>& v) {
  std::string b;
  put<uint32_t>(b, uint32_t(ValueType::Bool));
  put<uint64_t>(b, v.size());
  for (const bool x : v) b.push_back(x ? 1 : 0);
  return MetaValue(ValueType::Array, ValueType::Bool, std::move(b));
}

MetaValue MetaValue::strings(std::span<const std::string> v) {
  std::string b;
  put<uint32_t>(b, uint32_t(ValueType::String));
  put<uint64_t>(b, v.size());
  for (const std::string& s : v) put_string(b, s);
  return MetaValue(ValueType::Array, ValueType::String, std::move(b));
}

MetaValue MetaValue::strings(std::span<const std::string_view> v) {
  std::string b;
  put<uint32_t>(b, uint32_t(ValueType::String));
  put<uint64_t>(b, v.size());
  for (const std::string_view s : v) put_string(b, s);
  return MetaValue(ValueType::Array, ValueType::String, std::move(b));
}

MetaValue MetaValue::from(const Value& v) {
  switch (v.type()) {
    case ValueType::UInt8: return u8(uint8_t(*v.as_uint()));
    case ValueType::Int8: return i8(int8_t(*v.as_int()));
    case ValueType::UInt16: return u16(uint16_t(*v.as_uint()));
    case ValueType::Int16: return i16(int16_t(*v.as_int()));
    case ValueType::UInt32: return u32(uint32_t(*v.as_uint()));
    case ValueType::Int32: return i32(int32_t(*v.as_int()));
    case ValueType::UInt64: return u64(*v.as_uint());
    case ValueType::Int64: return i64(*v.as_int());
    case ValueType::Float32: return f32(float(*v.as_float()));
    case ValueType::Float64: return f64(*v.as_float());
    case ValueType::Bool: return boolean(*v.as_bool());
    case ValueType::String: return string(*v.as_string());
    case ValueType::Array: break;
  }
  std::string b;
  put<uint32_t>(b, uint32_t(v.elem_type()));
  put<uint64_t>(b, v.size());
  for (uint64_t i = 0; i < v.size(); ++i) b += from(v.at(i)).encoded();
  return MetaValue(ValueType::Array, v.elem_type(), std::move(b));
}

// ---------------------------------------------------------------------------------------
// Writer

namespace {

struct PendingTensor {
  std::string name;
  core::DType type;
  std::vector<int64_t> shape;
  uint64_t nbytes = 0;
  std::span<const uint8_t> borrowed;
  std::vector<uint8_t> owned;
  TensorFill fill;
};

using Sink = std::function<Status(const uint8_t* p, size_t n)>;

}  // namespace

struct Writer::State {
  std::vector<std::pair<std::string, MetaValue>> kv;
  std::vector<PendingTensor> tensors;
  std::unordered_set<std::string> tensor_names;

  Result<uint64_t> alignment() const;
  Result<uint64_t> tensor_bytes(std::string_view name, core::DType type,
                                const std::vector<int64_t>& shape) const;
  Status add(PendingTensor t);
  Result<std::string> header(uint64_t alignment) const;
  Status emit(const Sink& sink) const;
};

Result<uint64_t> Writer::State::alignment() const {
  for (const auto& [key, v] : kv) {
    if (key != keys::kAlignment) continue;
    const std::string& b = v.encoded();
    uint64_t n = 0;
    const uint64_t size = detail::scalar_size(v.type());
    const bool unsigned_int = v.type() == ValueType::UInt8 || v.type() == ValueType::UInt16 ||
                              v.type() == ValueType::UInt32 || v.type() == ValueType::UInt64;
    if (unsigned_int) std::memcpy(&n, b.data(), size);  // little-endian host
    if (!unsigned_int || !power_of_two(n) || n > kMaxAlignment) {
      return make_error(ErrorCode::InvalidArgument,
                        "general.alignment must be an unsigned power of two up to 2^30");
    }
    return n;
  }
  return kDefaultAlignment;
}

Result<uint64_t> Writer::State::tensor_bytes(std::string_view name, core::DType type,
                                             const std::vector<int64_t>& shape) const {
  const std::string where = "tensor '" + std::string(name) + "'";
  if (name.empty()) return make_error(ErrorCode::InvalidArgument, "tensor name is empty");
  if (tensor_names.count(std::string(name))) {
    return make_error(ErrorCode::InvalidArgument, where + " is added twice");
  }
  if (shape.empty() || shape.size() > 4) {
    return make_error(ErrorCode::InvalidArgument, where + " has " + std::to_string(shape.size()) +
                                                      " dimensions (expected 1 to 4)");
  }
  int64_t total = 1;
  for (const int64_t d : shape) {
    if (d <= 0 || total > std::numeric_limits<int64_t>::max() / d) {
      return make_error(ErrorCode::InvalidArgument,
                        where + " has an invalid shape " + shape_text(shape));
    }
    total *= d;
  }
  auto row = core::row_bytes(type, shape[0]);
  if (!row.ok()) return row.error().with_context(where);
  const uint64_t rows = uint64_t(total / shape[0]);
  if (*row != 0 && rows > std::numeric_limits<uint64_t>::max() / *row) {
    return make_error(ErrorCode::InvalidArgument, where + " byte size overflows");
  }
  return *row * rows;
}

Status Writer::State::add(PendingTensor t) {
  tensor_names.insert(t.name);
  tensors.push_back(std::move(t));
  return ok_status();
}

Result<std::string> Writer::State::header(uint64_t alignment) const {
  std::string h;
  h.append("GGUF", 4);
  put<uint32_t>(h, 3);
  put<uint64_t>(h, tensors.size());
  put<uint64_t>(h, kv.size());
  for (const auto& [key, v] : kv) {
    put_string(h, key);
    put<uint32_t>(h, uint32_t(v.type()));
    h += v.encoded();
  }
  uint64_t offset = 0;
  for (const PendingTensor& t : tensors) {
    put_string(h, t.name);
    put<uint32_t>(h, uint32_t(t.shape.size()));
    for (const int64_t d : t.shape) put<uint64_t>(h, uint64_t(d));
    put<uint32_t>(h, uint32_t(t.type));
    put<uint64_t>(h, offset);
    if (t.nbytes > std::numeric_limits<uint64_t>::max() - offset - alignment) {
      return make_error(ErrorCode::InvalidArgument, "tensor data exceeds 64-bit offsets");
    }
    offset = align_up(offset + t.nbytes, alignment);
  }
  h.resize(size_t(align_up(h.size(), alignment)), '\0');
  return h;
}

Status Writer::State::emit(const Sink& sink) const {
  ONDO_ASSIGN_OR_RETURN(const uint64_t alignment, this->alignment());
  ONDO_ASSIGN_OR_RETURN(const std::string h, header(alignment));
  ONDO_TRY(sink(reinterpret_cast<const uint8_t*>(h.data()), h.size()));
  const std::vector<uint8_t> zeros(4096, 0);
  std::vector<uint8_t> scratch;
  for (const PendingTensor& t : tensors) {
    std::span<const uint8_t> data = t.borrowed;
    if (t.fill) {
      scratch.assign(size_t(t.nbytes), 0);
      Status st = t.fill(std::span<uint8_t>(scratch));
      if (!st.ok()) return st.error().with_context("tensor '" + t.name + "'");
      data = scratch;
    } else if (t.borrowed.empty()) {
      data = t.owned;
    }
    ONDO_TRY(sink(data.data(), data.size()));
    for (uint64_t pad = align_up(t.nbytes, alignment) - t.nbytes; pad > 0;) {
      const size_t n = size_t(std::min<uint64_t>(pad, zeros.size()));
      ONDO_TRY(sink(zeros.data(), n));
      pad -= n;
    }
  }
  return ok_status();
}

Writer::Writer() : s_(std::make_unique<State>()) {}
Writer::~Writer() = default;

void Writer::set(std::string_view key, MetaValue value) {
  ONDO_CHECK_MSG(!key.empty(), "metadata keys must not be empty");
  for (auto& [k, v] : s_->kv) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  s_->kv.emplace_back(std::string(key), std::move(value));
}

Status Writer::set_alignment(uint64_t alignment) {
  if (!power_of_two(alignment) || alignment > kMaxAlignment) {
    return make_error(ErrorCode::InvalidArgument,
                      "alignment " + std::to_string(alignment) +
                          " is not a power of two between 1 and 2^30");
  }
  set_u32(keys::kAlignment, uint32_t(alignment));
  return ok_status();
}

bool Writer::remove(std::string_view key) {
  for (auto it = s_->kv.begin(); it != s_->kv.end(); ++it) {
    if (it->first == key) {
      s_->kv.erase(it);
      return true;
    }
  }
  return false;
}

const MetaValue* Writer::find(std::string_view key) const {
  for (const auto& [k, v] : s_->kv) {
    if (k == key) return &v;
  }
  return nullptr;
}

std::vector<std::string> Writer::keys() const {
  std::vector<std::string> out;
  for (const auto& kv : s_->kv) out.push_back(kv.first);
  return out;
}

void Writer::copy_metadata(const GgufFile& file,
                           const std::function<bool(std::string_view key)>& keep) {
  for (const KeyValue& kv : file.metadata()) {
    if (!keep || keep(kv.key)) set(kv.key, MetaValue::from(kv.value));
  }
}

Status Writer::add_tensor(std::string_view name, core::DType type, std::vector<int64_t> shape,
                          std::span<const uint8_t> borrowed) {
  ONDO_ASSIGN_OR_RETURN(const uint64_t nbytes, s_->tensor_bytes(name, type, shape));
  if (borrowed.size() != nbytes) {
    return make_error(ErrorCode::InvalidArgument,
                      "tensor '" + std::string(name) + "': data has " +
                          std::to_string(borrowed.size()) + " bytes (expected " +
                          std::to_string(nbytes) + " for " + std::string(core::dtype_name(type)) +
                          " " + shape_text(shape) + ")");
  }
  PendingTensor t{std::string(name), type, std::move(shape), nbytes, borrowed, {}, {}};
  return s_->add(std::move(t));
}

Status Writer::add_tensor_owned(std::string_view name, core::DType type,
                                std::vector<int64_t> shape, std::vector<uint8_t> owned) {
  ONDO_TRY(add_tensor(name, type, std::move(shape), owned));
  // Keep the bytes alive in the tensor itself; emit() prefers `owned` over `borrowed`.
  s_->tensors.back().owned = std::move(owned);
  s_->tensors.back().borrowed = {};
  return ok_status();
}

Status Writer::add_tensor_fill(std::string_view name, core::DType type,
                               std::vector<int64_t> shape, TensorFill fill) {
  ONDO_CHECK_MSG(bool(fill), "add_tensor_fill needs a fill function");
  ONDO_ASSIGN_OR_RETURN(const uint64_t nbytes, s_->tensor_bytes(name, type, shape));
  PendingTensor t{std::string(name), type, std::move(shape), nbytes, {}, {}, std::move(fill)};
  return s_->add(std::move(t));
}

size_t Writer::tensor_count() const { return s_->tensors.size(); }

Result<std::vector<uint8_t>> Writer::to_bytes() const {
  std::vector<uint8_t> out;
  ONDO_TRY(s_->emit([&out](const uint8_t* p, size_t n) {
    out.insert(out.end(), p, p + n);
    return ok_status();
  }));
  return out;
}

Status Writer::write(const std::filesystem::path& path, core::Env& env) const {
  return core::write_file_atomic(env, path, [this](core::WritableFile& f) {
    return s_->emit([&f](const uint8_t* p, size_t n) { return f.append(std::span<const uint8_t>(p, n)); });
  });
}

}  // namespace ondo::gguf
