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
    // 2: limits: a money budget per key; budget spend per (key, period), written through from
    // the in-memory counters (minute windows and leases stay in memory).
    "ALTER TABLE api_keys ADD COLUMN budget_nano_usd INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE limit_spend (key_id TEXT NOT NULL, period_start INTEGER NOT NULL,"
    " tokens INTEGER NOT NULL DEFAULT 0, nano_usd INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (key_id, period_start))",
};

inline constexpr std::array<const char*, kSchemaVersion> kPostgresMigrations = {
    // 1: api keys.
    "CREATE TABLE api_keys ("
    " id TEXT PRIMARY KEY NOT NULL, hash TEXT NOT NULL, name TEXT NOT NULL DEFAULT '',"
    " created_at BIGINT NOT NULL, expires_at BIGINT, revoked_at BIGINT,"
    " models TEXT NOT NULL DEFAULT '[]', rpm BIGINT NOT NULL DEFAULT 0, tpm BIGINT NOT NULL DEFAULT 0,"
    " max_concurrent BIGINT NOT NULL DEFAULT 0, budget_tokens BIGINT NOT NULL DEFAULT 0,"
    " budget_period TEXT NOT NULL DEFAULT '', metadata TEXT NOT NULL DEFAULT '{}')",
    // 2: limits, one counter for every replica: requests and tokens per (key, minute window),
    // in-flight leases with an expiry, spend per (key, budget period). One statement (a DO
    // block): the engine runs each migration as one.
    "DO $$ BEGIN"
    " ALTER TABLE api_keys ADD COLUMN budget_nano_usd BIGINT NOT NULL DEFAULT 0;"
    " CREATE TABLE limit_windows (key_id TEXT NOT NULL, window_start BIGINT NOT NULL,"
    "  requests BIGINT NOT NULL DEFAULT 0, tokens BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (key_id, window_start));"
    " CREATE TABLE limit_leases (key_id TEXT NOT NULL, lease_id TEXT NOT NULL, expires_at BIGINT NOT NULL,"
    "  PRIMARY KEY (key_id, lease_id));"
    " CREATE TABLE limit_spend (key_id TEXT NOT NULL, period_start BIGINT NOT NULL,"
    "  tokens BIGINT NOT NULL DEFAULT 0, nano_usd BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (key_id, period_start));"
    " END $$",
};

// The columns of api_keys in the order both engines read them.
inline constexpr const char* kApiKeyColumns =
    "id, hash, name, created_at, expires_at, revoked_at, models, rpm, tpm, max_concurrent, budget_tokens, "
    "budget_period, metadata, budget_nano_usd";

}  // namespace ondo::store
