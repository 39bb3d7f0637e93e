// JSON columns of the store and shared messages. Layer: store.
#include "ondo/store/codec.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cstdint>
#include <cstring>

#include "ondo/store/store.h"

namespace ondo::store {

std::string encode_models(const std::vector<std::string>& models) { return nlohmann::json(models).dump(); }

std::string encode_metadata(const std::map<std::string, std::string>& metadata) {
  return nlohmann::json(metadata).dump();
}

Result<std::vector<std::string>> decode_models(const std::string& text, const std::string& what) {
  const auto j = nlohmann::json::parse(text, nullptr, false);
  std::vector<std::string> out;
  if (j.is_array()) {
    for (const auto& e : j) {
      if (!e.is_string()) break;
      out.push_back(e.get<std::string>());
    }
    if (out.size() == j.size()) return out;
  }
  return make_error(ErrorCode::Internal, what + ": models column is not a JSON array of strings");
}

Result<std::map<std::string, std::string>> decode_metadata(const std::string& text, const std::string& what) {
  const auto j = nlohmann::json::parse(text, nullptr, false);
  std::map<std::string, std::string> out;
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      if (!v.is_string()) break;
      out[k] = v.get<std::string>();
    }
    if (out.size() == j.size()) return out;
  }
  return make_error(ErrorCode::Internal, what + ": metadata column is not a JSON object of strings");
}

std::string encode_vector(const std::vector<float>& v) {
  std::string out(v.size() * 4, '\0');
  for (size_t i = 0; i < v.size(); ++i) {
    uint32_t u = 0;
    std::memcpy(&u, &v[i], 4);
    for (int b = 0; b < 4; ++b) out[i * 4 + size_t(b)] = char((u >> (8 * b)) & 0xff);
  }
  return out;
}

Result<std::vector<float>> decode_vector(std::string_view bytes, const std::string& what) {
  if (bytes.size() % 4 != 0) {
    return make_error(ErrorCode::Internal, what + ": vector column has " + std::to_string(bytes.size()) +
                                               " bytes, not a multiple of 4");
  }
  std::vector<float> v(bytes.size() / 4);
  for (size_t i = 0; i < v.size(); ++i) {
    uint32_t u = 0;
    for (int b = 0; b < 4; ++b) u |= uint32_t(uint8_t(bytes[i * 4 + size_t(b)])) << (8 * b);
    std::memcpy(&v[i], &u, 4);
  }
  return v;
}

std::string to_bytea_hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

Result<std::string> from_bytea_hex(std::string_view text, const std::string& what) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (text.size() < 2 || text[0] != '\\' || text[1] != 'x' || text.size() % 2 != 0) {
    return make_error(ErrorCode::Internal, what + ": bytea column is not in hex form");
  }
  std::string out((text.size() - 2) / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = nibble(text[2 + 2 * i]), lo = nibble(text[3 + 2 * i]);
    if (hi < 0 || lo < 0) return make_error(ErrorCode::Internal, what + ": bytea column has a non-hex digit");
    out[i] = char(hi * 16 + lo);
  }
  return out;
}

std::vector<std::string> query_words(std::string_view query) {
  constexpr size_t kMaxWords = 64, kMaxWordBytes = 64;
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty() && out.size() < kMaxWords) out.push_back(cur.substr(0, kMaxWordBytes));
    cur.clear();
  };
  for (char ch : query) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) && c < 0x80) cur += char(std::tolower(c));
    else if (c >= 0x80) cur += ch;
    else flush();
  }
  flush();
  return out;
}

void add_count(FileCounts& c, const std::string& status, int64_t n, int64_t bytes) {
  if (status == kFileInProgress) c.in_progress += n;
  else if (status == kFileCompleted) c.completed += n;
  else if (status == kFileFailed) c.failed += n;
  else if (status == "cancelled") c.cancelled += n;
  c.total += n;
  c.usage_bytes += bytes;
}

Result<int32_t> check_chunk_widths(const std::vector<ChunkRecord>& chunks, int32_t dims, const std::string& what) {
  int32_t width = 0;
  for (size_t i = 0; i < chunks.size(); ++i) {
    const int32_t w = int32_t(chunks[i].vector.size());
    if (w == 0 || (width != 0 && w != width) || (dims > 0 && w != dims)) {
      return make_error(ErrorCode::InvalidArgument,
                        what + ": chunk " + std::to_string(i) + " has a vector of " + std::to_string(w) +
                            " floats (expected " + std::to_string(dims > 0 ? dims : width) + ")");
    }
    width = w;
  }
  return width;
}

Error newer_schema_error(const std::string& location, int seen) {
  return make_error(ErrorCode::Unsupported,
                    location + ": the database schema is version " + std::to_string(seen) +
                        ", newer than this ondo knows (" + std::to_string(current_schema_version()) +
                        "); use a newer ondo (the database was left unchanged)");
}

Status check_attachment(std::string_view scope, std::string_view target) {
  if (scope == "global") {
    if (!target.empty()) return make_error(ErrorCode::InvalidArgument, "guardrail attachment: a global attachment has no target");
    return ok_status();
  }
  if (scope != "key" && scope != "prompt") {
    return make_error(ErrorCode::InvalidArgument, "guardrail attachment: scope '" + std::string(scope.substr(0, 40)) +
                                                      "' is not global, key or prompt");
  }
  if (target.empty() || target.size() > 256) {
    return make_error(ErrorCode::InvalidArgument, "guardrail attachment: a " + std::string(scope) +
                                                      " attachment needs a target of 1 to 256 bytes");
  }
  return ok_status();
}

Error no_attachment_error(const std::string& location, std::string_view scope, std::string_view target,
                          std::string_view policy) {
  std::string what = std::string(scope);
  if (!target.empty()) what += " '" + std::string(target) + "'";
  return make_error(ErrorCode::NotFound, location + ": guardrail policy '" + std::string(policy) +
                                             "' is not attached to " + what);
}

Status check_final_state(std::string_view state) {
  if (state == "succeeded" || state == "failed" || state == "cancelled") return ok_status();
  return make_error(ErrorCode::InvalidArgument, "job state '" + std::string(state) +
                                                    "' is not a final state (succeeded, failed or cancelled)");
}

std::vector<std::optional<SqlParam>> job_params(const JobRecord& j) {
  auto opt = [](const std::optional<int64_t>& v) { return v ? std::optional<SqlParam>(*v) : std::nullopt; };
  return {j.id, j.kind, j.state, j.params, j.progress, j.result, j.error_code, j.error, j.created_ms,
          opt(j.started_ms), opt(j.finished_ms), j.lease_owner, j.lease_expires_ms, j.heartbeat_ms, j.attempt,
          j.max_attempts, int64_t(j.cancel_requested ? 1 : 0), j.checkpoint, j.owner};
}

std::string job_columns_of(std::string_view alias) {
  std::string out;
  std::string_view cols = kJobColumns;
  while (!cols.empty()) {
    const size_t comma = cols.find(',');
    std::string_view col = cols.substr(0, comma);
    while (!col.empty() && col.front() == ' ') col.remove_prefix(1);
    if (!out.empty()) out += ", ";
    out += std::string(alias) + "." + std::string(col);
    cols = comma == std::string_view::npos ? std::string_view() : cols.substr(comma + 1);
  }
  return out;
}

}  // namespace ondo::store
