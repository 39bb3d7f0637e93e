// The fridge app's SQL (store/fridge.h), shared by both engines: $n parameters (SQLite binds
// them by name). Layer: store (internal to it). The tables are migration 9 in migrations.h.
#pragma once

namespace ondo::store {

// The fridge app's statements both engines share ($n parameters; SQLite binds them by name).
inline constexpr const char* kFridgeRecordColumns = "kind, id, household, ref, body, created_at, updated_at";
inline constexpr const char* kFridgeRecordInsert =
    "INSERT INTO fridge_records (kind, id, household, ref, body, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7)";
inline constexpr const char* kFridgeRecordUpdate =
    "UPDATE fridge_records SET household = $3, ref = $4, body = $5, updated_at = $6 WHERE kind = $1 AND id = $2";
inline constexpr const char* kFridgeRecordFind =
    "SELECT kind, id, household, ref, body, created_at, updated_at FROM fridge_records WHERE kind = $1 AND id = $2";
inline constexpr const char* kFridgeRecordList =
    "SELECT kind, id, household, ref, body, created_at, updated_at FROM fridge_records WHERE kind = $1"
    " AND ($2 = '' OR household = $2) AND ($3 = '' OR ref = $3) ORDER BY created_at, id";
inline constexpr const char* kFridgeRecordDelete = "DELETE FROM fridge_records WHERE kind = $1 AND id = $2";
inline constexpr const char* kFridgeAlertColumns =
    "key, household, url, body, created_ms, next_attempt_ms, attempts, delivered_ms, last_error";
inline constexpr const char* kFridgeAlertInsert =
    "INSERT INTO fridge_alerts (key, household, url, body, created_ms, next_attempt_ms, attempts, delivered_ms,"
    " last_error) VALUES ($1, $2, $3, $4, $5, $6, 0, NULL, '') ON CONFLICT (key) DO NOTHING";
inline constexpr const char* kFridgeAlertDue =
    "SELECT key, household, url, body, created_ms, next_attempt_ms, attempts, delivered_ms, last_error"
    " FROM fridge_alerts WHERE delivered_ms IS NULL AND next_attempt_ms <= $1 ORDER BY next_attempt_ms, key LIMIT $2";
inline constexpr const char* kFridgeAlertFind =
    "SELECT key, household, url, body, created_ms, next_attempt_ms, attempts, delivered_ms, last_error"
    " FROM fridge_alerts WHERE key = $1";
inline constexpr const char* kFridgeAlertUpdate =
    "UPDATE fridge_alerts SET attempts = $2, next_attempt_ms = $3, delivered_ms = $4, last_error = $5 WHERE key = $1";

// The tables: migration 9 of each engine (migrations.h).
inline constexpr const char* kFridgeSqliteMigration =
    "CREATE TABLE fridge_records (kind TEXT NOT NULL, id TEXT NOT NULL, household TEXT NOT NULL, ref TEXT NOT NULL,"
    " body TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (kind, id));"
    " CREATE INDEX fridge_records_household ON fridge_records (kind, household, created_at);"
    " CREATE INDEX fridge_records_ref ON fridge_records (kind, ref);"
    " CREATE TABLE fridge_alerts (key TEXT PRIMARY KEY NOT NULL, household TEXT NOT NULL, url TEXT NOT NULL,"
    " body TEXT NOT NULL, created_ms INTEGER NOT NULL, next_attempt_ms INTEGER NOT NULL, attempts INTEGER NOT NULL,"
    " delivered_ms INTEGER, last_error TEXT NOT NULL);"
    " CREATE INDEX fridge_alerts_due ON fridge_alerts (next_attempt_ms) WHERE delivered_ms IS NULL";
inline constexpr const char* kFridgePostgresMigration =
    "DO $$ BEGIN CREATE TABLE fridge_records (kind TEXT NOT NULL, id TEXT NOT NULL, household TEXT NOT NULL,"
    " ref TEXT NOT NULL, body TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,"
    " PRIMARY KEY (kind, id));"
    " CREATE INDEX fridge_records_household ON fridge_records (kind, household, created_at);"
    " CREATE INDEX fridge_records_ref ON fridge_records (kind, ref);"
    " CREATE TABLE fridge_alerts (key TEXT PRIMARY KEY NOT NULL, household TEXT NOT NULL, url TEXT NOT NULL,"
    " body TEXT NOT NULL, created_ms BIGINT NOT NULL, next_attempt_ms BIGINT NOT NULL, attempts INTEGER NOT NULL,"
    " delivered_ms BIGINT, last_error TEXT NOT NULL);"
    " CREATE INDEX fridge_alerts_due ON fridge_alerts (next_attempt_ms) WHERE delivered_ms IS NULL;"
    " END $$";

}  // namespace ondo::store
