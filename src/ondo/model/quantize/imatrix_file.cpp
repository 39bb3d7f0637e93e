// llama.cpp's imatrix files (imatrix_file.h): the GGUF format read and written, the legacy
// .dat format read. Layer: model (uses gguf/ and core/ only).
#include "ondo/model/quantize/imatrix_file.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <memory>

#include "ondo/gguf/reader.h"
#include "ondo/gguf/writer.h"

namespace ondo::model::quantize {
namespace {

constexpr std::string_view kTypeKey = "general.type";
constexpr std::string_view kDatasetsKey = "imatrix.datasets";
constexpr std::string_view kChunkCountKey = "imatrix.chunk_count";
constexpr std::string_view kChunkSizeKey = "imatrix.chunk_size";
constexpr std::string_view kSumSuffix = ".in_sum2";
constexpr std::string_view kCountSuffix = ".counts";
constexpr uint64_t kMaxLegacyBytes = uint64_t(1) << 31;  // 2 GiB: larger than any real imatrix

Error bad(const std::string& name, const std::string& what) { return make_error(ErrorCode::InvalidFile, name + ": " + what); }

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

Result<std::vector<double>> f32_values(const std::string& file, const gguf::TensorInfo& t) {
  if (t.type != core::DType::F32) {
    return bad(file, "tensor '" + std::string(t.name) + "' is " + std::string(core::dtype_name(t.type)) + ", expected F32");
  }
  std::vector<double> out(size_t(t.n_elements()));
  for (size_t i = 0; i < out.size(); ++i) {
    float v;
    std::memcpy(&v, t.data + 4 * i, 4);
    if (!std::isfinite(v) || v < 0) {
      return bad(file, "tensor '" + std::string(t.name) + "' element " + std::to_string(i) + " is " + std::to_string(v) +
                           " (expected a finite value >= 0)");
    }
    out[i] = v;
  }
  return out;
}

Result<ImatrixEntry> read_entry(const std::string& file, const std::string& weight, const gguf::TensorInfo& sums,
                                const gguf::TensorInfo& counts) {
  const auto dims_ok = [](const gguf::TensorInfo& t) { return t.shape.size() == 1 || t.shape.size() == 2; };
  if (!dims_ok(sums) || !dims_ok(counts)) {
    return bad(file, "entry '" + weight + "': in_sum2 and counts must be 1-D or 2-D tensors");
  }
  const int64_t n_mat = sums.shape.size() == 2 ? sums.shape[1] : 1;
  const int64_t n_counts = counts.n_elements();
  if (counts.shape[0] != 1 || n_counts != n_mat) {
    return bad(file, "entry '" + weight + "': counts has " + std::to_string(n_counts) + " values in shape [" +
                         std::to_string(counts.shape[0]) + ", ...], expected [1, " + std::to_string(n_mat) + "]");
  }
  ImatrixEntry e;
  e.n_in = sums.shape[0];
  ONDO_ASSIGN_OR_RETURN(e.in_sum2, f32_values(file, sums));
  ONDO_ASSIGN_OR_RETURN(e.counts, f32_values(file, counts));
  return e;
}

Result<Imatrix> from_gguf(const gguf::GgufFile& f) {
  const std::string& file = f.name();
  Imatrix m;
  if (const gguf::Value* type = f.find(kTypeKey)) {
    auto s = type->as_string();
    if (!s || *s != "imatrix") {
      return bad(file, "general.type is '" + std::string(s ? *s : "(not a string)") +
                           "', expected 'imatrix' (is this a model file rather than an importance matrix?)");
    }
  }
  if (const gguf::Value* ds = f.find(kDatasetsKey)) {
    auto names = ds->to_strings();
    if (!names.ok()) return bad(file, std::string(kDatasetsKey) + ": " + names.error().message);
    for (std::string_view n : *names) m.datasets.emplace_back(n);
  }
  ONDO_ASSIGN_OR_RETURN(uint64_t chunks, f.get_uint_or(kChunkCountKey, 0));
  ONDO_ASSIGN_OR_RETURN(uint64_t chunk_size, f.get_uint_or(kChunkSizeKey, 0));
  if (chunks > UINT32_MAX || chunk_size > UINT32_MAX) return bad(file, "imatrix.chunk_count or chunk_size out of range");
  m.chunk_count = uint32_t(chunks);
  m.chunk_size = uint32_t(chunk_size);

  std::map<std::string, std::pair<const gguf::TensorInfo*, const gguf::TensorInfo*>> pairs;
  for (const gguf::TensorInfo& t : f.tensors()) {
    if (ends_with(t.name, kSumSuffix)) {
      pairs[std::string(t.name.substr(0, t.name.size() - kSumSuffix.size()))].first = &t;
    } else if (ends_with(t.name, kCountSuffix)) {
      pairs[std::string(t.name.substr(0, t.name.size() - kCountSuffix.size()))].second = &t;
    }
  }
  for (const auto& [weight, p] : pairs) {
    if (p.first == nullptr || p.second == nullptr) {
      return bad(file, "entry '" + weight + "' has " + (p.first ? "in_sum2 but no counts" : "counts but no in_sum2"));
    }
    ONDO_ASSIGN_OR_RETURN(ImatrixEntry e, read_entry(file, weight, *p.first, *p.second));
    m.entries.emplace(weight, std::move(e));
  }
  if (m.entries.empty()) return bad(file, "no importance matrix entries (no <weight>.in_sum2 / <weight>.counts tensors)");
  return m;
}

// A bounds-checked little-endian cursor over the legacy format.
class Cursor {
 public:
  Cursor(std::span<const uint8_t> b, const std::string& name) : b_(b), name_(name) {}
  bool at_end() const { return pos_ == b_.size(); }
  Result<int32_t> i32(const char* what) {
    if (b_.size() - pos_ < 4) return truncated(what);
    int32_t v;
    std::memcpy(&v, b_.data() + pos_, 4);
    pos_ += 4;
    return v;
  }
  Result<std::string> bytes(size_t n, const char* what) {
    if (b_.size() - pos_ < n) return truncated(what);
    std::string s(reinterpret_cast<const char*>(b_.data() + pos_), n);
    pos_ += n;
    return s;
  }
  Error truncated(const char* what) const {
    return bad(name_, std::string("legacy imatrix ends inside ") + what + " (offset " + std::to_string(pos_) + ")");
  }

 private:
  std::span<const uint8_t> b_;
  const std::string& name_;
  size_t pos_ = 0;
};

Result<Imatrix> from_legacy(std::span<const uint8_t> bytes, const std::string& name) {
  Cursor c(bytes, name);
  Imatrix m;
  m.legacy = true;
  ONDO_ASSIGN_OR_RETURN(int32_t n_entries, c.i32("the entry count"));
  if (n_entries < 1) return bad(name, "legacy imatrix has " + std::to_string(n_entries) + " entries (expected at least 1)");
  for (int32_t i = 0; i < n_entries; ++i) {
    const std::string where = "entry " + std::to_string(i + 1);
    ONDO_ASSIGN_OR_RETURN(int32_t len, c.i32("a name length"));
    if (len < 1 || len > 4096) return bad(name, "legacy imatrix " + where + ": name length " + std::to_string(len) + " (expected 1..4096)");
    ONDO_ASSIGN_OR_RETURN(std::string wname, c.bytes(size_t(len), "a name"));
    ONDO_ASSIGN_OR_RETURN(int32_t ncall, c.i32("a call count"));
    ONDO_ASSIGN_OR_RETURN(int32_t nval, c.i32("a value count"));
    if (ncall < 0 || nval < 1) {
      return bad(name, "legacy imatrix " + where + " ('" + wname + "'): ncall " + std::to_string(ncall) + ", nval " + std::to_string(nval) +
                           " (expected ncall >= 0, nval >= 1)");
    }
    if (m.entries.count(wname)) return bad(name, "legacy imatrix " + where + ": duplicate entry '" + wname + "'");
    ONDO_ASSIGN_OR_RETURN(std::string raw, c.bytes(size_t(nval) * 4, "values"));
    // Stored: mean square times ncall. Kept as in_sum2 = stored, counts = ncall, so that
    // importance() gives stored / ncall as llama-quantize's legacy reader does.
    ImatrixEntry e;
    e.n_in = nval;
    e.in_sum2.resize(size_t(nval));
    for (int32_t k = 0; k < nval; ++k) {
      float v;
      std::memcpy(&v, raw.data() + 4 * size_t(k), 4);
      if (!std::isfinite(v) || v < 0) {
        return bad(name, "legacy imatrix " + where + " ('" + wname + "') value " + std::to_string(k) + " is " + std::to_string(v) +
                             " (expected a finite value >= 0)");
      }
      e.in_sum2[size_t(k)] = v;
    }
    e.counts = {double(ncall > 0 ? ncall : 1)};
    m.entries.emplace(std::move(wname), std::move(e));
  }
  if (!c.at_end()) {  // optional trailer: chunk count and dataset name
    ONDO_ASSIGN_OR_RETURN(int32_t chunks, c.i32("the chunk count"));
    ONDO_ASSIGN_OR_RETURN(int32_t len, c.i32("the dataset name length"));
    if (len < 0 || len > 65536) return bad(name, "legacy imatrix dataset name length " + std::to_string(len));
    ONDO_ASSIGN_OR_RETURN(std::string ds, c.bytes(size_t(len), "the dataset name"));
    m.chunk_count = chunks > 0 ? uint32_t(chunks) : 0;
    if (!ds.empty()) m.datasets.push_back(std::move(ds));
    if (!c.at_end()) return bad(name, "legacy imatrix has bytes after its dataset name");
  }
  return m;
}

}  // namespace

std::vector<float> ImatrixEntry::importance() const {
  std::vector<float> out(in_sum2.size(), 1.0f);
  for (int64_t j = 0; j < n_mat(); ++j) {
    const double c = j < int64_t(counts.size()) ? counts[size_t(j)] : 0.0;
    if (c <= 0) continue;
    for (int64_t i = 0; i < n_in; ++i) {
      const size_t k = size_t(j * n_in + i);
      out[k] = float(float(in_sum2[k]) / float(c));  // llama-quantize divides the stored floats
    }
  }
  return out;
}

Result<Imatrix> parse_imatrix(std::span<const uint8_t> bytes, const std::string& name) {
  if (bytes.size() >= 4 && std::memcmp(bytes.data(), "GGUF", 4) == 0) {
    ONDO_ASSIGN_OR_RETURN(std::unique_ptr<gguf::GgufFile> f, gguf::GgufFile::from_memory(bytes, name));
    return from_gguf(*f);
  }
  return from_legacy(bytes, name);
}

Result<Imatrix> read_imatrix(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::NotFound, name + ": cannot open the importance matrix file");
  char magic[4] = {};
  in.read(magic, 4);
  if (in.gcount() == 4 && std::memcmp(magic, "GGUF", 4) == 0) {
    ONDO_ASSIGN_OR_RETURN(std::unique_ptr<gguf::GgufFile> f, gguf::GgufFile::open(path));
    return from_gguf(*f);
  }
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) return make_error(ErrorCode::InvalidFile, name + ": cannot read the size (" + ec.message() + ")");
  if (size > kMaxLegacyBytes) return bad(name, "not a GGUF file and too large for a legacy imatrix (" + std::to_string(size) + " bytes)");
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  in.seekg(0);
  in.read(reinterpret_cast<char*>(bytes.data()), std::streamsize(size));
  if (uint64_t(in.gcount()) != size) return make_error(ErrorCode::InvalidFile, name + ": short read");
  return from_legacy(bytes, name);
}

namespace {

Status fill_writer(const Imatrix& m, gguf::Writer& w) {
  w.set_string(kTypeKey, "imatrix");
  w.set_array(kDatasetsKey, std::span<const std::string>(m.datasets));
  w.set_u32(kChunkCountKey, m.chunk_count);
  w.set_u32(kChunkSizeKey, m.chunk_size);
  for (const auto& [name, e] : m.entries) {
    const int64_t n_mat = e.n_mat();
    if (e.n_in < 1 || n_mat < 1 || int64_t(e.in_sum2.size()) != e.n_in * n_mat || int64_t(e.counts.size()) != n_mat) {
      return make_error(ErrorCode::InvalidArgument, "imatrix entry '" + name + "': sizes do not agree (n_in " +
                                                        std::to_string(e.n_in) + ", " + std::to_string(e.in_sum2.size()) +
                                                        " sums, " + std::to_string(e.counts.size()) + " counts)");
    }
    const auto floats = [](const std::vector<double>& v) {
      std::vector<uint8_t> b(v.size() * 4);
      for (size_t i = 0; i < v.size(); ++i) {
        const float f = float(v[i]);
        std::memcpy(b.data() + 4 * i, &f, 4);
      }
      return b;
    };
    ONDO_TRY(w.add_tensor_owned(name + std::string(kSumSuffix), core::DType::F32, {e.n_in, n_mat}, floats(e.in_sum2)));
    ONDO_TRY(w.add_tensor_owned(name + std::string(kCountSuffix), core::DType::F32, {1, n_mat}, floats(e.counts)));
  }
  return ok_status();
}

}  // namespace

Status write_imatrix(const Imatrix& m, const std::filesystem::path& path) {
  gguf::Writer w;
  ONDO_TRY(fill_writer(m, w));
  return w.write(path);
}

Result<std::vector<uint8_t>> imatrix_to_bytes(const Imatrix& m) {
  gguf::Writer w;
  ONDO_TRY(fill_writer(m, w));
  return w.to_bytes();
}

}  // namespace ondo::model::quantize
