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
    // 2: usage rows and their daily rollups (store/usage.h).
    "CREATE TABLE usage_rows ("
    " seq INTEGER PRIMARY KEY NOT NULL, time_ms INTEGER NOT NULL, request_id TEXT NOT NULL, key_id TEXT NOT NULL,"
    " model TEXT NOT NULL, adapter TEXT NOT NULL, prompt TEXT NOT NULL, route TEXT NOT NULL, status INTEGER NOT NULL,"
    " prompt_tokens INTEGER NOT NULL, cached_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL,"
    " ttft_us INTEGER NOT NULL, duration_us INTEGER NOT NULL, cost_nano_usd INTEGER NOT NULL, finish_reason TEXT NOT NULL);"
    "CREATE INDEX usage_rows_time ON usage_rows (time_ms);"
    "CREATE INDEX usage_rows_key_time ON usage_rows (key_id, time_ms);"
    "CREATE TABLE usage_daily ("
    " day INTEGER NOT NULL, key_id TEXT NOT NULL, model TEXT NOT NULL, prompt TEXT NOT NULL, route TEXT NOT NULL,"
    " requests INTEGER NOT NULL, errors INTEGER NOT NULL, prompt_tokens INTEGER NOT NULL, cached_tokens INTEGER NOT NULL,"
    " completion_tokens INTEGER NOT NULL, cost_nano_usd INTEGER NOT NULL, duration_us_sum INTEGER NOT NULL,"
    " ttft_us_sum INTEGER NOT NULL, ttft_count INTEGER NOT NULL, max_duration_us INTEGER NOT NULL,"
    " lat0 INTEGER NOT NULL DEFAULT 0, lat1 INTEGER NOT NULL DEFAULT 0, lat2 INTEGER NOT NULL DEFAULT 0, lat3 INTEGER NOT NULL DEFAULT 0, lat4 INTEGER NOT NULL DEFAULT 0, lat5 INTEGER NOT NULL DEFAULT 0, lat6 INTEGER NOT NULL DEFAULT 0, lat7 INTEGER NOT NULL DEFAULT 0, lat8 INTEGER NOT NULL DEFAULT 0, lat9 INTEGER NOT NULL DEFAULT 0, lat10 INTEGER NOT NULL DEFAULT 0, lat11 INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (day, key_id, model, prompt, route)) WITHOUT ROWID;"  // clustered by day: range scans read in order
    // The same per month (day: the month's first day), for long ranges.
    "CREATE TABLE usage_monthly ("
    " day INTEGER NOT NULL, key_id TEXT NOT NULL, model TEXT NOT NULL, prompt TEXT NOT NULL, route TEXT NOT NULL,"
    " requests INTEGER NOT NULL, errors INTEGER NOT NULL, prompt_tokens INTEGER NOT NULL, cached_tokens INTEGER NOT NULL,"
    " completion_tokens INTEGER NOT NULL, cost_nano_usd INTEGER NOT NULL, duration_us_sum INTEGER NOT NULL,"
    " ttft_us_sum INTEGER NOT NULL, ttft_count INTEGER NOT NULL, max_duration_us INTEGER NOT NULL,"
    " lat0 INTEGER NOT NULL DEFAULT 0, lat1 INTEGER NOT NULL DEFAULT 0, lat2 INTEGER NOT NULL DEFAULT 0, lat3 INTEGER NOT NULL DEFAULT 0, lat4 INTEGER NOT NULL DEFAULT 0, lat5 INTEGER NOT NULL DEFAULT 0, lat6 INTEGER NOT NULL DEFAULT 0, lat7 INTEGER NOT NULL DEFAULT 0, lat8 INTEGER NOT NULL DEFAULT 0, lat9 INTEGER NOT NULL DEFAULT 0, lat10 INTEGER NOT NULL DEFAULT 0, lat11 INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (day, key_id, model, prompt, route)) WITHOUT ROWID",
};

inline constexpr std::array<const char*, kSchemaVersion> kPostgresMigrations = {
    // 1: api keys.
    "CREATE TABLE api_keys ("
    " id TEXT PRIMARY KEY NOT NULL, hash TEXT NOT NULL, name TEXT NOT NULL DEFAULT '',"
    " created_at BIGINT NOT NULL, expires_at BIGINT, revoked_at BIGINT,"
    " models TEXT NOT NULL DEFAULT '[]', rpm BIGINT NOT NULL DEFAULT 0, tpm BIGINT NOT NULL DEFAULT 0,"
    " max_concurrent BIGINT NOT NULL DEFAULT 0, budget_tokens BIGINT NOT NULL DEFAULT 0,"
    " budget_period TEXT NOT NULL DEFAULT '', metadata TEXT NOT NULL DEFAULT '{}')",
    // 2: usage rows and their daily rollups (store/usage.h); one DO block (one statement per migration).
    "DO $$ BEGIN CREATE TABLE usage_rows ("
    " seq BIGSERIAL PRIMARY KEY, time_ms BIGINT NOT NULL, request_id TEXT NOT NULL, key_id TEXT NOT NULL,"
    " model TEXT NOT NULL, adapter TEXT NOT NULL, prompt TEXT NOT NULL, route TEXT NOT NULL, status BIGINT NOT NULL,"
    " prompt_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL,"
    " ttft_us BIGINT NOT NULL, duration_us BIGINT NOT NULL, cost_nano_usd BIGINT NOT NULL, finish_reason TEXT NOT NULL);"
    "CREATE INDEX usage_rows_time ON usage_rows (time_ms);"
    "CREATE INDEX usage_rows_key_time ON usage_rows (key_id, time_ms);"
    "CREATE TABLE usage_daily ("
    " day BIGINT NOT NULL, key_id TEXT NOT NULL, model TEXT NOT NULL, prompt TEXT NOT NULL, route TEXT NOT NULL,"
    " requests BIGINT NOT NULL, errors BIGINT NOT NULL, prompt_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL,"
    " completion_tokens BIGINT NOT NULL, cost_nano_usd BIGINT NOT NULL, duration_us_sum BIGINT NOT NULL,"
    " ttft_us_sum BIGINT NOT NULL, ttft_count BIGINT NOT NULL, max_duration_us BIGINT NOT NULL,"
    " lat0 BIGINT NOT NULL DEFAULT 0, lat1 BIGINT NOT NULL DEFAULT 0, lat2 BIGINT NOT NULL DEFAULT 0, lat3 BIGINT NOT NULL DEFAULT 0, lat4 BIGINT NOT NULL DEFAULT 0, lat5 BIGINT NOT NULL DEFAULT 0, lat6 BIGINT NOT NULL DEFAULT 0, lat7 BIGINT NOT NULL DEFAULT 0, lat8 BIGINT NOT NULL DEFAULT 0, lat9 BIGINT NOT NULL DEFAULT 0, lat10 BIGINT NOT NULL DEFAULT 0, lat11 BIGINT NOT NULL DEFAULT 0,"
    " PRIMARY KEY (day, key_id, model, prompt, route));"
    "CREATE TABLE usage_monthly ("
    " day BIGINT NOT NULL, key_id TEXT NOT NULL, model TEXT NOT NULL, prompt TEXT NOT NULL, route TEXT NOT NULL,"
    " requests BIGINT NOT NULL, errors BIGINT NOT NULL, prompt_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL,"
    " completion_tokens BIGINT NOT NULL, cost_nano_usd BIGINT NOT NULL, duration_us_sum BIGINT NOT NULL,"
    " ttft_us_sum BIGINT NOT NULL, ttft_count BIGINT NOT NULL, max_duration_us BIGINT NOT NULL,"
    " lat0 BIGINT NOT NULL DEFAULT 0, lat1 BIGINT NOT NULL DEFAULT 0, lat2 BIGINT NOT NULL DEFAULT 0, lat3 BIGINT NOT NULL DEFAULT 0, lat4 BIGINT NOT NULL DEFAULT 0, lat5 BIGINT NOT NULL DEFAULT 0, lat6 BIGINT NOT NULL DEFAULT 0, lat7 BIGINT NOT NULL DEFAULT 0, lat8 BIGINT NOT NULL DEFAULT 0, lat9 BIGINT NOT NULL DEFAULT 0, lat10 BIGINT NOT NULL DEFAULT 0, lat11 BIGINT NOT NULL DEFAULT 0,"
    " PRIMARY KEY (day, key_id, model, prompt, route));"
    " END $$",
};

// The columns of api_keys in the order both engines read them.
inline constexpr const char* kApiKeyColumns =
    "id, hash, name, created_at, expires_at, revoked_at, models, rpm, tpm, max_concurrent, budget_tokens, "
    "budget_period, metadata";

}  // namespace ondo::store
