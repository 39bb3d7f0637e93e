// Web console sessions: signing in with a key (the admin key or a store key) gives an opaque
// session token, sent back as an httpOnly cookie, and a CSRF token the page sends in the
// X-Ondo-CSRF header on every cookie-authenticated request that changes something. The server
// keeps the key of each session in memory and checks it again on every request (a revoked store
// key stops working at once). Layer: serve.
// Thread contract: ConsoleSessions is safe from any thread (one mutex); the helpers are pure.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "ondo/core/result.h"

namespace ondo::serve {

inline constexpr std::string_view kSessionCookie = "ondo_session";
inline constexpr std::string_view kCsrfHeader = "X-Ondo-CSRF";
inline constexpr int64_t kSessionLifetimeS = 12 * 3600;  // from sign-in; then sign in again
inline constexpr size_t kMaxSessions = 10000;             // the oldest go first beyond this

struct ConsoleSession {
  std::string key;      // the key signed in with (never sent back to the page)
  std::string caller;   // authorize()'s name: "admin", "api-key", "key:<id>"
  std::string csrf;     // 64 hex digits
  int64_t created_at = 0;
  int64_t expires_at = 0;
};

class ConsoleSessions {
 public:
  struct Opened {
    std::string token;  // 64 hex digits: the cookie's value
    ConsoleSession session;
  };
  // A new session for `key` (already checked by the caller). Errors: Internal when the system's
  // random source fails.
  Result<Opened> open(std::string key, std::string caller, int64_t now);
  // The live session of `token`, or nullopt (unknown, signed out or expired; expired ones are dropped).
  std::optional<ConsoleSession> find(std::string_view token, int64_t now);
  // Signs out; returns whether the session existed.
  bool close(std::string_view token);
  size_t size() const;

 private:
  mutable std::mutex mu_;
  // Keyed by the hex SHA-256 of the token, so the table never holds a usable cookie value.
  std::map<std::string, ConsoleSession> sessions_;  // guarded by mu_
};

// The value of cookie `name` in a Cookie header ("a=1; ondo_session=abc"), or nullopt.
std::optional<std::string_view> cookie_value(std::string_view cookie_header, std::string_view name);

// The Set-Cookie value that stores `token`: Path=/, HttpOnly, SameSite=Strict, Max-Age, and
// Secure when the page was loaded over https (`secure`).
std::string session_cookie(std::string_view token, bool secure);
// The Set-Cookie value that deletes the session cookie.
std::string cleared_session_cookie(bool secure);

// Whether the request reached us over https: X-Forwarded-Proto "https" (a TLS proxy in front)
// or an Origin that starts with "https://".
bool request_is_https(std::string_view forwarded_proto, std::string_view origin);

// Whether `method` can change something (anything but GET, HEAD and OPTIONS): such requests
// need the CSRF header when authenticated by the cookie.
bool method_needs_csrf(std::string_view method);

// Whether an Origin header value names the same host and port as the Host header
// ("http://127.0.0.1:8080" and "127.0.0.1:8080"); the scheme is not compared (a TLS proxy may
// sit in front).
bool same_origin(std::string_view origin, std::string_view host);

}  // namespace ondo::serve
