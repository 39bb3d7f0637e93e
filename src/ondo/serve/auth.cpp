// API key, Host/Origin and bind checks. Layer: serve.
#include "ondo/serve/auth.h"

#include "ondo/core/sha256.h"
#include "ondo/store/api_keys.h"

#include <algorithm>
#include <cctype>

namespace ondo::serve {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return out;
}

bool is_ipv4_loopback(std::string_view h) {
  // Four dotted decimal octets, the first 127.
  int parts = 0;
  size_t i = 0;
  while (i <= h.size()) {
    size_t j = h.find('.', i);
    if (j == std::string_view::npos) j = h.size();
    const std::string_view part = h.substr(i, j - i);
    if (part.empty() || part.size() > 3) return false;
    int v = 0;
    for (char c : part) {
      if (!std::isdigit((unsigned char)c)) return false;
      v = v * 10 + (c - '0');
    }
    if (v > 255 || (parts == 0 && v != 127)) return false;
    ++parts;
    i = j + 1;
    if (j == h.size()) break;
  }
  return parts == 4;
}

}  // namespace

bool constant_time_equal(std::string_view a, std::string_view b) {
  // Walk the longer length fully so the time does not reveal a common prefix.
  const size_t n = std::max(a.size(), b.size());
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? (unsigned char)a[i] : 0;
    const unsigned char y = i < b.size() ? (unsigned char)b[i] : 0;
    diff |= (unsigned char)(x ^ y);
  }
  return diff == 0;
}

bool is_loopback_name(std::string_view host) {
  const std::string h = lower(host);
  if (h == "localhost" || (h.size() > 10 && h.ends_with(".localhost"))) return true;
  if (h == "::1" || h == "[::1]") return true;
  return is_ipv4_loopback(h);
}

bool is_loopback_host_header(std::string_view host) {
  if (host.empty()) return false;
  std::string_view name = host;
  if (name.front() == '[') {
    const size_t close = name.find(']');
    if (close == std::string_view::npos) return false;
    const std::string_view rest = name.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return false;
    name = name.substr(0, close + 1);
  } else if (const size_t colon = name.rfind(':'); colon != std::string_view::npos) {
    name = name.substr(0, colon);
  }
  return is_loopback_name(name);
}

bool is_loopback_origin(std::string_view origin) {
  const size_t sep = origin.find("://");
  if (sep == std::string_view::npos) return false;
  const std::string scheme = lower(origin.substr(0, sep));
  if (scheme != "http" && scheme != "https") return false;
  std::string_view rest = origin.substr(sep + 3);
  if (const size_t slash = rest.find('/'); slash != std::string_view::npos) rest = rest.substr(0, slash);
  return is_loopback_host_header(rest);
}

namespace {

// The keys a request presents: `Authorization: Bearer KEY` and `x-api-key: KEY` (either may be
// empty); a request may send both, and either one matching is enough.
struct PresentedKeys {
  std::string_view keys[2];
  bool none_sent = true;  // neither header was sent ("Authorization: Basic ..." was sent: a wrong key)
  bool empty() const { return none_sent; }
};

PresentedKeys presented_keys(std::string_view authorization, std::string_view x_api_key) {
  constexpr std::string_view kBearer = "bearer ";
  const bool bearer = authorization.size() >= kBearer.size() && lower(authorization.substr(0, kBearer.size())) == kBearer;
  return {{bearer ? authorization.substr(kBearer.size()) : std::string_view(), x_api_key},
          authorization.empty() && x_api_key.empty()};
}

Error missing_key() {
  return make_error(ErrorCode::Unauthenticated,
                    "authorization: missing API key (expected 'Authorization: Bearer KEY' or 'x-api-key: KEY')");
}

}  // namespace

Status check_access(const AccessPolicy& policy, std::string_view authorization, std::string_view x_api_key,
                    std::string_view host, std::optional<std::string_view> origin) {
  if (!policy.api_key.empty()) {
    const PresentedKeys keys = presented_keys(authorization, x_api_key);
    if (keys.empty()) return missing_key();
    for (std::string_view key : keys.keys) {
      if (!key.empty() && constant_time_equal(key, policy.api_key)) return ok_status();
    }
    return make_error(ErrorCode::Unauthenticated, "authorization: incorrect API key");
  }
  if (!is_loopback_host_header(host)) {
    return make_error(ErrorCode::PermissionDenied,
                      "host: '" + std::string(host.substr(0, 200)) + "' is not a loopback name (the server has no API key)");
  }
  if (origin && !is_loopback_origin(*origin) && !(policy.cors && origin_allowed(*policy.cors, *origin))) {
    return make_error(ErrorCode::PermissionDenied,
                      "origin: '" + std::string(origin->substr(0, 200)) +
                          "' is not a loopback origin nor one given by --cors-origin (the server has no API key)");
  }
  return ok_status();
}

Result<Caller> authorize(const GatewayPolicy& policy, bool admin_route, std::string_view authorization,
                         std::string_view x_api_key, std::string_view host, std::optional<std::string_view> origin,
                         int64_t now) {
  if (admin_route && policy.admin_key.empty()) {  // whatever other key is set
    return make_error(ErrorCode::PermissionDenied, "admin API: disabled (start ondo serve with --admin-key)");
  }
  const bool gateway = policy.store || !policy.admin_key.empty();
  if (!gateway) {
    ONDO_TRY(check_access(policy.access, authorization, x_api_key, host, origin));
    return Caller{policy.access.api_key.empty() ? "local" : "api-key", std::nullopt};
  }
  const PresentedKeys keys = presented_keys(authorization, x_api_key);
  if (keys.empty()) return missing_key();
  std::optional<Error> store_refusal;  // a store key that is revoked, expired, ... (said over "incorrect")
  for (std::string_view key : keys.keys) {
    if (key.empty()) continue;
    if (!policy.admin_key.empty() && constant_time_equal(key, policy.admin_key)) return Caller{"admin", std::nullopt};
    if (admin_route) continue;
    if (!policy.access.api_key.empty() && constant_time_equal(key, policy.access.api_key)) return Caller{"api-key", std::nullopt};
    if (policy.store && store::looks_like_secret(key)) {
      auto k = store::authenticate(*policy.store, key, now);
      if (!k.ok()) {
        if (!store_refusal) store_refusal = k.error();
        continue;
      }
      Caller c{"key:" + k->id, std::nullopt, *k};
      if (!k->models.empty()) c.models = std::move(k->models);
      return c;
    }
  }
  if (admin_route) return make_error(ErrorCode::PermissionDenied, "admin API: this key is not the admin key");
  if (store_refusal) return *store_refusal;
  return make_error(ErrorCode::Unauthenticated, "authorization: incorrect API key");
}

Result<Caller> authorize_session(const GatewayPolicy& policy, bool admin_route, std::string_view key_id,
                                 std::string_view key_hash, int64_t now) {
  if (admin_route && policy.admin_key.empty()) {
    return make_error(ErrorCode::PermissionDenied, "admin API: disabled (start ondo serve with --admin-key)");
  }
  auto same_key = [&](const std::string& key) {
    return !key.empty() && constant_time_equal(core::to_hex(core::sha256(key)), key_hash);
  };
  const bool gateway = policy.store || !policy.admin_key.empty();
  if (key_id == "admin") {
    if (same_key(policy.admin_key)) return Caller{"admin", std::nullopt};
    return make_error(ErrorCode::Unauthenticated, "console session: the admin key changed since sign-in (sign in again)");
  }
  if (admin_route) return make_error(ErrorCode::PermissionDenied, "admin API: this key is not the admin key");
  if (key_id == "api-key") {
    if (same_key(policy.access.api_key)) return Caller{"api-key", std::nullopt};
    return make_error(ErrorCode::Unauthenticated, "console session: the API key changed since sign-in (sign in again)");
  }
  constexpr std::string_view kStoreKey = "key:";
  if (gateway && policy.store && key_id.starts_with(kStoreKey)) {
    ONDO_ASSIGN_OR_RETURN(store::ApiKey k, store::authenticate_hash(*policy.store, key_id.substr(kStoreKey.size()), key_hash, now));
    Caller c{"key:" + k.id, std::nullopt, k};
    if (!k.models.empty()) c.models = std::move(k.models);
    return c;
  }
  return make_error(ErrorCode::Unauthenticated, "console session: signed in as '" + std::string(key_id.substr(0, 100)) +
                                                    "', which this server does not know (sign in again)");
}

Status check_bind(std::string_view host, bool has_key, bool insecure) {
  if (is_loopback_name(host) || has_key || insecure) return ok_status();
  return make_error(ErrorCode::InvalidArgument,
                    "--host " + std::string(host) +
                        ": refusing to listen on a non-loopback address without an API key (give --api-key or "
                        "--api-key-file, or --insecure to allow it)");
}

}  // namespace ondo::serve
