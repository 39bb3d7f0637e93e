// API key secrets (see api_keys.h). Layer: store.
#include "ondo/store/api_keys.h"

#include <sys/random.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "ondo/core/sha256.h"

namespace ondo::store {
namespace {

constexpr size_t kIdHex = 12;
constexpr size_t kSecretHex = 40;

Result<std::string> random_hex(size_t n) {
  std::string bytes((n + 1) / 2, '\0');
  size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t r = ::getrandom(bytes.data() + got, bytes.size() - got, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      return make_error(ErrorCode::Internal, std::string("getrandom failed (") + std::strerror(errno) + ")");
    }
    got += size_t(r);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  out.resize(n);
  return out;
}

bool is_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// Compares in time that depends only on the lengths.
bool same_bytes(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

Result<NewSecret> make_secret() {
  ONDO_ASSIGN_OR_RETURN(std::string id_hex, random_hex(kIdHex));
  ONDO_ASSIGN_OR_RETURN(std::string body, random_hex(kSecretHex));
  NewSecret s;
  s.id = "k" + id_hex;
  s.secret = std::string(kSecretPrefix) + s.id + "-" + body;
  s.hash = core::to_hex(core::sha256(s.secret));
  return s;
}

Result<CreatedKey> create_api_key(Store& store, const ApiKey& fields, int64_t now) {
  const std::pair<const char*, int64_t> limits[] = {{"rpm", fields.rpm},
                                                     {"tpm", fields.tpm},
                                                     {"max_concurrent", fields.max_concurrent},
                                                     {"budget_tokens", fields.budget_tokens},
                                                     {"budget_usd", fields.budget_nano_usd}};
  for (const auto& [name, v] : limits) {
    if (v < 0) return field_error(ErrorCode::InvalidArgument, name, "must be 0 (no limit) or more (seen " + std::to_string(v) + ")");
  }
  const std::string& p = fields.budget_period;
  if (!is_budget_period(p)) {
    return field_error(ErrorCode::InvalidArgument, "budget_period", "unknown period '" + p.substr(0, 100) + "' (expected day, week, month or total)");
  }
  if (p.empty() && (fields.budget_tokens || fields.budget_nano_usd)) {
    return field_error(ErrorCode::InvalidArgument, "budget_period", "a budget needs a period (day, week, month or total)");
  }
  if (fields.expires_at && *fields.expires_at <= now) {
    return field_error(ErrorCode::InvalidArgument, "expires_at", "is not in the future (" + format_time(*fields.expires_at) + ")");
  }
  for (const std::string& m : fields.models) {
    if (m.empty()) return field_error(ErrorCode::InvalidArgument, "models", "an empty model name");
  }
  ONDO_ASSIGN_OR_RETURN(NewSecret s, make_secret());
  CreatedKey out{fields, std::move(s.secret)};
  out.key.id = s.id;
  out.key.hash = s.hash;
  out.key.created_at = now;
  out.key.revoked_at = std::nullopt;
  ONDO_TRY(store.insert_api_key(out.key));
  return out;
}

bool looks_like_secret(std::string_view t) {
  if (t.size() != kSecretPrefix.size() + 1 + kIdHex + 1 + kSecretHex || t.substr(0, kSecretPrefix.size()) != kSecretPrefix) {
    return false;
  }
  t.remove_prefix(kSecretPrefix.size());
  return t[0] == 'k' && is_hex(t.substr(1, kIdHex)) && t[1 + kIdHex] == '-' && is_hex(t.substr(2 + kIdHex));
}

Result<ApiKey> authenticate(Store& store, std::string_view secret, int64_t now) {
  const Error unknown = make_error(ErrorCode::Unauthenticated, "authorization: incorrect API key");
  if (!looks_like_secret(secret)) return unknown;
  return authenticate_hash(store, secret.substr(kSecretPrefix.size(), 1 + kIdHex), core::to_hex(core::sha256(secret)), now);
}

Result<ApiKey> authenticate_hash(Store& store, std::string_view id, std::string_view secret_hash, int64_t now) {
  const Error unknown = make_error(ErrorCode::Unauthenticated, "authorization: incorrect API key");
  ONDO_ASSIGN_OR_RETURN(std::optional<ApiKey> key, store.find_api_key(id));
  if (!key || !same_bytes(secret_hash, key->hash)) return unknown;
  if (key->revoked_at) {
    return make_error(ErrorCode::Unauthenticated,
                      "authorization: API key '" + key->id + "' was revoked at " + format_time(*key->revoked_at));
  }
  if (key->expires_at && *key->expires_at <= now) {
    return make_error(ErrorCode::Unauthenticated,
                      "authorization: API key '" + key->id + "' expired at " + format_time(*key->expires_at));
  }
  return std::move(*key);
}

bool allows_model(const ApiKey& key, std::string_view alias) {
  return key.models.empty() || std::find(key.models.begin(), key.models.end(), alias) != key.models.end();
}

std::string format_time(int64_t unix_seconds) {
  const std::time_t t = std::time_t(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace ondo::store
