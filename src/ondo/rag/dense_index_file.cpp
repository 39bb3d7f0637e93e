// DenseIndex persistence: the graph file (our header + checksum around hnswlib's own
// serialisation), rebuilds from stored vectors, and load-or-rebuild. Layer: rag.
//
// File layout (little-endian): "ONDOHNSW", u32 version (1), u32 dim, u32 M,
// u32 ef_construction, u32 flags (bit 0: a graph follows), u64 live vector count,
// u64 payload length, 32-byte SHA-256 of the payload, payload (hnswlib's saveIndex bytes).
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <iterator>
#include <mutex>

#include "ondo/core/env.h"
#include "ondo/core/sha256.h"
#include "ondo/rag/dense_index_impl.h"

namespace ondo::rag {
namespace {

constexpr char kMagic[8] = {'O', 'N', 'D', 'O', 'H', 'N', 'S', 'W'};
constexpr uint32_t kVersion = 1;
constexpr size_t kHeaderSize = 8 + 4 * 5 + 8 * 2 + 32;

struct Header {
  uint32_t version = kVersion, dim = 0, m = 0, ef_construction = 0, flags = 0;
  uint64_t count = 0, payload_len = 0;
  core::Sha256Digest digest{};
};

template <class T>
void put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}
template <class T>
T get(const std::string& in, size_t& at) {
  T v;
  std::memcpy(&v, in.data() + at, sizeof v);
  at += sizeof v;
  return v;
}

std::filesystem::path temp_beside(const std::filesystem::path& path, const char* what) {
  static std::atomic<unsigned> n{0};
  return path.string() + "." + what + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(n++);
}

Result<std::string> read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::NotFound, path.string() + ": missing");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return make_error(ErrorCode::InvalidFile, path.string() + ": read failed");
  return bytes;
}

Result<Header> parse_header(const std::string& bytes, const DenseIndexOptions& opt,
                            const std::string& name) {
  auto damaged = [&](const std::string& what) {
    return make_error(ErrorCode::InvalidFile, name + ": " + what);
  };
  if (bytes.size() < kHeaderSize) return damaged("shorter than its header");
  if (std::memcmp(bytes.data(), kMagic, 8) != 0) return damaged("not a dense index file");
  size_t at = 8;
  Header h;
  h.version = get<uint32_t>(bytes, at);
  h.dim = get<uint32_t>(bytes, at);
  h.m = get<uint32_t>(bytes, at);
  h.ef_construction = get<uint32_t>(bytes, at);
  h.flags = get<uint32_t>(bytes, at);
  h.count = get<uint64_t>(bytes, at);
  h.payload_len = get<uint64_t>(bytes, at);
  std::memcpy(h.digest.data(), bytes.data() + at, 32);
  if (h.version != kVersion) return damaged("unknown version " + std::to_string(h.version));
  if (h.dim != static_cast<uint32_t>(opt.dim) || h.m != static_cast<uint32_t>(opt.hnsw_m) ||
      h.ef_construction != static_cast<uint32_t>(opt.hnsw_ef_construction)) {
    return damaged("built with other options (dim " + std::to_string(h.dim) + ", M " +
                   std::to_string(h.m) + ", ef_construction " + std::to_string(h.ef_construction) +
                   ")");
  }
  if (h.payload_len != bytes.size() - kHeaderSize) {
    return damaged("payload length " + std::to_string(h.payload_len) + " does not match the file (" +
                   std::to_string(bytes.size() - kHeaderSize) + " bytes after the header)");
  }
  if (core::sha256(std::string_view(bytes).substr(kHeaderSize)) != h.digest) {
    return damaged("checksum mismatch");
  }
  return h;
}

}  // namespace

Status DenseIndex::save(const std::filesystem::path& path) const {
  std::shared_lock lock(impl_->mu);
  const Impl& m = *impl_;
  std::string payload;
  if (m.graph) {
    const auto tmp = temp_beside(path, "graph");
    Status st = m.graph->save(tmp);
    if (!st.ok()) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      return st;
    }
    auto bytes = read_all(tmp);
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    if (!bytes.ok()) return make_error(ErrorCode::InvalidFile, path.string() + ": saving the graph: " + bytes.error().message);
    payload = std::move(bytes).value();
  }
  std::string head(kMagic, 8);
  put<uint32_t>(head, kVersion);
  put<uint32_t>(head, static_cast<uint32_t>(m.opt.dim));
  put<uint32_t>(head, static_cast<uint32_t>(m.opt.hnsw_m));
  put<uint32_t>(head, static_cast<uint32_t>(m.opt.hnsw_ef_construction));
  put<uint32_t>(head, m.graph ? 1u : 0u);
  put<uint64_t>(head, m.ids.size());
  put<uint64_t>(head, payload.size());
  const core::Sha256Digest d = core::sha256(payload);
  head.append(reinterpret_cast<const char*>(d.data()), d.size());
  return core::write_file_atomic(core::Env::posix(), path, [&](core::WritableFile& f) -> Status {
    ONDO_TRY(f.append({reinterpret_cast<const uint8_t*>(head.data()), head.size()}));
    return f.append({reinterpret_cast<const uint8_t*>(payload.data()), payload.size()});
  });
}

Status DenseIndex::rebuild_from(std::span<const StoredVector> vectors) {
  const DenseIndexOptions& opt = impl_->opt;
  // Normalise outside the lock; the last duplicate wins.
  std::unordered_map<int64_t, size_t> last;
  for (size_t i = 0; i < vectors.size(); ++i) last[vectors[i].id] = i;
  auto fresh = std::make_unique<Impl>(opt);
  for (size_t i = 0; i < vectors.size(); ++i) {
    if (last[vectors[i].id] != i) continue;
    ONDO_ASSIGN_OR_RETURN(std::vector<float> unit,
                          normalised(vectors[i].values, opt.dim,
                                     "vector " + std::to_string(vectors[i].id)));
    fresh->append(vectors[i].id, unit);
  }
  if (fresh->ids.size() >= opt.hnsw_threshold) ONDO_TRY(fresh->build_graph());
  std::unique_lock lock(impl_->mu);
  impl_->data = std::move(fresh->data);
  impl_->ids = std::move(fresh->ids);
  impl_->slot_of = std::move(fresh->slot_of);
  impl_->graph = std::move(fresh->graph);
  return ok_status();
}

Result<LoadReport> DenseIndex::load_or_rebuild(const std::filesystem::path& path,
                                               std::span<const StoredVector> vectors) {
  const DenseIndexOptions& opt = impl_->opt;
  const std::string name = path.string();
  auto rebuild = [&](std::string why) -> Result<LoadReport> {
    ONDO_TRY(rebuild_from(vectors));
    return LoadReport{true, std::move(why)};
  };
  auto bytes = read_all(path);
  if (!bytes.ok()) return rebuild(bytes.error().message);
  auto header = parse_header(*bytes, opt, name);
  if (!header.ok()) return rebuild(header.error().message);
  if (!(header->flags & 1u)) return rebuild(name + ": holds no graph");
  // The vectors, normalised as add() does, in a fresh state.
  auto fresh = std::make_unique<Impl>(opt);
  for (const StoredVector& v : vectors) {
    ONDO_ASSIGN_OR_RETURN(std::vector<float> unit,
                          normalised(v.values, opt.dim, "vector " + std::to_string(v.id)));
    if (fresh->slot_of.count(v.id) != 0) return rebuild(name + ": duplicate stored id " + std::to_string(v.id));
    fresh->append(v.id, unit);
  }
  if (header->count != fresh->ids.size()) {
    return rebuild(name + ": stale (holds " + std::to_string(header->count) + " vectors, the store " +
                   std::to_string(fresh->ids.size()) + ")");
  }
  // hnswlib reads only from a path: hand it the verified payload in a temporary file.
  const auto tmp = temp_beside(path, "load");
  {
    std::ofstream out(tmp, std::ios::binary);
    out.write(bytes->data() + kHeaderSize, static_cast<std::streamsize>(header->payload_len));
    if (!out) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      return rebuild(name + ": could not stage the graph for loading");
    }
  }
  auto loaded = HnswGraph::load(tmp, static_cast<size_t>(opt.dim));
  std::error_code ec;
  std::filesystem::remove(tmp, ec);
  if (!loaded.ok()) return rebuild(name + ": " + loaded.error().message);
  std::unique_ptr<HnswGraph> g = std::move(loaded).value();
  // The graph must hold exactly the stored vectors, bit for bit.
  const size_t c = static_cast<size_t>(opt.dim);
  size_t live = 0;
  std::string stale;
  g->for_each_live([&](int64_t id, const float* v) {
    ++live;
    if (!stale.empty()) return;
    auto it = fresh->slot_of.find(id);
    if (it == fresh->slot_of.end()) {
      stale = "id " + std::to_string(id) + " is not stored";
    } else if (std::memcmp(v, fresh->row(it->second), c * sizeof(float)) != 0) {
      stale = "vector " + std::to_string(id) + " differs from the store";
    }
  });
  if (!stale.empty()) return rebuild(name + ": stale (" + stale + ")");
  if (live != fresh->ids.size()) return rebuild(name + ": stale (graph holds " + std::to_string(live) + " live vectors)");
  std::unique_lock lock(impl_->mu);
  impl_->data = std::move(fresh->data);
  impl_->ids = std::move(fresh->ids);
  impl_->slot_of = std::move(fresh->slot_of);
  impl_->graph = std::move(g);
  return LoadReport{false, name + ": loaded"};
}

}  // namespace ondo::rag
