// GGUF writer: builds metadata and a tensor list, then writes a GGUF v3 file that other
// GGUF tools load (general.alignment respected, little-endian). Layer: gguf (uses core only).
//
// Ownership: the Writer owns metadata values and "owned" tensor bytes; "borrowed" tensor
// data (a span, e.g. into another GgufFile's mapping) must outlive write()/to_bytes().
// Tensor data is streamed to disk one tensor at a time, so multi-GB outputs are never held
// in memory (only the header is). Thread contract: not thread-safe; one thread builds and
// writes. Errors: InvalidArgument for bad input (duplicate tensor, size that does not match
// the shape, bad alignment); I/O failures come from core::Env (InvalidFile, or
// ResourceExhausted when the disk is full) and name the path and the operation.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ondo/core/dtype.h"
#include "ondo/core/env.h"
#include "ondo/core/result.h"
#include "ondo/gguf/reader.h"

namespace ondo::gguf {

// An owned metadata value held in its on-disk encoding (everything after the type id).
class MetaValue {
 public:
  static MetaValue u8(uint8_t v);
  static MetaValue i8(int8_t v);
  static MetaValue u16(uint16_t v);
  static MetaValue i16(int16_t v);
  static MetaValue u32(uint32_t v);
  static MetaValue i32(int32_t v);
  static MetaValue u64(uint64_t v);
  static MetaValue i64(int64_t v);
  static MetaValue f32(float v);
  static MetaValue f64(double v);
  static MetaValue boolean(bool v);
  static MetaValue string(std::string_view v);
  // An array of `elem`-typed items (possibly empty). Error (InvalidArgument) when an item's
  // type (or, for nested arrays, nothing) differs from `elem`.
  static Result<MetaValue> array(ValueType elem, std::span<const MetaValue> items);
  // Numeric and string arrays in one call.
  template <class T>
  static MetaValue numbers(std::span<const T> v);  // T: (u)int8..64, float, double
  static MetaValue bools(const std::vector<bool>& v);
  static MetaValue strings(std::span<const std::string> v);
  static MetaValue strings(std::span<const std::string_view> v);
  // A copy of a value read from a GgufFile (any type, nested arrays included).
  static MetaValue from(const Value& v);

  ValueType type() const { return type_; }
  ValueType elem_type() const { return elem_; }  // arrays only
  const std::string& encoded() const { return bytes_; }

 private:
  MetaValue(ValueType t, ValueType elem, std::string bytes)
      : type_(t), elem_(elem), bytes_(std::move(bytes)) {}
  ValueType type_;
  ValueType elem_;
  std::string bytes_;
};

// Fills `dst` (exactly the tensor's byte size) at write time; for data computed on the fly.
using TensorFill = std::function<Status(std::span<uint8_t> dst)>;

class Writer {
 public:
  Writer();
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Sets `key` (non-empty). A new key goes last; an existing key keeps its position and
  // gets the new value.
  void set(std::string_view key, MetaValue value);
  void set_u8(std::string_view key, uint8_t v) { set(key, MetaValue::u8(v)); }
  void set_i8(std::string_view key, int8_t v) { set(key, MetaValue::i8(v)); }
  void set_u16(std::string_view key, uint16_t v) { set(key, MetaValue::u16(v)); }
  void set_i16(std::string_view key, int16_t v) { set(key, MetaValue::i16(v)); }
  void set_u32(std::string_view key, uint32_t v) { set(key, MetaValue::u32(v)); }
  void set_i32(std::string_view key, int32_t v) { set(key, MetaValue::i32(v)); }
  void set_u64(std::string_view key, uint64_t v) { set(key, MetaValue::u64(v)); }
  void set_i64(std::string_view key, int64_t v) { set(key, MetaValue::i64(v)); }
  void set_f32(std::string_view key, float v) { set(key, MetaValue::f32(v)); }
  void set_f64(std::string_view key, double v) { set(key, MetaValue::f64(v)); }
  void set_bool(std::string_view key, bool v) { set(key, MetaValue::boolean(v)); }
  void set_string(std::string_view key, std::string_view v) { set(key, MetaValue::string(v)); }
  template <class T>
  void set_array(std::string_view key, std::span<const T> v) {
    set(key, MetaValue::numbers<T>(v));
  }
  void set_array(std::string_view key, std::span<const std::string> v) {
    set(key, MetaValue::strings(v));
  }
  void set_array(std::string_view key, std::span<const std::string_view> v) {
    set(key, MetaValue::strings(v));
  }
  // Sets general.alignment (uint32). Error unless a non-zero power of two <= 2^30.
  Status set_alignment(uint64_t alignment);
  bool remove(std::string_view key);  // false when absent
  const MetaValue* find(std::string_view key) const;
  std::vector<std::string> keys() const;  // insertion order

  // Copies every metadata entry of `file` for which `keep(key)` is true (all when empty),
  // in file order, through set().
  void copy_metadata(const GgufFile& file,
                     const std::function<bool(std::string_view key)>& keep = {});

  // Adds a tensor. Errors (InvalidArgument): empty or duplicate name, 0 or > 4 dims, a
  // non-positive dim, element count overflow, rows not a whole number of blocks, or data
  // whose size differs from the shape's. `shape` is in ggml order (shape[0] innermost).
  Status add_tensor(std::string_view name, core::DType type, std::vector<int64_t> shape,
                    std::span<const uint8_t> borrowed);
  Status add_tensor_owned(std::string_view name, core::DType type, std::vector<int64_t> shape,
                          std::vector<uint8_t> owned);
  Status add_tensor_fill(std::string_view name, core::DType type, std::vector<int64_t> shape,
                         TensorFill fill);
  size_t tensor_count() const;

  // Writes the file durably and atomically through `env` (core::write_file_atomic: a
  // temporary file beside `path`, fsync, rename, directory fsync). On a failure before the
  // rename `path` is untouched and the temporary file is removed; errors name the file and
  // the operation.
  Status write(const std::filesystem::path& path, core::Env& env = core::Env::posix()) const;
  // The whole file in memory (tests and small outputs).
  Result<std::vector<uint8_t>> to_bytes() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace ondo::gguf
