// Web console sessions: signing in with a key (the admin key or a store key) gives an opaque
// session token, sent back as an httpOnly cookie, and a CSRF token the page sends in the
// X-Ondo-CSRF header on every cookie-authenticated request that changes something. A session
// keeps who signed in and the SHA-256 of the key (never the key, never the token): the key is
// checked again on every request (serve/auth.h authorize_session: a revoked store key stops
// working at once). With a store the sessions are its rows (store/console_sessions.h), so a
// restart or another replica keeps the browser signed in; without one they are held in memory.
// Expiry slides: a session unused for kSessionIdleS ends, and none outlives kSessionMaxS.
// Layer: serve.
// Thread contract: ConsoleSessions is safe from any thread (one mutex; the store is); the
// helpers are pure.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "ondo/core/result.h"
#include "ondo/store/store.h"

namespace ondo::serve {

inline constexpr std::string_view kSessionCookie = "ondo_session";
inline constexpr std::string_view kCsrfHeader = "X-Ondo-CSRF";
inline constexpr int64_t kSessionIdleS = 12 * 3600;     // unused this long: signed out
inline constexpr int64_t kSessionMaxS = 7 * 24 * 3600;  // from sign-in, however used; the cookie's Max-Age
inline constexpr int64_t kSessionTouchS = 60;           // the expiry moves (a write) at most once a minute
inline constexpr size_t kMaxSessions = 10000;           // the oldest go first beyond this

struct ConsoleSession {
  std::string key_id;    // who signed in, authorize()'s name: "admin", "api-key", "key:<id>"
  std::string key_hash;  // hex SHA-256 of the key signed in with
  std::string csrf;      // 64 hex digits
  int64_t created_at = 0;
  int64_t last_seen_at = 0;
  int64_t expires_at = 0;
};

// The expiry of a session created at `created_at` and used at `now`.
int64_t session_expiry(int64_t created_at, int64_t now);

class ConsoleSessions {
 public:
  // `store` (borrowed, may be null: memory) holds the sessions when given.
  explicit ConsoleSessions(store::Store* store = nullptr) : store_(store) {}

  struct Opened {
    std::string token;  // 64 hex digits: the cookie's value
    ConsoleSession session;
  };
  // A new session of caller `key_id` who signed in with `key` (already checked by the caller);
  // expired sessions are purged, and the oldest beyond kMaxSessions. Errors: Internal when the
  // system's random source fails; the store's errors.
  Result<Opened> open(std::string_view key, std::string key_id, int64_t now);
  // The live session of `token`, or nullopt (unknown, signed out or expired); moves its expiry
  // (sliding) when it was last moved kSessionTouchS ago or more. Errors: the store's.
  Result<std::optional<ConsoleSession>> find(std::string_view token, int64_t now);
  // Signs out; returns whether the session existed. Errors: the store's.
  Result<bool> close(std::string_view token);
  // Ends every session of caller `key_id` (its key was revoked); how many. Errors: the store's.
  Result<int64_t> close_all_of(std::string_view key_id);

 private:
  store::Store* store_;
  mutable std::mutex mu_;
  // Memory only (no store): keyed by the hex SHA-256 of the token, so the table never holds a
  // usable cookie value.
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
