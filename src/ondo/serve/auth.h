// Access checks of `ondo serve`: API key (Authorization: Bearer, constant-time compare),
// DNS-rebinding defence (Host and Origin must name loopback when no key is set) and the
// bind-address rule (non-loopback needs a key unless --insecure). Layer: serve.
// Pure functions of strings; no HTTP library types.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/serve/cors.h"
#include "ondo/store/store.h"

namespace ondo::serve {

// Compares in time that depends only on the lengths, not on where the bytes differ.
bool constant_time_equal(std::string_view a, std::string_view b);

// "127.0.0.1" (any 127/8), "::1", "[::1]", "localhost" (and *.localhost).
bool is_loopback_name(std::string_view host);

// Host header value "name[:port]" / "[v6]:port" names loopback.
bool is_loopback_host_header(std::string_view host);

// Origin "scheme://host[:port]" names loopback ("null" does not).
bool is_loopback_origin(std::string_view origin);

struct AccessPolicy {
  std::string api_key;  // empty: no key; then Host/Origin must be loopback
  const CorsPolicy* cors = nullptr;  // borrowed, optional: its origins are accepted as loopback ones are
};

// With a key, the caller presents it as `Authorization: Bearer KEY` (OpenAI's clients) or
// `x-api-key: KEY` (Anthropic's clients and others); either matching is enough.
// Errors: Unauthenticated (missing or wrong key), PermissionDenied (non-loopback Host, or an
// Origin neither loopback nor allowed by policy.cors, without a key).
Status check_access(const AccessPolicy& policy, std::string_view authorization, std::string_view x_api_key,
                    std::string_view host, std::optional<std::string_view> origin);

// Who a request is, once let in by authorize().
struct Caller {
  std::string name;  // "local" (no key needed), "api-key" (--api-key), "admin" (--admin-key), "key:<id>"
  std::optional<std::vector<std::string>> models;  // a store key's model list, when it has one
  std::optional<store::ApiKey> key;                 // the store key (its limits), when it is one
};

// The gateway's rules: with a store or an admin key, every non-public route needs a key
// (the static --api-key, the --admin-key, or a live store key); admin routes need the admin
// key. Without them, check_access()'s rules apply.
struct GatewayPolicy {
  AccessPolicy access;
  std::string admin_key;           // empty: the admin API is off
  store::Store* store = nullptr;   // borrowed; null: no store keys
};

// Errors: Unauthenticated (missing or wrong key; a store key that is revoked or expired, with
// when), PermissionDenied (an admin route with the admin API off or a non-admin key; and
// check_access()'s Host/Origin errors); the store's errors as they are.
Result<Caller> authorize(const GatewayPolicy& policy, bool admin_route, std::string_view authorization,
                         std::string_view x_api_key, std::string_view host, std::optional<std::string_view> origin,
                         int64_t now);

// The caller of a web console session (serve/console_session.h), checked again on every use
// without the key itself: `key_id` is the caller name it signed in as ("admin", "api-key",
// "key:<id>") and `key_hash` the hex SHA-256 of the key it signed in with. The admin and
// --api-key sessions end when the server's key changed; a store key's when it was revoked or
// expired. Errors: as authorize() (Unauthenticated naming the reason, PermissionDenied for an
// admin route), the store's errors as they are.
Result<Caller> authorize_session(const GatewayPolicy& policy, bool admin_route, std::string_view key_id,
                                 std::string_view key_hash, int64_t now);

// Errors: InvalidArgument when binding `host` (not loopback) with no key and not insecure.
Status check_bind(std::string_view host, bool has_key, bool insecure);

}  // namespace ondo::serve
