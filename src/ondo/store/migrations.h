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
    // 2: guardrail policies, attachments and decisions.
    "CREATE TABLE guardrail_policies (name TEXT PRIMARY KEY NOT NULL, body TEXT NOT NULL,"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
    "CREATE TABLE guardrail_attachments (scope TEXT NOT NULL, target TEXT NOT NULL DEFAULT '',"
    " policy TEXT NOT NULL REFERENCES guardrail_policies(name) ON DELETE CASCADE, created_at INTEGER NOT NULL,"
    " PRIMARY KEY (scope, target, policy));"
    "CREATE TABLE guardrail_decisions (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL,"
    " request_id TEXT NOT NULL, key_id TEXT NOT NULL DEFAULT '', policy TEXT NOT NULL, rule TEXT NOT NULL,"
    " reason TEXT NOT NULL, stage TEXT NOT NULL, action TEXT NOT NULL, span_begin INTEGER NOT NULL,"
    " span_end INTEGER NOT NULL);"
    "CREATE INDEX guardrail_decisions_request ON guardrail_decisions (request_id);"
    "CREATE INDEX guardrail_decisions_at ON guardrail_decisions (at)",
};

inline constexpr std::array<const char*, kSchemaVersion> kPostgresMigrations = {
    // 1: api keys.
    "CREATE TABLE api_keys ("
    " id TEXT PRIMARY KEY NOT NULL, hash TEXT NOT NULL, name TEXT NOT NULL DEFAULT '',"
    " created_at BIGINT NOT NULL, expires_at BIGINT, revoked_at BIGINT,"
    " models TEXT NOT NULL DEFAULT '[]', rpm BIGINT NOT NULL DEFAULT 0, tpm BIGINT NOT NULL DEFAULT 0,"
    " max_concurrent BIGINT NOT NULL DEFAULT 0, budget_tokens BIGINT NOT NULL DEFAULT 0,"
    " budget_period TEXT NOT NULL DEFAULT '', metadata TEXT NOT NULL DEFAULT '{}')",
    // 2: guardrail policies, attachments and decisions (one DO block: PQexecParams runs one command).
    "DO $$ BEGIN "
    "CREATE TABLE guardrail_policies (name TEXT PRIMARY KEY NOT NULL, body TEXT NOT NULL,"
    " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);"
    "CREATE TABLE guardrail_attachments (scope TEXT NOT NULL, target TEXT NOT NULL DEFAULT '',"
    " policy TEXT NOT NULL REFERENCES guardrail_policies(name) ON DELETE CASCADE, created_at BIGINT NOT NULL,"
    " PRIMARY KEY (scope, target, policy));"
    "CREATE TABLE guardrail_decisions (id BIGSERIAL PRIMARY KEY, at BIGINT NOT NULL,"
    " request_id TEXT NOT NULL, key_id TEXT NOT NULL DEFAULT '', policy TEXT NOT NULL, rule TEXT NOT NULL,"
    " reason TEXT NOT NULL, stage TEXT NOT NULL, action TEXT NOT NULL, span_begin BIGINT NOT NULL,"
    " span_end BIGINT NOT NULL);"
    "CREATE INDEX guardrail_decisions_request ON guardrail_decisions (request_id);"
    "CREATE INDEX guardrail_decisions_at ON guardrail_decisions (at); "
    "END $$",
};

// The columns of api_keys in the order both engines read them.
inline constexpr const char* kApiKeyColumns =
    "id, hash, name, created_at, expires_at, revoked_at, models, rpm, tpm, max_concurrent, budget_tokens, "
    "budget_period, metadata";

}  // namespace ondo::store

namespace ondo::store {
// The columns of guardrail_decisions in the order both engines read them.
inline constexpr const char* kGuardrailDecisionColumns =
    "id, at, request_id, key_id, policy, rule, reason, stage, action, span_begin, span_end";
}  // namespace ondo::store
