// The web console's sign-in sessions (issue 19.3) as rows of the store, so a restart or
// another replica keeps a browser signed in; serve/console_session.h decides what they mean.
// Neither the cookie's token nor the key signed in with is stored: only their hex SHA-256.
// Plain data and the SQL both engines share ($n parameters; SQLite reads $1 as ?1).
// Layer: store. No behaviour.
#pragma once

#include <cstdint>
#include <string>

namespace ondo::store {

struct ConsoleSessionRow {
  std::string token_hash;    // hex SHA-256 of the cookie's token: the primary key
  std::string key_id;        // who signed in: "admin", "api-key" or "key:<id>" (serve's caller name)
  std::string key_hash;      // hex SHA-256 of the key signed in with (checked again on use)
  std::string csrf;          // the X-Ondo-CSRF token of the session (64 hex)
  int64_t created_at = 0;    // Unix seconds
  int64_t last_seen_at = 0;  // the last request that moved expires_at
  int64_t expires_at = 0;    // not valid from this time on (sliding: moved on use)

  bool operator==(const ConsoleSessionRow&) const = default;
};

inline constexpr const char* kConsoleSessionColumns =
    "token_hash, key_id, key_hash, csrf, created_at, last_seen_at, expires_at";
inline constexpr const char* kConsoleSessionInsert =
    "INSERT INTO console_sessions (token_hash, key_id, key_hash, csrf, created_at, last_seen_at, expires_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7)";
// $1 token_hash, $2 now.
inline constexpr const char* kConsoleSessionFind =
    "SELECT token_hash, key_id, key_hash, csrf, created_at, last_seen_at, expires_at FROM console_sessions"
    " WHERE token_hash = $1 AND expires_at > $2";
// $1 token_hash, $2 now (last_seen_at), $3 the new expires_at; only a live session moves.
inline constexpr const char* kConsoleSessionTouch =
    "UPDATE console_sessions SET last_seen_at = $2, expires_at = $3 WHERE token_hash = $1 AND expires_at > $2";
inline constexpr const char* kConsoleSessionDelete = "DELETE FROM console_sessions WHERE token_hash = $1";
inline constexpr const char* kConsoleSessionDeleteOfKey = "DELETE FROM console_sessions WHERE key_id = $1";
// $1 now, $2 how many live sessions to keep: the expired ones go, and the oldest live ones
// beyond $2 (newest first by created_at, ties by token_hash).
inline constexpr const char* kConsoleSessionPurge =
    "DELETE FROM console_sessions WHERE expires_at <= $1 OR token_hash IN (SELECT token_hash FROM (SELECT"
    " token_hash, ROW_NUMBER() OVER (ORDER BY created_at DESC, token_hash DESC) AS n FROM console_sessions"
    " WHERE expires_at > $1) AS ranked WHERE n > $2)";

}  // namespace ondo::store
