// GGUF reader: maps a file (v2 or v3) read-only and exposes its metadata and tensor
// infos as views into the mapping. Every count, length, offset and size is validated
// (overflow-safe, against the file size and sane maxima) before use; any fault is an
// Error naming the file and what is wrong. Layer: gguf (uses core only).
//
// Thread contract: a GgufFile is immutable after open(); share it freely across threads.
// Ownership: the GgufFile owns the mapping; every string_view, span and Value it hands out
// borrows from it and lives as long as the GgufFile.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ondo/core/dtype.h"
#include "ondo/core/result.h"

namespace ondo::gguf {

// GGUF metadata value types; values are the on-disk ids.
enum class ValueType : uint32_t {
  UInt8 = 0, Int8 = 1, UInt16 = 2, Int16 = 3, UInt32 = 4, Int32 = 5, Float32 = 6,
  Bool = 7, String = 8, Array = 9, UInt64 = 10, Int64 = 11, Float64 = 12,
};
std::string_view value_type_name(ValueType t);

// One metadata value (scalar, string or array; arrays may nest).
class Value {
 public:
  ValueType type() const { return type_; }
  bool is_integer() const;
  bool is_float() const;

  // Scalars. Nullopt when the value is not of a fitting type (or out of range).
  std::optional<uint64_t> as_uint() const;  // any integer type holding a value >= 0
  std::optional<int64_t> as_int() const;    // any integer type that fits int64
  std::optional<double> as_float() const;   // float or integer types
  std::optional<bool> as_bool() const;
  std::optional<std::string_view> as_string() const;

  // Arrays. Requires: type() == Array for elem_type/size/at.
  ValueType elem_type() const { return elem_type_; }
  uint64_t size() const { return count_; }
  Value at(uint64_t i) const;  // Requires: i < size()

  // Whole-array conversions; error names the element type found.
  Result<std::vector<std::string_view>> to_strings() const;
  Result<std::vector<float>> to_floats() const;    // float or integer elements
  Result<std::vector<int64_t>> to_ints() const;    // integer (or bool) elements

 private:
  friend class Parser;
  ValueType type_ = ValueType::UInt8;
  ValueType elem_type_ = ValueType::UInt8;
  uint64_t count_ = 0;        // array element count
  const uint8_t* raw_ = nullptr;  // scalar bytes, or first element of a numeric array
  std::string_view str_;      // String value
  std::shared_ptr<const std::vector<Value>> items_;  // String/Array arrays: parsed elements
};

struct KeyValue {
  std::string_view key;
  Value value;
};

struct TensorInfo {
  std::string_view name;
  core::DType type;
  std::vector<int64_t> shape;  // ggml order: shape[0] is the contiguous (innermost) dim
  uint64_t offset = 0;         // from the start of the data section
  uint64_t nbytes = 0;
  const uint8_t* data = nullptr;  // into the mapping; nbytes long, checked in-bounds

  int64_t n_elements() const;
};

struct ReadOptions {
  // Sane maxima; a file over any of them is rejected, not allocated for.
  uint64_t max_tensors = 1u << 20;
  uint64_t max_kv = 1u << 20;
  uint64_t max_string = 1u << 26;        // 64 MiB per string
  uint64_t max_array = 1u << 28;         // elements per array
  uint32_t max_array_depth = 8;
  // Hook for tests: an in-memory file instead of a path (borrowed, must outlive the file).
};

class GgufFile {
 public:
  // Opens and validates `path`. Errors (InvalidFile, NotFound, Unsupported) name the file.
  static Result<std::unique_ptr<GgufFile>> open(const std::filesystem::path& path,
                                                const ReadOptions& options = {});
  // Parses a buffer the caller keeps alive for the GgufFile's lifetime (tests, fuzzing).
  static Result<std::unique_ptr<GgufFile>> from_memory(std::span<const uint8_t> bytes,
                                                       std::string name,
                                                       const ReadOptions& options = {});
  ~GgufFile();
  GgufFile(const GgufFile&) = delete;
  GgufFile& operator=(const GgufFile&) = delete;

  const std::string& name() const { return name_; }  // the path, for messages
  uint32_t version() const { return version_; }
  uint64_t alignment() const { return alignment_; }
  uint64_t file_size() const { return bytes_.size(); }
  uint64_t data_offset() const { return data_offset_; }

  const std::vector<KeyValue>& metadata() const { return kv_; }  // file order
  const Value* find(std::string_view key) const;                  // nullptr when absent

  // Typed look-ups. Errors: "<file>: metadata key 'k' is missing" (NotFound) or
  // "<file>: metadata key 'k' has type string, expected an unsigned integer" (InvalidFile).
  Result<uint64_t> get_uint(std::string_view key) const;
  Result<int64_t> get_int(std::string_view key) const;
  Result<double> get_float(std::string_view key) const;
  Result<bool> get_bool(std::string_view key) const;
  Result<std::string_view> get_string(std::string_view key) const;
  // The same, but `fallback` when the key is absent (still an error on a wrong type).
  Result<uint64_t> get_uint_or(std::string_view key, uint64_t fallback) const;
  Result<double> get_float_or(std::string_view key, double fallback) const;
  Result<bool> get_bool_or(std::string_view key, bool fallback) const;

  const std::vector<TensorInfo>& tensors() const { return tensors_; }  // file order
  const TensorInfo* find_tensor(std::string_view name) const;          // nullptr when absent

  // Tells the OS that the mapped bytes [p, p + n) will not be read again soon (their pages
  // leave this process's resident set; a later read maps them in again from the file). For
  // tensors the model has copied. No-op for in-memory files.
  void release_pages(const void* p, size_t n) const;

 private:
  friend class Parser;
  GgufFile() = default;

  std::string name_;
  std::span<const uint8_t> bytes_;
  void* map_ = nullptr;  // mmap base when opened from a path
  size_t map_size_ = 0;
  uint32_t version_ = 0;
  uint64_t alignment_ = 32;
  uint64_t data_offset_ = 0;
  std::vector<KeyValue> kv_;
  std::vector<TensorInfo> tensors_;
  std::unordered_map<std::string_view, size_t> kv_index_;      // key -> index in kv_
  std::unordered_map<std::string_view, size_t> tensor_index_;  // name -> index in tensors_
};

}  // namespace ondo::gguf
