// The numbered schema migrations of both engines: entry i takes the schema from version i to
// i + 1. Append only; never edit a migration that has shipped. Layer: store (internal to it).
#pragma once

#include <array>

namespace ondo::store {

inline constexpr int kSchemaVersion = 1;

inline constexpr std::array<const char*, kSchemaVersion> kSqliteMigrations = {
    // 1: api keys.
    "CREATE TABLE api_keys ("
    " id TEXT PRIMARY KEY NOT NULL, hash TEXT NOT NULL, name TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL, expires_at INTEGER, revoked_at INTEGER,"
    " models TEXT NOT NULL DEFAULT '[]', rpm INTEGER NOT NULL DEFAULT 0, tpm INTEGER NOT NULL DEFAULT 0,"
    " max_concurrent INTEGER NOT NULL DEFAULT 0, budget_tokens INTEGER NOT NULL DEFAULT 0,"
    " budget_period TEXT NOT NULL DEFAULT '', metadata TEXT NOT NULL DEFAULT '{}')",
};

inline constexpr std::array<const char*, kSchemaVersion> kPostgresMigrations = {
    // 1: api keys.
    "CREATE TABLE api_keys ("
    " id TEXT PRIMARY KEY NOT NULL, hash TEXT NOT NULL, name TEXT NOT NULL DEFAULT '',"
    " created_at BIGINT NOT NULL, expires_at BIGINT, revoked_at BIGINT,"
    " models TEXT NOT NULL DEFAULT '[]', rpm BIGINT NOT NULL DEFAULT 0, tpm BIGINT NOT NULL DEFAULT 0,"
    " max_concurrent BIGINT NOT NULL DEFAULT 0, budget_tokens BIGINT NOT NULL DEFAULT 0,"
    " budget_period TEXT NOT NULL DEFAULT '', metadata TEXT NOT NULL DEFAULT '{}')",
};

// The columns of api_keys in the order both engines read them.
inline constexpr const char* kApiKeyColumns =
    "id, hash, name, created_at, expires_at, revoked_at, models, rpm, tpm, max_concurrent, budget_tokens, "
    "budget_period, metadata";

}  // namespace ondo::store
