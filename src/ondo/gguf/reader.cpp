// GGUF reader: mmap, then a bounds-checked parse of header, metadata and tensor infos.
// Layer: gguf (uses core only). Every read goes through Cursor, which checks the remaining
// bytes first; every count is checked against both ReadOptions and the bytes left, so a
// hostile file can never make us allocate more than a small multiple of its own size.
// Format facts follow the GGUF spec (ggml docs/gguf.md, v3): little-endian, u64 counts.
#include "ondo/gguf/reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <string>
#include <unordered_set>
#include <utility>

#include "ondo/core/check.h"
#include "ondo/gguf/keys.h"
#include "ondo/gguf/value_util.h"

namespace ondo::gguf {

using detail::scalar_size;

// Parses a whole file into a GgufFile. One instance per parse; not reusable.
class Parser {
 public:
  Parser(GgufFile& file, const ReadOptions& options)
      : f_(file), opt_(options), data_(file.bytes_.data()), size_(file.bytes_.size()) {}

  Status run() {
    ONDO_TRY(parse_header());
    ONDO_TRY(parse_metadata());
    ONDO_TRY(parse_alignment());
    ONDO_TRY(parse_tensor_infos());
    ONDO_TRY(place_tensors());
    return ok_status();
  }

 private:
  Error fail(ErrorCode code, const std::string& what) const {
    return make_error(code, f_.name_ + ": " + what);
  }
  Error invalid(const std::string& what) const { return fail(ErrorCode::InvalidFile, what); }

  uint64_t left() const { return size_ - pos_; }

  // Checks that `n` more bytes exist; `what` names the field for the message.
  Status need(uint64_t n, const char* what) const {
    if (n > left()) {
      return invalid(std::string("file is truncated reading ") + what + " at offset " +
                     std::to_string(pos_) + " (need " + std::to_string(n) + " bytes, " +
                     std::to_string(left()) + " left)");
    }
    return ok_status();
  }

  template <class T>
  Result<T> read(const char* what) {
    ONDO_TRY(need(sizeof(T), what));
    T v;
    std::memcpy(&v, data_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }

  Result<std::string_view> read_string(const char* what);
  Status parse_header();
  Status parse_metadata();
  Result<Value> parse_value(ValueType type, uint32_t depth, const std::string& where);
  Result<Value> parse_array(uint32_t depth, const std::string& where);
  Status parse_alignment();
  Status parse_tensor_infos();
  Result<TensorInfo> parse_tensor_info(uint64_t index);
  Status parse_shape(TensorInfo& t, const std::string& where);
  Status parse_type(TensorInfo& t, const std::string& where);
  Status place_tensors();

  GgufFile& f_;
  const ReadOptions& opt_;
  const uint8_t* data_;
  uint64_t size_;
  uint64_t pos_ = 0;
  uint64_t n_tensors_ = 0;
  uint64_t n_kv_ = 0;
};

namespace {

bool valid_value_type(uint32_t t) { return t <= uint32_t(ValueType::Float64); }

std::string quoted(std::string_view s) {
  // Keys and names come from the file: cap their length in messages.
  std::string out = "'";
  out.append(s.substr(0, 200));
  if (s.size() > 200) out += "...";
  out += "'";
  return out;
}

// Fewest bytes one array element of `t` can occupy on disk (for count sanity checks).
uint64_t min_elem_bytes(ValueType t) {
  if (t == ValueType::String) return 8;             // u64 length
  if (t == ValueType::Array) return 4 + 8;          // elem type + count
  return scalar_size(t);
}

}  // namespace

Result<std::string_view> Parser::read_string(const char* what) {
  const uint64_t at = pos_;
  ONDO_ASSIGN_OR_RETURN(const uint64_t len, read<uint64_t>(what));
  if (len > opt_.max_string) {
    return invalid(std::string(what) + " at offset " + std::to_string(at) + " has length " +
                   std::to_string(len) + " (limit " + std::to_string(opt_.max_string) + ")");
  }
  if (len > left()) {
    return invalid(std::string(what) + " at offset " + std::to_string(at) + " has length " +
                   std::to_string(len) + ", past end of file (" + std::to_string(left()) +
                   " bytes left)");
  }
  std::string_view s(reinterpret_cast<const char*>(data_ + pos_), size_t(len));
  pos_ += len;
  return s;
}

Status Parser::parse_header() {
  ONDO_TRY(need(4, "magic"));
  if (std::memcmp(data_, "GGUF", 4) != 0) {
    std::string seen;
    for (int i = 0; i < 4; ++i) {
      const char c = char(data_[i]);
      seen += (c >= 0x20 && c < 0x7f) ? c : '?';
    }
    return invalid("not a GGUF file (magic '" + seen + "', expected 'GGUF')");
  }
  pos_ = 4;
  ONDO_ASSIGN_OR_RETURN(const uint32_t version, read<uint32_t>("version"));
  if (version == 1) {
    return fail(ErrorCode::Unsupported, "GGUF version 1 is not supported (seen 1, expected 2 or 3)");
  }
  if (version != 2 && version != 3) {
    if ((version & 0xffffu) == 0 && (version >> 16) != 0) {
      return fail(ErrorCode::Unsupported,
                  "big-endian GGUF files are not supported (version bytes read as " +
                      std::to_string(version) + ", expected 2 or 3 little-endian)");
    }
    return fail(ErrorCode::Unsupported, "GGUF version " + std::to_string(version) +
                                            " is not supported (expected 2 or 3)");
  }
  f_.version_ = version;
  ONDO_ASSIGN_OR_RETURN(n_tensors_, read<uint64_t>("tensor count"));
  ONDO_ASSIGN_OR_RETURN(n_kv_, read<uint64_t>("metadata count"));
  // Each tensor info takes >= 8 (name) + 4 (n_dims) + 8 (dim) + 4 (type) + 8 (offset) bytes;
  // each key/value >= 8 (key) + 1 + 4 (type) + 1 (value).
  if (n_tensors_ > opt_.max_tensors || n_tensors_ > left() / 32) {
    return invalid("tensor count " + std::to_string(n_tensors_) + " is impossible (limit " +
                   std::to_string(opt_.max_tensors) + ", " + std::to_string(left()) +
                   " bytes left)");
  }
  if (n_kv_ > opt_.max_kv || n_kv_ > left() / 14) {
    return invalid("metadata count " + std::to_string(n_kv_) + " is impossible (limit " +
                   std::to_string(opt_.max_kv) + ", " + std::to_string(left()) + " bytes left)");
  }
  return ok_status();
}

Status Parser::parse_metadata() {
  f_.kv_.reserve(size_t(n_kv_));
  f_.kv_index_.reserve(size_t(n_kv_));
  for (uint64_t i = 0; i < n_kv_; ++i) {
    const uint64_t at = pos_;
    ONDO_ASSIGN_OR_RETURN(const std::string_view key, read_string("metadata key"));
    if (key.empty()) {
      return invalid("metadata key #" + std::to_string(i) + " at offset " + std::to_string(at) +
                     " is empty");
    }
    const std::string where = "metadata key " + quoted(key);
    ONDO_ASSIGN_OR_RETURN(const uint32_t type, read<uint32_t>("metadata value type"));
    if (!valid_value_type(type)) {
      return invalid(where + " has unknown value type " + std::to_string(type) +
                     " (expected 0..12)");
    }
    ONDO_ASSIGN_OR_RETURN(Value v, parse_value(ValueType(type), 0, where));
    if (!f_.kv_index_.emplace(key, f_.kv_.size()).second) {
      return invalid(where + " appears twice (second at offset " + std::to_string(at) + ")");
    }
    f_.kv_.push_back(KeyValue{key, std::move(v)});
  }
  return ok_status();
}

Result<Value> Parser::parse_value(ValueType type, uint32_t depth, const std::string& where) {
  Value v;
  v.type_ = type;
  if (type == ValueType::String) {
    ONDO_ASSIGN_OR_RETURN(v.str_, read_string("string value"));
    return v;
  }
  if (type == ValueType::Array) return parse_array(depth + 1, where);
  const uint64_t n = scalar_size(type);
  if (n > left()) {
    return invalid(where + ": file is truncated reading a " + std::string(value_type_name(type)) +
                   " at offset " + std::to_string(pos_) + " (need " + std::to_string(n) +
                   " bytes, " + std::to_string(left()) + " left)");
  }
  v.raw_ = data_ + pos_;
  pos_ += n;
  return v;
}

Result<Value> Parser::parse_array(uint32_t depth, const std::string& where) {
  if (depth > opt_.max_array_depth) {
    return invalid(where + ": arrays nested deeper than " + std::to_string(opt_.max_array_depth) +
                   " levels");
  }
  Value v;
  v.type_ = ValueType::Array;
  ONDO_ASSIGN_OR_RETURN(const uint32_t et, read<uint32_t>("array element type"));
  if (!valid_value_type(et)) {
    return invalid(where + ": array has unknown element type " + std::to_string(et) +
                   " (expected 0..12)");
  }
  v.elem_type_ = ValueType(et);
  const uint64_t at = pos_;
  ONDO_ASSIGN_OR_RETURN(v.count_, read<uint64_t>("array length"));
  const uint64_t min_bytes = min_elem_bytes(v.elem_type_);
  if (v.count_ > opt_.max_array || v.count_ > left() / min_bytes) {
    return invalid(where + ": array length " + std::to_string(v.count_) + " at offset " +
                   std::to_string(at) + " is impossible (limit " + std::to_string(opt_.max_array) +
                   ", " + std::to_string(left()) + " bytes left)");
  }
  if (v.elem_type_ != ValueType::String && v.elem_type_ != ValueType::Array) {
    v.raw_ = data_ + pos_;
    pos_ += v.count_ * min_bytes;  // checked above: count * size <= left
    return v;
  }
  auto items = std::make_shared<std::vector<Value>>();
  items->reserve(size_t(v.count_));
  for (uint64_t i = 0; i < v.count_; ++i) {
    ONDO_ASSIGN_OR_RETURN(Value e, parse_value(v.elem_type_, depth, where));
    items->push_back(std::move(e));
  }
  v.items_ = std::move(items);
  return v;
}

Status Parser::parse_alignment() {
  const Value* a = f_.find(keys::kAlignment);
  if (a == nullptr) return ok_status();
  const std::optional<uint64_t> n = a->as_uint();
  if (!n) {
    return invalid("metadata key 'general.alignment' has type " + detail::type_label(*a) +
                   ", expected an unsigned integer");
  }
  if (*n == 0 || (*n & (*n - 1)) != 0 || *n > (uint64_t(1) << 30)) {
    return invalid("general.alignment is " + std::to_string(*n) +
                   " (expected a non-zero power of two up to 2^30)");
  }
  f_.alignment_ = *n;
  return ok_status();
}

Status Parser::parse_tensor_infos() {
  f_.tensors_.reserve(size_t(n_tensors_));
  f_.tensor_index_.reserve(size_t(n_tensors_));
  for (uint64_t i = 0; i < n_tensors_; ++i) {
    ONDO_ASSIGN_OR_RETURN(TensorInfo t, parse_tensor_info(i));
    if (!f_.tensor_index_.emplace(t.name, f_.tensors_.size()).second) {
      return invalid("tensor " + quoted(t.name) + " appears twice (tensor #" + std::to_string(i) +
                     ")");
    }
    f_.tensors_.push_back(std::move(t));
  }
  // The data section starts at the next multiple of the alignment (alignment <= 2^30, pos_ is
  // bounded by the file size, so this cannot overflow).
  f_.data_offset_ = (pos_ + f_.alignment_ - 1) / f_.alignment_ * f_.alignment_;
  return ok_status();
}

Result<TensorInfo> Parser::parse_tensor_info(uint64_t index) {
  TensorInfo t;
  const uint64_t at = pos_;
  ONDO_ASSIGN_OR_RETURN(t.name, read_string("tensor name"));
  if (t.name.empty()) {
    return invalid("tensor #" + std::to_string(index) + " at offset " + std::to_string(at) +
                   " has an empty name");
  }
  const std::string where = "tensor " + quoted(t.name);
  ONDO_TRY(parse_shape(t, where));
  ONDO_TRY(parse_type(t, where));
  ONDO_ASSIGN_OR_RETURN(t.offset, read<uint64_t>("tensor offset"));
  if (t.offset % f_.alignment_ != 0) {
    return invalid(where + " has offset " + std::to_string(t.offset) +
                   " that is not a multiple of the alignment " + std::to_string(f_.alignment_));
  }
  return t;
}

Status Parser::parse_shape(TensorInfo& t, const std::string& where) {
  ONDO_ASSIGN_OR_RETURN(const uint32_t n_dims, read<uint32_t>("tensor dimension count"));
  if (n_dims == 0 || n_dims > 4) {
    return invalid(where + " has " + std::to_string(n_dims) + " dimensions (expected 1 to 4)");
  }
  t.shape.resize(n_dims);
  int64_t total = 1;
  for (uint32_t d = 0; d < n_dims; ++d) {
    ONDO_ASSIGN_OR_RETURN(const uint64_t raw, read<uint64_t>("tensor dimension"));
    const int64_t dim = int64_t(raw);
    if (dim <= 0) {
      return invalid(where + " has dimension " + std::to_string(d) + " of " + std::to_string(dim) +
                     " (expected a positive size)");
    }
    if (total > std::numeric_limits<int64_t>::max() / dim) {
      return invalid(where + " has too many elements (shape overflows 64 bits)");
    }
    total *= dim;
    t.shape[d] = dim;
  }
  return ok_status();
}

Status Parser::parse_type(TensorInfo& t, const std::string& where) {
  ONDO_ASSIGN_OR_RETURN(const uint32_t id, read<uint32_t>("tensor type"));
  const core::DTypeInfo* info = core::find_dtype(id);
  if (info == nullptr) {
    const std::string_view known = core::known_unsupported_dtype_name(id);
    if (!known.empty()) {
      return fail(ErrorCode::Unsupported, where + ": type " + std::string(known) + " (" +
                                              std::to_string(id) + ") is not supported");
    }
    return invalid(where + " has unknown type id " + std::to_string(id));
  }
  t.type = info->type;
  if (t.shape[0] % info->block_size != 0) {
    return invalid(where + " has rows of " + std::to_string(t.shape[0]) + " elements, not a " +
                   "whole number of " + std::string(info->name) + " blocks of " +
                   std::to_string(info->block_size));
  }
  const uint64_t blocks = uint64_t(t.shape[0]) / uint64_t(info->block_size);
  const uint64_t rows = uint64_t(t.n_elements() / t.shape[0]);
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  if (blocks > kMax / uint64_t(info->block_bytes) ||
      rows > kMax / (blocks * uint64_t(info->block_bytes))) {
    return invalid(where + " has a byte size that overflows 64 bits");
  }
  t.nbytes = blocks * uint64_t(info->block_bytes) * rows;
  return ok_status();
}

Status Parser::place_tensors() {
  for (TensorInfo& t : f_.tensors_) {
    const uint64_t start = f_.data_offset_ + t.offset;  // both < 2^64 / 2 after the check below
    if (t.offset > size_ || f_.data_offset_ > size_ || start > size_ || t.nbytes > size_ - start) {
      const bool overflow = t.offset > size_ || t.nbytes > size_;
      return invalid("tensor " + quoted(t.name) + " ends past end of file (offset " +
                     (overflow ? std::to_string(f_.data_offset_) + "+" + std::to_string(t.offset)
                               : std::to_string(start)) +
                     ", size " + std::to_string(t.nbytes) + ", file " + std::to_string(size_) +
                     ")");
    }
    t.data = data_ + start;
  }
  return ok_status();
}

// ---------------------------------------------------------------------------------------
// GgufFile

void GgufFile::release_pages(const void* p, size_t n) const {
  if (map_ == nullptr || n == 0) return;
  const auto page = uintptr_t(sysconf(_SC_PAGESIZE));
  const uintptr_t lo = (uintptr_t(p) + page - 1) & ~(page - 1), hi = (uintptr_t(p) + n) & ~(page - 1);
  const auto base = uintptr_t(map_);
  if (lo >= hi || lo < base || hi > base + map_size_) return;
  madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_DONTNEED);
}

GgufFile::~GgufFile() {
  if (map_ != nullptr) munmap(map_, map_size_);
}

Result<std::unique_ptr<GgufFile>> GgufFile::from_memory(std::span<const uint8_t> bytes,
                                                        std::string name,
                                                        const ReadOptions& options) {
  std::unique_ptr<GgufFile> f(new GgufFile());
  f->name_ = std::move(name);
  f->bytes_ = bytes;
  Parser p(*f, options);
  ONDO_TRY(p.run());
  return f;
}

Result<std::unique_ptr<GgufFile>> GgufFile::open(const std::filesystem::path& path,
                                                 const ReadOptions& options) {
  std::unique_ptr<GgufFile> f(new GgufFile());
  f->name_ = path.string();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    const ErrorCode code = err == ENOENT ? ErrorCode::NotFound : ErrorCode::InvalidFile;
    return make_error(code, f->name_ + ": cannot open (" + std::strerror(err) + ")");
  }
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return make_error(ErrorCode::InvalidFile, f->name_ + ": not a regular file");
  }
  const size_t size = size_t(st.st_size);
  if (size > 0) {
    void* m = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED) {
      const int err = errno;
      ::close(fd);
      return make_error(ErrorCode::InvalidFile,
                        f->name_ + ": cannot map (" + std::strerror(err) + ")");
    }
    f->map_ = m;
    f->map_size_ = size;
    f->bytes_ = std::span<const uint8_t>(static_cast<const uint8_t*>(m), size);
  }
  ::close(fd);
  Parser p(*f, options);
  ONDO_TRY(p.run());
  return f;
}

const Value* GgufFile::find(std::string_view key) const {
  const auto it = kv_index_.find(key);
  return it == kv_index_.end() ? nullptr : &kv_[it->second].value;
}

const TensorInfo* GgufFile::find_tensor(std::string_view name) const {
  const auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

int64_t TensorInfo::n_elements() const {
  int64_t n = 1;
  for (const int64_t d : shape) n *= d;  // validated at parse time not to overflow
  return n;
}

}  // namespace ondo::gguf
