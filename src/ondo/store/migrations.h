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
    // 2: the prompt registry (prompts, immutable versions, labels).
    "CREATE TABLE prompts (name TEXT PRIMARY KEY NOT NULL, description TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL);"
    "CREATE TABLE prompt_versions (prompt TEXT NOT NULL REFERENCES prompts(name), version INTEGER NOT NULL,"
    " system TEXT NOT NULL, messages TEXT NOT NULL, variables TEXT NOT NULL, examples TEXT NOT NULL,"
    " params TEXT NOT NULL, response_schema TEXT NOT NULL, tools TEXT NOT NULL, guardrail TEXT NOT NULL,"
    " note TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (prompt, version));"
    "CREATE TABLE prompt_labels (prompt TEXT NOT NULL REFERENCES prompts(name), label TEXT NOT NULL,"
    " targets TEXT NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (prompt, label))",
};

inline constexpr std::array<const char*, kSchemaVersion> kPostgresMigrations = {
    // 1: api keys.
    "CREATE TABLE api_keys ("
    " id TEXT PRIMARY KEY NOT NULL, hash TEXT NOT NULL, name TEXT NOT NULL DEFAULT '',"
    " created_at BIGINT NOT NULL, expires_at BIGINT, revoked_at BIGINT,"
    " models TEXT NOT NULL DEFAULT '[]', rpm BIGINT NOT NULL DEFAULT 0, tpm BIGINT NOT NULL DEFAULT 0,"
    " max_concurrent BIGINT NOT NULL DEFAULT 0, budget_tokens BIGINT NOT NULL DEFAULT 0,"
    " budget_period TEXT NOT NULL DEFAULT '', metadata TEXT NOT NULL DEFAULT '{}')",
    // 2: the prompt registry, as one statement (a DO block: the runner sends one statement).
    "DO $$ BEGIN "
    "CREATE TABLE prompts (name TEXT PRIMARY KEY NOT NULL, description TEXT NOT NULL DEFAULT '',"
    " created_at BIGINT NOT NULL);"
    "CREATE TABLE prompt_versions (prompt TEXT NOT NULL REFERENCES prompts(name), version BIGINT NOT NULL,"
    " system TEXT NOT NULL, messages TEXT NOT NULL, variables TEXT NOT NULL, examples TEXT NOT NULL,"
    " params TEXT NOT NULL, response_schema TEXT NOT NULL, tools TEXT NOT NULL, guardrail TEXT NOT NULL,"
    " note TEXT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (prompt, version));"
    "CREATE TABLE prompt_labels (prompt TEXT NOT NULL REFERENCES prompts(name), label TEXT NOT NULL,"
    " targets TEXT NOT NULL, updated_at BIGINT NOT NULL, PRIMARY KEY (prompt, label));"
    " END $$",
};

// The columns of api_keys in the order both engines read them.
inline constexpr const char* kApiKeyColumns =
    "id, hash, name, created_at, expires_at, revoked_at, models, rpm, tpm, max_concurrent, budget_tokens, "
    "budget_period, metadata";

// The columns of prompt_versions in the order both engines read them.
inline constexpr const char* kPromptVersionColumns =
    "prompt, version, system, messages, variables, examples, params, response_schema, tools, guardrail, note, "
    "created_at";

}  // namespace ondo::store
