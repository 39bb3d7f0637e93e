// The numbered schema migrations of both engines: entry i takes the schema from version i to
// i + 1. Append only; never edit a migration that has shipped. Layer: store (internal to it).
#pragma once

#include <array>

#include "ondo/store/fridge_sql.h"
#include "ondo/store/jobs.h"

namespace ondo::store {

inline constexpr int kSchemaVersion = 11;

inline constexpr std::array<const char*, kSchemaVersion> kSqliteMigrations = {
    // 1: api keys.
    "CREATE TABLE api_keys ("
    " id TEXT PRIMARY KEY NOT NULL, hash TEXT NOT NULL, name TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL, expires_at INTEGER, revoked_at INTEGER,"
    " models TEXT NOT NULL DEFAULT '[]', rpm INTEGER NOT NULL DEFAULT 0, tpm INTEGER NOT NULL DEFAULT 0,"
    " max_concurrent INTEGER NOT NULL DEFAULT 0, budget_tokens INTEGER NOT NULL DEFAULT 0,"
    " budget_period TEXT NOT NULL DEFAULT '', metadata TEXT NOT NULL DEFAULT '{}')",
    // 2: collections (files, vector stores, their files and chunks; chunk text in FTS5).
    "CREATE TABLE files (id TEXT PRIMARY KEY NOT NULL, filename TEXT NOT NULL, purpose TEXT NOT NULL,"
    " bytes INTEGER NOT NULL, created_at INTEGER NOT NULL);"
    "CREATE TABLE vector_stores (id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL, embedding_model TEXT NOT NULL, dimensions INTEGER NOT NULL DEFAULT 0,"
    " chunking_type TEXT NOT NULL, max_chunk_size_tokens INTEGER NOT NULL, chunk_overlap_tokens INTEGER NOT NULL,"
    " metadata TEXT NOT NULL DEFAULT '{}');"
    "CREATE TABLE vector_store_files ("
    " vector_store_id TEXT NOT NULL REFERENCES vector_stores(id) ON DELETE CASCADE,"
    " file_id TEXT NOT NULL REFERENCES files(id) ON DELETE CASCADE, created_at INTEGER NOT NULL,"
    " status TEXT NOT NULL, last_error_code TEXT NOT NULL DEFAULT '', last_error_message TEXT NOT NULL DEFAULT '',"
    " attributes TEXT NOT NULL DEFAULT '{}', max_chunk_size_tokens INTEGER NOT NULL, chunk_overlap_tokens INTEGER NOT NULL,"
    " chunking_type TEXT NOT NULL, usage_bytes INTEGER NOT NULL DEFAULT 0, chunk_count INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (vector_store_id, file_id));"
    "CREATE INDEX vector_store_files_by_file ON vector_store_files(file_id);"
    "CREATE TABLE chunks (id INTEGER PRIMARY KEY AUTOINCREMENT, vector_store_id TEXT NOT NULL, file_id TEXT NOT NULL,"
    " seq INTEGER NOT NULL, text TEXT NOT NULL, vector BLOB NOT NULL, attributes TEXT NOT NULL DEFAULT '{}',"
    " FOREIGN KEY (vector_store_id, file_id) REFERENCES vector_store_files(vector_store_id, file_id) ON DELETE CASCADE);"
    "CREATE INDEX chunks_by_file ON chunks(vector_store_id, file_id);"
    "CREATE VIRTUAL TABLE chunks_fts USING fts5(text, content='chunks', content_rowid='id', tokenize='porter unicode61');"
    "CREATE TRIGGER chunks_fts_insert AFTER INSERT ON chunks BEGIN"
    " INSERT INTO chunks_fts(rowid, text) VALUES (new.id, new.text); END;"
    "CREATE TRIGGER chunks_fts_delete AFTER DELETE ON chunks BEGIN"
    " INSERT INTO chunks_fts(chunks_fts, rowid, text) VALUES ('delete', old.id, old.text); END;",
    // 3: guardrail policies, attachments and decisions.
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
    // 4: the prompt registry (prompts, immutable versions, labels).
    "CREATE TABLE prompts (name TEXT PRIMARY KEY NOT NULL, description TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL);"
    "CREATE TABLE prompt_versions (prompt TEXT NOT NULL REFERENCES prompts(name), version INTEGER NOT NULL,"
    " system TEXT NOT NULL, messages TEXT NOT NULL, variables TEXT NOT NULL, examples TEXT NOT NULL,"
    " params TEXT NOT NULL, response_schema TEXT NOT NULL, tools TEXT NOT NULL, guardrail TEXT NOT NULL,"
    " note TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (prompt, version));"
    "CREATE TABLE prompt_labels (prompt TEXT NOT NULL REFERENCES prompts(name), label TEXT NOT NULL,"
    " targets TEXT NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (prompt, label))",
    // 5: usage rows and their daily rollups (store/usage.h).
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
    // 6: limits: a money budget per key; budget spend per (key, period), written through from
    // the in-memory counters (minute windows and leases stay in memory).
    "ALTER TABLE api_keys ADD COLUMN budget_nano_usd INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE limit_spend (key_id TEXT NOT NULL, period_start INTEGER NOT NULL,"
    " tokens INTEGER NOT NULL DEFAULT 0, nano_usd INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (key_id, period_start))",
    // 7: the response cache (one statement: PostgreSQL runs each entry as one).
    "CREATE TABLE response_cache ("
    " key TEXT PRIMARY KEY NOT NULL, model TEXT NOT NULL, body TEXT NOT NULL, size INTEGER NOT NULL,"
    " created_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL, last_used_ms INTEGER NOT NULL,"
    " hits INTEGER NOT NULL DEFAULT 0)",
    // 8: the narrow rollup per day x model (key_id, prompt, route always ''; store/usage.h),
    // filled from the daily rollups already there.
    "CREATE TABLE usage_daily_model ("
    " day INTEGER NOT NULL, key_id TEXT NOT NULL, model TEXT NOT NULL, prompt TEXT NOT NULL, route TEXT NOT NULL,"
    " requests INTEGER NOT NULL, errors INTEGER NOT NULL, prompt_tokens INTEGER NOT NULL, cached_tokens INTEGER NOT NULL,"
    " completion_tokens INTEGER NOT NULL, cost_nano_usd INTEGER NOT NULL, duration_us_sum INTEGER NOT NULL,"
    " ttft_us_sum INTEGER NOT NULL, ttft_count INTEGER NOT NULL, max_duration_us INTEGER NOT NULL,"
    " lat0 INTEGER NOT NULL DEFAULT 0, lat1 INTEGER NOT NULL DEFAULT 0, lat2 INTEGER NOT NULL DEFAULT 0, lat3 INTEGER NOT NULL DEFAULT 0, lat4 INTEGER NOT NULL DEFAULT 0, lat5 INTEGER NOT NULL DEFAULT 0, lat6 INTEGER NOT NULL DEFAULT 0, lat7 INTEGER NOT NULL DEFAULT 0, lat8 INTEGER NOT NULL DEFAULT 0, lat9 INTEGER NOT NULL DEFAULT 0, lat10 INTEGER NOT NULL DEFAULT 0, lat11 INTEGER NOT NULL DEFAULT 0, "
    " PRIMARY KEY (day, key_id, model, prompt, route)) WITHOUT ROWID;"
    " INSERT INTO usage_daily_model SELECT day, '', model, '', '', SUM(requests), SUM(errors), SUM(prompt_tokens),"
    " SUM(cached_tokens), SUM(completion_tokens), SUM(cost_nano_usd), SUM(duration_us_sum), SUM(ttft_us_sum),"
    " SUM(ttft_count), MAX(max_duration_us), SUM(lat0), SUM(lat1), SUM(lat2), SUM(lat3), SUM(lat4), SUM(lat5), SUM(lat6), SUM(lat7), SUM(lat8), SUM(lat9), SUM(lat10), SUM(lat11)"
    " FROM usage_daily GROUP BY day, model",
    // 9: the fridge app's records and webhook outbox (the statement is in store/fridge_sql.h).
    kFridgeSqliteMigration,
    // 10: the job queue (issue 17.1; the statement is in store/jobs.h).
    kJobsSqliteMigration,
    // 11: web console sessions (issue 19.3; store/console_sessions.h); the least seq of
    // each day's usage rows (as PostgreSQL's migration 8; the floor of raw-row pages,
    // store/usage.h), filled from the rows (floor division: rows before 1970 too).
    "CREATE TABLE console_sessions (token_hash TEXT PRIMARY KEY NOT NULL, key_id TEXT NOT NULL,"
    " key_hash TEXT NOT NULL, csrf TEXT NOT NULL, created_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL);"
    "CREATE INDEX console_sessions_by_key ON console_sessions (key_id);"
    "CREATE INDEX console_sessions_by_expiry ON console_sessions (expires_at);"
    "CREATE TABLE usage_day_seq (day INTEGER PRIMARY KEY NOT NULL, min_seq INTEGER NOT NULL);"
    "INSERT INTO usage_day_seq SELECT CASE WHEN time_ms >= 0 THEN time_ms / 86400000"
    " ELSE -((-time_ms - 1) / 86400000) - 1 END, MIN(seq) FROM usage_rows GROUP BY 1;"
    // The narrow rollups day x key x model and day x key x prompt (store/usage_rollups.h),
    // filled from the daily rollups.
    " CREATE TABLE usage_daily_key_model ("
    " day INTEGER NOT NULL, key_id TEXT NOT NULL, model TEXT NOT NULL, prompt TEXT NOT NULL, route TEXT NOT NULL,"
    " requests INTEGER NOT NULL, errors INTEGER NOT NULL, prompt_tokens INTEGER NOT NULL, cached_tokens INTEGER NOT NULL,"
    " completion_tokens INTEGER NOT NULL, cost_nano_usd INTEGER NOT NULL, duration_us_sum INTEGER NOT NULL,"
    " ttft_us_sum INTEGER NOT NULL, ttft_count INTEGER NOT NULL, max_duration_us INTEGER NOT NULL,"
    " lat0 INTEGER NOT NULL DEFAULT 0, lat1 INTEGER NOT NULL DEFAULT 0, lat2 INTEGER NOT NULL DEFAULT 0, lat3 INTEGER NOT NULL DEFAULT 0, lat4 INTEGER NOT NULL DEFAULT 0, lat5 INTEGER NOT NULL DEFAULT 0, lat6 INTEGER NOT NULL DEFAULT 0, lat7 INTEGER NOT NULL DEFAULT 0, lat8 INTEGER NOT NULL DEFAULT 0, lat9 INTEGER NOT NULL DEFAULT 0, lat10 INTEGER NOT NULL DEFAULT 0, lat11 INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (day, key_id, model, prompt, route)) WITHOUT ROWID;"
    " INSERT INTO usage_daily_key_model SELECT day, key_id, model, '', '', SUM(requests), SUM(errors), SUM(prompt_tokens), SUM(cached_tokens), SUM(completion_tokens), SUM(cost_nano_usd), SUM(duration_us_sum), SUM(ttft_us_sum), SUM(ttft_count), MAX(max_duration_us), SUM(lat0), SUM(lat1), SUM(lat2), SUM(lat3), SUM(lat4), SUM(lat5), SUM(lat6), SUM(lat7), SUM(lat8), SUM(lat9), SUM(lat10), SUM(lat11)"
    " FROM usage_daily GROUP BY day, key_id, model;"
    " CREATE TABLE usage_daily_key_prompt ("
    " day INTEGER NOT NULL, key_id TEXT NOT NULL, model TEXT NOT NULL, prompt TEXT NOT NULL, route TEXT NOT NULL,"
    " requests INTEGER NOT NULL, errors INTEGER NOT NULL, prompt_tokens INTEGER NOT NULL, cached_tokens INTEGER NOT NULL,"
    " completion_tokens INTEGER NOT NULL, cost_nano_usd INTEGER NOT NULL, duration_us_sum INTEGER NOT NULL,"
    " ttft_us_sum INTEGER NOT NULL, ttft_count INTEGER NOT NULL, max_duration_us INTEGER NOT NULL,"
    " lat0 INTEGER NOT NULL DEFAULT 0, lat1 INTEGER NOT NULL DEFAULT 0, lat2 INTEGER NOT NULL DEFAULT 0, lat3 INTEGER NOT NULL DEFAULT 0, lat4 INTEGER NOT NULL DEFAULT 0, lat5 INTEGER NOT NULL DEFAULT 0, lat6 INTEGER NOT NULL DEFAULT 0, lat7 INTEGER NOT NULL DEFAULT 0, lat8 INTEGER NOT NULL DEFAULT 0, lat9 INTEGER NOT NULL DEFAULT 0, lat10 INTEGER NOT NULL DEFAULT 0, lat11 INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (day, key_id, model, prompt, route)) WITHOUT ROWID;"
    " INSERT INTO usage_daily_key_prompt SELECT day, key_id, '', prompt, '', SUM(requests), SUM(errors), SUM(prompt_tokens), SUM(cached_tokens), SUM(completion_tokens), SUM(cost_nano_usd), SUM(duration_us_sum), SUM(ttft_us_sum), SUM(ttft_count), MAX(max_duration_us), SUM(lat0), SUM(lat1), SUM(lat2), SUM(lat3), SUM(lat4), SUM(lat5), SUM(lat6), SUM(lat7), SUM(lat8), SUM(lat9), SUM(lat10), SUM(lat11)"
    " FROM usage_daily GROUP BY day, key_id, prompt",
};

inline constexpr std::array<const char*, kSchemaVersion> kPostgresMigrations = {
    // 1: api keys.
    "CREATE TABLE api_keys ("
    " id TEXT PRIMARY KEY NOT NULL, hash TEXT NOT NULL, name TEXT NOT NULL DEFAULT '',"
    " created_at BIGINT NOT NULL, expires_at BIGINT, revoked_at BIGINT,"
    " models TEXT NOT NULL DEFAULT '[]', rpm BIGINT NOT NULL DEFAULT 0, tpm BIGINT NOT NULL DEFAULT 0,"
    " max_concurrent BIGINT NOT NULL DEFAULT 0, budget_tokens BIGINT NOT NULL DEFAULT 0,"
    " budget_period TEXT NOT NULL DEFAULT '', metadata TEXT NOT NULL DEFAULT '{}')",
    // 2: collections (files with their bytes, vector stores, their files and chunks; chunk text
    // as an 'english' tsvector). One DO block: the migration runner sends one statement.
    "DO $migration$ BEGIN "
    "CREATE TABLE files (id TEXT PRIMARY KEY NOT NULL, filename TEXT NOT NULL, purpose TEXT NOT NULL,"
    " bytes BIGINT NOT NULL, created_at BIGINT NOT NULL, content BYTEA NOT NULL);"
    "CREATE TABLE vector_stores (id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL DEFAULT '',"
    " created_at BIGINT NOT NULL, embedding_model TEXT NOT NULL, dimensions INTEGER NOT NULL DEFAULT 0,"
    " chunking_type TEXT NOT NULL, max_chunk_size_tokens INTEGER NOT NULL, chunk_overlap_tokens INTEGER NOT NULL,"
    " metadata TEXT NOT NULL DEFAULT '{}');"
    "CREATE TABLE vector_store_files ("
    " vector_store_id TEXT NOT NULL REFERENCES vector_stores(id) ON DELETE CASCADE,"
    " file_id TEXT NOT NULL REFERENCES files(id) ON DELETE CASCADE, created_at BIGINT NOT NULL,"
    " status TEXT NOT NULL, last_error_code TEXT NOT NULL DEFAULT '', last_error_message TEXT NOT NULL DEFAULT '',"
    " attributes TEXT NOT NULL DEFAULT '{}', max_chunk_size_tokens INTEGER NOT NULL, chunk_overlap_tokens INTEGER NOT NULL,"
    " chunking_type TEXT NOT NULL, usage_bytes BIGINT NOT NULL DEFAULT 0, chunk_count BIGINT NOT NULL DEFAULT 0,"
    " PRIMARY KEY (vector_store_id, file_id));"
    "CREATE INDEX vector_store_files_by_file ON vector_store_files(file_id);"
    "CREATE TABLE chunks (id BIGSERIAL PRIMARY KEY, vector_store_id TEXT NOT NULL, file_id TEXT NOT NULL,"
    " seq INTEGER NOT NULL, text TEXT NOT NULL, vector BYTEA NOT NULL, attributes TEXT NOT NULL DEFAULT '{}',"
    " tsv TSVECTOR GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,"
    " FOREIGN KEY (vector_store_id, file_id) REFERENCES vector_store_files(vector_store_id, file_id) ON DELETE CASCADE);"
    "CREATE INDEX chunks_by_file ON chunks(vector_store_id, file_id);"
    "CREATE INDEX chunks_tsv ON chunks USING GIN (tsv);"
    " END $migration$",
    // 3: guardrail policies, attachments and decisions (one DO block: PQexecParams runs one command).
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
    // 4: the prompt registry, as one statement (a DO block: the runner sends one statement).
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
    // 5: usage rows and their daily rollups (store/usage.h); one DO block (one statement per migration).
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
    // 6: limits, one counter for every replica: requests and tokens per (key, minute window),
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
    // 7: the response cache.
    "CREATE TABLE response_cache ("
    " key TEXT PRIMARY KEY NOT NULL, model TEXT NOT NULL, body TEXT NOT NULL, size BIGINT NOT NULL,"
    " created_ms BIGINT NOT NULL, expires_ms BIGINT NOT NULL, last_used_ms BIGINT NOT NULL,"
    " hits BIGINT NOT NULL DEFAULT 0)",
    // 8: the narrow rollup per day x model (store/usage.h), filled from the daily rollups, and
    // the least seq per day (usage_day_seq, PostgreSQL only), filled from the rows.
    "DO $$ BEGIN CREATE TABLE usage_daily_model ("
    " day BIGINT NOT NULL, key_id TEXT NOT NULL, model TEXT NOT NULL, prompt TEXT NOT NULL, route TEXT NOT NULL,"
    " requests BIGINT NOT NULL, errors BIGINT NOT NULL, prompt_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL,"
    " completion_tokens BIGINT NOT NULL, cost_nano_usd BIGINT NOT NULL, duration_us_sum BIGINT NOT NULL,"
    " ttft_us_sum BIGINT NOT NULL, ttft_count BIGINT NOT NULL, max_duration_us BIGINT NOT NULL,"
    " lat0 BIGINT NOT NULL DEFAULT 0, lat1 BIGINT NOT NULL DEFAULT 0, lat2 BIGINT NOT NULL DEFAULT 0, lat3 BIGINT NOT NULL DEFAULT 0, lat4 BIGINT NOT NULL DEFAULT 0, lat5 BIGINT NOT NULL DEFAULT 0, lat6 BIGINT NOT NULL DEFAULT 0, lat7 BIGINT NOT NULL DEFAULT 0, lat8 BIGINT NOT NULL DEFAULT 0, lat9 BIGINT NOT NULL DEFAULT 0, lat10 BIGINT NOT NULL DEFAULT 0, lat11 BIGINT NOT NULL DEFAULT 0, "
    " PRIMARY KEY (day, key_id, model, prompt, route));"
    " INSERT INTO usage_daily_model SELECT day, '', model, '', '', SUM(requests), SUM(errors), SUM(prompt_tokens),"
    " SUM(cached_tokens), SUM(completion_tokens), SUM(cost_nano_usd), SUM(duration_us_sum), SUM(ttft_us_sum),"
    " SUM(ttft_count), MAX(max_duration_us), SUM(lat0), SUM(lat1), SUM(lat2), SUM(lat3), SUM(lat4), SUM(lat5), SUM(lat6), SUM(lat7), SUM(lat8), SUM(lat9), SUM(lat10), SUM(lat11)"
    " FROM usage_daily GROUP BY day, model;"
    // The least seq of each day's rows (the floor of raw-row pages; store/usage.h).
    " CREATE TABLE usage_day_seq (day BIGINT PRIMARY KEY, min_seq BIGINT NOT NULL);"
    " INSERT INTO usage_day_seq SELECT FLOOR(time_ms::numeric / 86400000)::bigint, MIN(seq) FROM usage_rows GROUP BY 1;"
    " END $$",
    // 9: the fridge app's records and webhook outbox (the statement is in store/fridge_sql.h).
    kFridgePostgresMigration,
    // 10: the job queue (issue 17.1; the statement is in store/jobs.h).
    kJobsPostgresMigration,
    // 11: web console sessions (issue 19.3; store/console_sessions.h), one DO block.
    "DO $$ BEGIN CREATE TABLE console_sessions (token_hash TEXT PRIMARY KEY NOT NULL, key_id TEXT NOT NULL,"
    " key_hash TEXT NOT NULL, csrf TEXT NOT NULL, created_at BIGINT NOT NULL, last_seen_at BIGINT NOT NULL,"
    " expires_at BIGINT NOT NULL);"
    " CREATE INDEX console_sessions_by_key ON console_sessions (key_id);"
    " CREATE INDEX console_sessions_by_expiry ON console_sessions (expires_at);"
    // The narrow rollups day x key x model and day x key x prompt (store/usage_rollups.h).
    " CREATE TABLE usage_daily_key_model ("
    " day BIGINT NOT NULL, key_id TEXT NOT NULL, model TEXT NOT NULL, prompt TEXT NOT NULL, route TEXT NOT NULL,"
    " requests BIGINT NOT NULL, errors BIGINT NOT NULL, prompt_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL,"
    " completion_tokens BIGINT NOT NULL, cost_nano_usd BIGINT NOT NULL, duration_us_sum BIGINT NOT NULL,"
    " ttft_us_sum BIGINT NOT NULL, ttft_count BIGINT NOT NULL, max_duration_us BIGINT NOT NULL,"
    " lat0 BIGINT NOT NULL DEFAULT 0, lat1 BIGINT NOT NULL DEFAULT 0, lat2 BIGINT NOT NULL DEFAULT 0, lat3 BIGINT NOT NULL DEFAULT 0, lat4 BIGINT NOT NULL DEFAULT 0, lat5 BIGINT NOT NULL DEFAULT 0, lat6 BIGINT NOT NULL DEFAULT 0, lat7 BIGINT NOT NULL DEFAULT 0, lat8 BIGINT NOT NULL DEFAULT 0, lat9 BIGINT NOT NULL DEFAULT 0, lat10 BIGINT NOT NULL DEFAULT 0, lat11 BIGINT NOT NULL DEFAULT 0,"
    " PRIMARY KEY (day, key_id, model, prompt, route));"
    " INSERT INTO usage_daily_key_model SELECT day, key_id, model, '', '', SUM(requests), SUM(errors), SUM(prompt_tokens), SUM(cached_tokens), SUM(completion_tokens), SUM(cost_nano_usd), SUM(duration_us_sum), SUM(ttft_us_sum), SUM(ttft_count), MAX(max_duration_us), SUM(lat0), SUM(lat1), SUM(lat2), SUM(lat3), SUM(lat4), SUM(lat5), SUM(lat6), SUM(lat7), SUM(lat8), SUM(lat9), SUM(lat10), SUM(lat11)"
    " FROM usage_daily GROUP BY day, key_id, model;"
    " CREATE TABLE usage_daily_key_prompt ("
    " day BIGINT NOT NULL, key_id TEXT NOT NULL, model TEXT NOT NULL, prompt TEXT NOT NULL, route TEXT NOT NULL,"
    " requests BIGINT NOT NULL, errors BIGINT NOT NULL, prompt_tokens BIGINT NOT NULL, cached_tokens BIGINT NOT NULL,"
    " completion_tokens BIGINT NOT NULL, cost_nano_usd BIGINT NOT NULL, duration_us_sum BIGINT NOT NULL,"
    " ttft_us_sum BIGINT NOT NULL, ttft_count BIGINT NOT NULL, max_duration_us BIGINT NOT NULL,"
    " lat0 BIGINT NOT NULL DEFAULT 0, lat1 BIGINT NOT NULL DEFAULT 0, lat2 BIGINT NOT NULL DEFAULT 0, lat3 BIGINT NOT NULL DEFAULT 0, lat4 BIGINT NOT NULL DEFAULT 0, lat5 BIGINT NOT NULL DEFAULT 0, lat6 BIGINT NOT NULL DEFAULT 0, lat7 BIGINT NOT NULL DEFAULT 0, lat8 BIGINT NOT NULL DEFAULT 0, lat9 BIGINT NOT NULL DEFAULT 0, lat10 BIGINT NOT NULL DEFAULT 0, lat11 BIGINT NOT NULL DEFAULT 0,"
    " PRIMARY KEY (day, key_id, model, prompt, route));"
    " INSERT INTO usage_daily_key_prompt SELECT day, key_id, '', prompt, '', SUM(requests), SUM(errors), SUM(prompt_tokens), SUM(cached_tokens), SUM(completion_tokens), SUM(cost_nano_usd), SUM(duration_us_sum), SUM(ttft_us_sum), SUM(ttft_count), MAX(max_duration_us), SUM(lat0), SUM(lat1), SUM(lat2), SUM(lat3), SUM(lat4), SUM(lat5), SUM(lat6), SUM(lat7), SUM(lat8), SUM(lat9), SUM(lat10), SUM(lat11)"
    " FROM usage_daily GROUP BY day, key_id, prompt;"
    " END $$",
};

// The columns of api_keys in the order both engines read them.
inline constexpr const char* kApiKeyColumns =
    "id, hash, name, created_at, expires_at, revoked_at, models, rpm, tpm, max_concurrent, budget_tokens, "
    "budget_period, metadata, budget_nano_usd";

// The columns of prompt_versions in the order both engines read them.
inline constexpr const char* kPromptVersionColumns =
    "prompt, version, system, messages, variables, examples, params, response_schema, tools, guardrail, note, "
    "created_at";

}  // namespace ondo::store

namespace ondo::store {

// The columns of the collection tables in the order both engines read them.
inline constexpr const char* kFileColumns = "id, filename, purpose, bytes, created_at";
inline constexpr const char* kVectorStoreColumns =
    "id, name, created_at, embedding_model, dimensions, chunking_type, max_chunk_size_tokens, chunk_overlap_tokens, "
    "metadata";
inline constexpr const char* kVectorStoreFileColumns =
    "vector_store_id, file_id, created_at, status, last_error_code, last_error_message, attributes, "
    "max_chunk_size_tokens, chunk_overlap_tokens, chunking_type, usage_bytes, chunk_count";

// The columns of guardrail_decisions in the order both engines read them.
inline constexpr const char* kGuardrailDecisionColumns =
    "id, at, request_id, key_id, policy, rule, reason, stage, action, span_begin, span_end";

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
