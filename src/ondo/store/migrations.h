// The numbered schema migrations of both engines: entry i takes the schema from version i to
// i + 1. Append only; never edit a migration that has shipped. Layer: store (internal to it).
#pragma once

#include <array>

namespace ondo::store {

inline constexpr int kSchemaVersion = 2;

inline constexpr std::array<const char*, kSchemaVersion> kSqliteMigrations = {
    // 1: api keys.
    "CREATE TABLE api_keys ("
    " id TEXT PRIMARY KEY NOT NULL, hash TEXT NOT NULL, name TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL, expires_at INTEGER, revoked_at INTEGER,"
    " models TEXT NOT NULL DEFAULT '[]', rpm INTEGER NOT NULL DEFAULT 0, tpm INTEGER NOT NULL DEFAULT 0,"
    " max_concurrent INTEGER NOT NULL DEFAULT 0, budget_tokens INTEGER NOT NULL DEFAULT 0,"
    " budget_period TEXT NOT NULL DEFAULT '', metadata TEXT NOT NULL DEFAULT '{}')",
    // 2: the response cache (one statement: PostgreSQL runs each entry as one).
    "CREATE TABLE response_cache ("
    " key TEXT PRIMARY KEY NOT NULL, model TEXT NOT NULL, body TEXT NOT NULL, size INTEGER NOT NULL,"
    " created_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL, last_used_ms INTEGER NOT NULL,"
    " hits INTEGER NOT NULL DEFAULT 0)",
};

inline constexpr std::array<const char*, kSchemaVersion> kPostgresMigrations = {
    // 1: api keys.
    "CREATE TABLE api_keys ("
    " id TEXT PRIMARY KEY NOT NULL, hash TEXT NOT NULL, name TEXT NOT NULL DEFAULT '',"
    " created_at BIGINT NOT NULL, expires_at BIGINT, revoked_at BIGINT,"
    " models TEXT NOT NULL DEFAULT '[]', rpm BIGINT NOT NULL DEFAULT 0, tpm BIGINT NOT NULL DEFAULT 0,"
    " max_concurrent BIGINT NOT NULL DEFAULT 0, budget_tokens BIGINT NOT NULL DEFAULT 0,"
    " budget_period TEXT NOT NULL DEFAULT '', metadata TEXT NOT NULL DEFAULT '{}')",
    // 2: the response cache.
    "CREATE TABLE response_cache ("
    " key TEXT PRIMARY KEY NOT NULL, model TEXT NOT NULL, body TEXT NOT NULL, size BIGINT NOT NULL,"
    " created_ms BIGINT NOT NULL, expires_ms BIGINT NOT NULL, last_used_ms BIGINT NOT NULL,"
    " hits BIGINT NOT NULL DEFAULT 0)",
};

// The columns of api_keys in the order both engines read them.
inline constexpr const char* kApiKeyColumns =
    "id, hash, name, created_at, expires_at, revoked_at, models, rpm, tpm, max_concurrent, budget_tokens, "
    "budget_period, metadata";

// The response cache: the columns both engines read, and the statements they share ($n
// parameters; SQLite reads $1 as ?1).
inline constexpr const char* kCacheColumns = "key, model, body, created_ms, expires_ms, last_used_ms, hits";
// $1 key, $2 now_ms.
inline constexpr const char* kCacheHit =
    "UPDATE response_cache SET last_used_ms = $2, hits = hits + 1 WHERE key = $1 AND expires_ms > $2"
    " RETURNING key, model, body, created_ms, expires_ms, last_used_ms, hits";
// $1 key, $2 model, $3 body, $4 size, $5 created_ms, $6 expires_ms, $7 last_used_ms.
inline constexpr const char* kCachePut =
    "INSERT INTO response_cache (key, model, body, size, created_ms, expires_ms, last_used_ms, hits)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, 0) ON CONFLICT (key) DO UPDATE SET model = excluded.model,"
    " body = excluded.body, size = excluded.size, created_ms = excluded.created_ms,"
    " expires_ms = excluded.expires_ms, last_used_ms = excluded.last_used_ms, hits = 0";
// $1 now_ms, $2 max_bytes: drops the expired entries and, of the live ones ordered most
// recently used first, every one from where the running total passes max_bytes (which is
// evicting least recently used first until the rest fits).
inline constexpr const char* kCacheEvict =
    "DELETE FROM response_cache WHERE expires_ms <= $1 OR key IN (SELECT key FROM (SELECT key,"
    " SUM(size) OVER (ORDER BY last_used_ms DESC, created_ms DESC, key DESC ROWS UNBOUNDED PRECEDING) AS running"
    " FROM response_cache WHERE expires_ms > $1) AS ranked WHERE running > $2)";
inline constexpr const char* kCacheTotals = "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM response_cache";

}  // namespace ondo::store
