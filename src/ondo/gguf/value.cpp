// GGUF metadata values (views into the mapping) and GgufFile's typed look-ups.
// Layer: gguf (uses core only). Scalars are read with memcpy: GGUF does not align them.
#include <cstring>
#include <limits>
#include <string>

#include "ondo/core/check.h"
#include "ondo/gguf/reader.h"
#include "ondo/gguf/value_util.h"

namespace ondo::gguf {
namespace detail {

uint64_t scalar_size(ValueType t) {
  switch (t) {
    case ValueType::UInt8: case ValueType::Int8: case ValueType::Bool: return 1;
    case ValueType::UInt16: case ValueType::Int16: return 2;
    case ValueType::UInt32: case ValueType::Int32: case ValueType::Float32: return 4;
    case ValueType::UInt64: case ValueType::Int64: case ValueType::Float64: return 8;
    case ValueType::String: case ValueType::Array: return 0;
  }
  return 0;
}

std::string type_label(const Value& v) {
  std::string s(value_type_name(v.type()));
  if (v.type() == ValueType::Array) {
    s += " of ";
    s += value_type_name(v.elem_type());
  }
  return s;
}

}  // namespace detail

namespace {

template <class T>
T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

}  // namespace

std::string_view value_type_name(ValueType t) {
  switch (t) {
    case ValueType::UInt8: return "uint8";
    case ValueType::Int8: return "int8";
    case ValueType::UInt16: return "uint16";
    case ValueType::Int16: return "int16";
    case ValueType::UInt32: return "uint32";
    case ValueType::Int32: return "int32";
    case ValueType::Float32: return "float32";
    case ValueType::Bool: return "bool";
    case ValueType::String: return "string";
    case ValueType::Array: return "array";
    case ValueType::UInt64: return "uint64";
    case ValueType::Int64: return "int64";
    case ValueType::Float64: return "float64";
  }
  return "unknown";
}

bool Value::is_integer() const {
  switch (type_) {
    case ValueType::UInt8: case ValueType::Int8: case ValueType::UInt16: case ValueType::Int16:
    case ValueType::UInt32: case ValueType::Int32: case ValueType::UInt64: case ValueType::Int64:
      return true;
    default:
      return false;
  }
}

bool Value::is_float() const {
  return type_ == ValueType::Float32 || type_ == ValueType::Float64;
}

std::optional<int64_t> Value::as_int() const {
  switch (type_) {
    case ValueType::UInt8: return int64_t(load<uint8_t>(raw_));
    case ValueType::Int8: return int64_t(load<int8_t>(raw_));
    case ValueType::UInt16: return int64_t(load<uint16_t>(raw_));
    case ValueType::Int16: return int64_t(load<int16_t>(raw_));
    case ValueType::UInt32: return int64_t(load<uint32_t>(raw_));
    case ValueType::Int32: return int64_t(load<int32_t>(raw_));
    case ValueType::Int64: return load<int64_t>(raw_);
    case ValueType::UInt64: {
      const uint64_t u = load<uint64_t>(raw_);
      if (u > uint64_t(std::numeric_limits<int64_t>::max())) return std::nullopt;
      return int64_t(u);
    }
    default:
      return std::nullopt;
  }
}

std::optional<uint64_t> Value::as_uint() const {
  if (type_ == ValueType::UInt64) return load<uint64_t>(raw_);
  const std::optional<int64_t> i = as_int();
  if (!i || *i < 0) return std::nullopt;
  return uint64_t(*i);
}

std::optional<double> Value::as_float() const {
  if (type_ == ValueType::Float32) return double(load<float>(raw_));
  if (type_ == ValueType::Float64) return load<double>(raw_);
  if (type_ == ValueType::UInt64) return double(load<uint64_t>(raw_));
  const std::optional<int64_t> i = as_int();
  if (!i) return std::nullopt;
  return double(*i);
}

std::optional<bool> Value::as_bool() const {
  if (type_ != ValueType::Bool) return std::nullopt;
  return load<uint8_t>(raw_) != 0;
}

std::optional<std::string_view> Value::as_string() const {
  if (type_ != ValueType::String) return std::nullopt;
  return str_;
}

Value Value::at(uint64_t i) const {
  ONDO_CHECK(type_ == ValueType::Array && i < count_);
  if (items_) return (*items_)[size_t(i)];
  Value v;
  v.type_ = elem_type_;
  v.raw_ = raw_ + i * detail::scalar_size(elem_type_);
  return v;
}

Result<std::vector<std::string_view>> Value::to_strings() const {
  if (type_ != ValueType::Array || elem_type_ != ValueType::String) {
    return make_error(ErrorCode::InvalidFile,
                      "value has type " + detail::type_label(*this) + ", expected array of string");
  }
  std::vector<std::string_view> out;
  out.reserve(size_t(count_));
  for (const Value& v : *items_) out.push_back(v.str_);
  return out;
}

Result<std::vector<float>> Value::to_floats() const {
  if (type_ != ValueType::Array || elem_type_ == ValueType::String ||
      elem_type_ == ValueType::Array || elem_type_ == ValueType::Bool) {
    return make_error(ErrorCode::InvalidFile, "value has type " + detail::type_label(*this) +
                                                  ", expected an array of numbers");
  }
  std::vector<float> out;
  out.reserve(size_t(count_));
  for (uint64_t i = 0; i < count_; ++i) out.push_back(float(*at(i).as_float()));
  return out;
}

Result<std::vector<int64_t>> Value::to_ints() const {
  const bool ok_elem = elem_type_ != ValueType::String && elem_type_ != ValueType::Array &&
                       elem_type_ != ValueType::Float32 && elem_type_ != ValueType::Float64;
  if (type_ != ValueType::Array || !ok_elem) {
    return make_error(ErrorCode::InvalidFile, "value has type " + detail::type_label(*this) +
                                                  ", expected an array of integers");
  }
  std::vector<int64_t> out;
  out.reserve(size_t(count_));
  for (uint64_t i = 0; i < count_; ++i) {
    const Value e = at(i);
    if (e.type_ == ValueType::Bool) {
      out.push_back(*e.as_bool() ? 1 : 0);
      continue;
    }
    const std::optional<int64_t> n = e.as_int();
    if (!n) {
      return make_error(ErrorCode::InvalidFile, "array element " + std::to_string(i) +
                                                    " does not fit a signed 64-bit integer");
    }
    out.push_back(*n);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Typed look-ups

namespace {

Error missing(const GgufFile& f, std::string_view key) {
  return make_error(ErrorCode::NotFound,
                    f.name() + ": metadata key '" + std::string(key) + "' is missing");
}

Error wrong_type(const GgufFile& f, std::string_view key, const Value& v, const char* expected) {
  return make_error(ErrorCode::InvalidFile, f.name() + ": metadata key '" + std::string(key) +
                                                "' has type " + detail::type_label(v) +
                                                ", expected " + expected);
}

// Looks `key` up and converts it with `conv`; `expected` names the wanted type.
template <class T, class Conv>
Result<T> lookup(const GgufFile& f, std::string_view key, const char* expected, Conv conv) {
  const Value* v = f.find(key);
  if (v == nullptr) return missing(f, key);
  const std::optional<T> r = conv(*v);
  if (!r) return wrong_type(f, key, *v, expected);
  return *r;
}

template <class T, class Conv>
Result<T> lookup_or(const GgufFile& f, std::string_view key, T fallback, const char* expected,
                    Conv conv) {
  if (f.find(key) == nullptr) return fallback;
  return lookup<T>(f, key, expected, conv);
}

constexpr const char* kUintName = "an unsigned integer";
constexpr const char* kIntName = "an integer";
constexpr const char* kFloatName = "a number";
constexpr const char* kBoolName = "bool";
constexpr const char* kStringName = "string";

}  // namespace

Result<uint64_t> GgufFile::get_uint(std::string_view key) const {
  return lookup<uint64_t>(*this, key, kUintName, [](const Value& v) { return v.as_uint(); });
}
Result<int64_t> GgufFile::get_int(std::string_view key) const {
  return lookup<int64_t>(*this, key, kIntName, [](const Value& v) { return v.as_int(); });
}
Result<double> GgufFile::get_float(std::string_view key) const {
  return lookup<double>(*this, key, kFloatName, [](const Value& v) { return v.as_float(); });
}
Result<bool> GgufFile::get_bool(std::string_view key) const {
  return lookup<bool>(*this, key, kBoolName, [](const Value& v) { return v.as_bool(); });
}
Result<std::string_view> GgufFile::get_string(std::string_view key) const {
  return lookup<std::string_view>(*this, key, kStringName,
                                  [](const Value& v) { return v.as_string(); });
}
Result<uint64_t> GgufFile::get_uint_or(std::string_view key, uint64_t fallback) const {
  return lookup_or<uint64_t>(*this, key, fallback, kUintName,
                             [](const Value& v) { return v.as_uint(); });
}
Result<double> GgufFile::get_float_or(std::string_view key, double fallback) const {
  return lookup_or<double>(*this, key, fallback, kFloatName,
                           [](const Value& v) { return v.as_float(); });
}
Result<bool> GgufFile::get_bool_or(std::string_view key, bool fallback) const {
  return lookup_or<bool>(*this, key, fallback, kBoolName,
                         [](const Value& v) { return v.as_bool(); });
}

}  // namespace ondo::gguf
