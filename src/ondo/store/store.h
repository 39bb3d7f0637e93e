// The store: ondo's persistent state behind one interface with two engines. SQLite in the data
// directory (the embedded default: nothing to install or start) and PostgreSQL (several
// `ondo serve` replicas sharing one state). Layer: store; uses core only. No SQL outside store/.
//
// Tables: every schema is in migrations.h; each domain's rows are plain structs in its header
// (api_keys.h, guardrails.h, usage.h, collections.h, prompts.h, limits.h, cached_response.h, ...).
// Durability: a write that returns ok is committed (DESIGN "Data safety"): SQLite runs in WAL
// mode with synchronous=FULL, PostgreSQL commits each write before it answers.
// Schema: numbered migrations, checked and applied at open; a database whose schema is newer
// than this binary knows is refused (Unsupported), never changed.
// Errors: InvalidArgument (bad options, duplicate id), NotFound, Unsupported (newer schema),
// Unavailable (database unreachable), InvalidFile / ResourceExhausted (file system),
// Internal (anything else the database reports); messages name the database.
// Thread contract: every Store method is safe from any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ondo/core/env.h"
#include "ondo/core/result.h"
#include "ondo/store/api_key.h"
#include "ondo/store/collections.h"
#include "ondo/store/console_sessions.h"
#include "ondo/store/guardrails.h"
#include "ondo/store/prompts.h"
#include "ondo/store/usage.h"
#include "ondo/store/limits.h"
#include "ondo/store/cached_response.h"
#include "ondo/store/fridge.h"
#include "ondo/store/jobs.h"

namespace ondo::store {

class Store {
 public:
  virtual ~Store() = default;

  // "sqlite" or "postgres".
  virtual std::string_view engine() const = 0;
  // What it opened, for messages ("ondo-data/ondo.db", "postgres://host/db").
  virtual const std::string& location() const = 0;
  // The schema version of the database (after migrations: the newest this binary knows).
  virtual Result<int> schema_version() = 0;

  // Errors: InvalidArgument when a key with key.id exists.
  virtual Status insert_api_key(const ApiKey& key) = 0;
  // nullopt when there is no key `id`.
  virtual Result<std::optional<ApiKey>> find_api_key(std::string_view id) = 0;
  // Every key, oldest first (ties by id).
  virtual Result<std::vector<ApiKey>> list_api_keys() = 0;
  // Marks key `id` revoked at `at` (a key revoked before keeps its first time).
  // Errors: NotFound when there is no key `id`.
  virtual Status revoke_api_key(std::string_view id, int64_t at) = 0;

  // --- Collections (issue 16.3/16.6; rows in collections.h). ---
  // Stores the file's row and its bytes (file.bytes must equal content.size()).
  // Errors: InvalidArgument when a file with file.id exists.
  virtual Status insert_file(const FileRecord& file, std::string_view content) = 0;
  virtual Result<std::optional<FileRecord>> find_file(std::string_view id) = 0;
  // Every file, oldest first (ties by id); `purpose` empty: all purposes.
  virtual Result<std::vector<FileRecord>> list_files(std::string_view purpose) = 0;
  // The file's bytes. Errors: NotFound; InvalidFile when the bytes are missing or damaged.
  virtual Result<std::string> read_file_content(std::string_view id) = 0;
  // Deletes the file, its bytes and, in the same transaction, its attachments to vector stores
  // and their chunks. Errors: NotFound.
  virtual Status delete_file(std::string_view id) = 0;

  // Errors: InvalidArgument when a vector store with v.id exists.
  virtual Status insert_vector_store(const VectorStoreRecord& v) = 0;
  virtual Result<std::optional<VectorStoreRecord>> find_vector_store(std::string_view id) = 0;
  virtual Result<std::vector<VectorStoreRecord>> list_vector_stores() = 0;  // oldest first
  // Deletes the store with its file rows and chunks (the uploaded files stay). Errors: NotFound.
  virtual Status delete_vector_store(std::string_view id) = 0;
  virtual Result<FileCounts> vector_store_file_counts(std::string_view vector_store_id) = 0;

  // Attaches a file. Errors: NotFound (no such store or file), InvalidArgument when attached.
  virtual Status insert_vector_store_file(const VectorStoreFileRecord& f) = 0;
  virtual Result<std::optional<VectorStoreFileRecord>> find_vector_store_file(std::string_view vector_store_id,
                                                                              std::string_view file_id) = 0;
  // The store's files, oldest first; `status` empty: any status.
  virtual Result<std::vector<VectorStoreFileRecord>> list_vector_store_files(std::string_view vector_store_id,
                                                                             std::string_view status) = 0;
  // Every attached file in `status` across all stores, oldest first (restart recovery).
  virtual Result<std::vector<VectorStoreFileRecord>> list_files_in_status(std::string_view status) = 0;
  // Detaches the file and deletes its chunks in one transaction. Errors: NotFound.
  virtual Status delete_vector_store_file(std::string_view vector_store_id, std::string_view file_id) = 0;
  // In ONE transaction: writes `chunks` (ids assigned; their vector_store_id / file_id must be
  // the file's), sets the store's dimensions when still 0, and flips the file from in_progress
  // to completed with chunk_count and usage_bytes. Returns the chunks with their ids. A file
  // never has half its chunks: on any error nothing is written.
  // Errors: NotFound when the file is no longer attached or no longer in_progress (deleted
  // meanwhile); InvalidArgument when a vector's width differs from the store's dimensions.
  virtual Result<std::vector<ChunkRecord>> complete_vector_store_file(std::string_view vector_store_id,
                                                                      std::string_view file_id,
                                                                      std::vector<ChunkRecord> chunks) = 0;
  // Flips an in_progress file to failed with the error. Errors: NotFound as above.
  virtual Status fail_vector_store_file(std::string_view vector_store_id, std::string_view file_id,
                                        std::string_view code, std::string_view message) = 0;
  // The store's chunks in id order (all fields), for building a dense index.
  virtual Result<std::vector<ChunkRecord>> list_chunks(std::string_view vector_store_id) = 0;
  // The chunks with these ids that belong to the store, in the order of `ids` (missing ones
  // left out); `with_vectors` false leaves their vectors empty.
  virtual Result<std::vector<ChunkRecord>> get_chunks(std::string_view vector_store_id, const std::vector<int64_t>& ids,
                                                      bool with_vectors) = 0;
  // Full-text search over the store's chunk text, best first, at most `limit` hits: SQLite
  // FTS5 bm25(), PostgreSQL ts_rank_cd() over a tsvector; the query's words are OR-ed.
  // A query without words gives no hits.
  virtual Result<std::vector<LexicalHit>> lexical_search(std::string_view vector_store_id, std::string_view query,
                                                         int limit) = 0;
  // --- Guardrails (issue 15.6; rows in guardrails.h) ---
  // Creates policy `p.name` or replaces its body (keeping created_at; updated_at from `p`).
  virtual Status put_guardrail_policy(const GuardrailPolicy& p) = 0;
  // nullopt when there is no policy `name`.
  virtual Result<std::optional<GuardrailPolicy>> find_guardrail_policy(std::string_view name) = 0;
  // Every policy, by name.
  virtual Result<std::vector<GuardrailPolicy>> list_guardrail_policies() = 0;
  // Deletes policy `name` and its attachments. Errors: NotFound.
  virtual Status delete_guardrail_policy(std::string_view name) = 0;
  // Attaches a policy (again: nothing changes). Errors: NotFound (no such policy),
  // InvalidArgument (scope not global/key/prompt; a global attachment with a target).
  virtual Status attach_guardrail_policy(const GuardrailAttachment& a) = 0;
  // Errors: NotFound when that attachment does not exist.
  virtual Status detach_guardrail_policy(std::string_view scope, std::string_view target, std::string_view policy) = 0;
  // Every attachment, by policy, scope, target.
  virtual Result<std::vector<GuardrailAttachment>> list_guardrail_attachments() = 0;
  // The policies that apply to a request of key `key_id` ("": none) rendering prompt
  // `prompt_name` ("": none): the global ones, the key's and the prompt's, each once, by name.
  virtual Result<std::vector<GuardrailPolicy>> guardrail_policies_for(std::string_view key_id,
                                                                      std::string_view prompt_name) = 0;
  // Appends decisions (ids assigned) in one transaction.
  virtual Status insert_guardrail_decisions(const std::vector<GuardrailDecision>& decisions) = 0;
  virtual Result<std::vector<GuardrailDecision>> list_guardrail_decisions(const GuardrailDecisionQuery& q) = 0;
  // --- Prompt registry (issue 15.5; structs in prompts.h). Names are checked by the caller.
  // Errors: InvalidArgument when a prompt named prompt.name exists.
  virtual Status insert_prompt(const Prompt& prompt) = 0;
  // nullopt when there is no prompt `name`. latest_version is filled (0: no version yet).
  virtual Result<std::optional<Prompt>> find_prompt(std::string_view name) = 0;
  // Every prompt, by name.
  virtual Result<std::vector<Prompt>> list_prompts() = 0;
  // Appends `v` as the next version of prompt v.prompt (v.version is ignored) and returns the
  // number it got (1, 2, ...). Versions are immutable: there is no update or delete.
  // Errors: NotFound when there is no prompt v.prompt.
  virtual Result<int64_t> add_prompt_version(const PromptVersion& v) = 0;
  // nullopt when prompt `name` has no version `version`.
  virtual Result<std::optional<PromptVersion>> find_prompt_version(std::string_view name, int64_t version) = 0;
  // The versions of prompt `name`, oldest first (empty for an unknown prompt).
  virtual Result<std::vector<PromptVersion>> list_prompt_versions(std::string_view name) = 0;
  // Points label.label of prompt label.prompt at label.targets, replacing what it pointed at in
  // one write (readers see the old targets or the new ones, never a mix).
  // Errors: NotFound naming the prompt or the first target version that does not exist;
  // InvalidArgument for no targets, a weight under 1, or a version given twice.
  virtual Status set_prompt_label(const PromptLabel& label) = 0;
  // nullopt when the prompt has no such label.
  virtual Result<std::optional<PromptLabel>> find_prompt_label(std::string_view name, std::string_view label) = 0;
  // The labels of prompt `name`, by label.
  virtual Result<std::vector<PromptLabel>> list_prompt_labels(std::string_view name) = 0;
  // --- Usage (issue 15.4; rows and rollups in usage.h) ---
  // Writes `rows` and adds them into their daily rollups, all in one transaction (committed
  // when it returns ok; on error nothing of it is written). Rows' seq is ignored.
  virtual Status record_usage(std::span<const UsageRow> rows) = 0;
  // Sums of the rollups of query.from_day..to_day, one per group, in group order (an
  // ungrouped query answers one row, zeros when there is nothing).
  virtual Result<std::vector<UsageTotals>> usage_totals(const UsageQuery& query) = 0;
  // Raw rows (see UsageRowsQuery), seq set.
  virtual Result<std::vector<UsageRow>> usage_rows(const UsageRowsQuery& query) = 0;
  // ---- Limits (issue 15.3; store/limits.h) ----
  // SQLite: counters in memory, budget spend written through (store/limits_memory.h).
  // PostgreSQL: one transactional counter for every replica (tables limit_windows,
  // limit_leases, limit_spend; per-key advisory lock, guarded upserts).
  // Admits `r` when every limit of r.rules has room (budget, requests and tokens in the
  // minute window, leases in flight) and then counts it in all of them at once; otherwise
  // changes nothing and says which limit refused. Either way the state holds the counters.
  virtual Result<LimitState> admit_request(const AdmitRequest& r) = 0;
  // Corrects an admitted request's reservation to its use and releases its lease. Once per
  // admitted request.
  virtual Status settle_request(const Settlement& s) = 0;
  // The counters of `key_id` at `now_ms` (for the x-ratelimit headers), changing nothing.
  virtual Result<LimitState> peek_limits(const std::string& key_id, const LimitRules& rules, int64_t now_ms) = 0;
  // --- Response cache (issue 15.7; rows in cached_response.h, used by serve/response_cache.h) ---
  // The entry `key` when it is there and not expired at `now_ms`; a hit sets its
  // last_used_ms to `now_ms` and counts it (the returned entry shows both). nullopt: none.
  virtual Result<std::optional<CachedResponse>> get_cached_response(std::string_view key, int64_t now_ms) = 0;
  // Writes `entry` (replacing an entry with its key), then removes the entries expired at
  // `now_ms` and, least recently used first, as many as it takes to bring the total size to
  // `max_bytes` or under. An entry larger than `max_bytes` alone is not written.
  // Requires: max_bytes >= 0.
  virtual Status put_cached_response(const CachedResponse& entry, int64_t max_bytes, int64_t now_ms) = 0;
  virtual Result<CacheTotals> response_cache_totals() = 0;
  // --- Fridge app (issue 20; rows in fridge.h, meaning in apps/fridge) ---
  // Errors: InvalidArgument when a record (r.kind, r.id) exists.
  virtual Status insert_fridge_record(const FridgeRecord& r) = 0;
  // Replaces the household, ref, body and updated_at of record (r.kind, r.id) (created_at kept).
  // Errors: NotFound.
  virtual Status update_fridge_record(const FridgeRecord& r) = 0;
  // nullopt when there is no record (kind, id).
  virtual Result<std::optional<FridgeRecord>> find_fridge_record(std::string_view kind, std::string_view id) = 0;
  // The records of `kind` in `household` with `ref`, oldest first (ties by id); an empty
  // household or ref matches any.
  virtual Result<std::vector<FridgeRecord>> list_fridge_records(std::string_view kind, std::string_view household,
                                                                std::string_view ref) = 0;
  // Errors: NotFound.
  virtual Status delete_fridge_record(std::string_view kind, std::string_view id) = 0;
  // Adds `a` to the outbox unless an alert with a.key is there: true when added, false when it
  // was there already (nothing changed).
  virtual Result<bool> enqueue_fridge_alert(const FridgeAlert& a) = 0;
  // Undelivered alerts due at `now_ms` (next_attempt_ms <= now_ms), soonest first, at most `limit`.
  virtual Result<std::vector<FridgeAlert>> due_fridge_alerts(int64_t now_ms, int limit) = 0;
  virtual Result<std::optional<FridgeAlert>> find_fridge_alert(std::string_view key) = 0;
  // Records one delivery attempt of alert `key`: its attempt count, the next attempt, the time
  // it was delivered (none: not yet) and the last error. Errors: NotFound.
  virtual Status update_fridge_alert(std::string_view key, int32_t attempts, int64_t next_attempt_ms,
                                     std::optional<int64_t> delivered_ms, std::string_view last_error) = 0;
  // --- Jobs (issue 17.1; rows in jobs.h, used by jobs/) ---
  // Errors: InvalidArgument when a job with job.id exists.
  virtual Status insert_job(const JobRecord& job) = 0;
  // nullopt when there is no job `id`.
  virtual Result<std::optional<JobRecord>> find_job(std::string_view id) = 0;
  // Newest first (created_ms, then id, descending), at most q.limit; q.after: the jobs after
  // that one in this order. Errors: NotFound when q.after names no job.
  virtual Result<std::vector<JobRecord>> list_jobs(const JobQuery& q) = 0;
  // In one transaction: ends the running jobs whose lease expired before `now_ms` that were
  // asked to cancel (cancelled) or used up their attempts (failed), then takes the oldest job
  // of `kinds` that is queued or running with an expired lease and not asked to cancel, and
  // gives it to `owner` until now_ms + lease_ms (attempt + 1). nullopt: nothing to claim.
  // On PostgreSQL the pick is FOR UPDATE SKIP LOCKED: replicas claiming at once get
  // different jobs, never one job twice.
  virtual Result<std::optional<JobRecord>> claim_job(std::string_view owner, const std::vector<std::string>& kinds,
                                                     int64_t now_ms, int64_t lease_ms) = 0;
  // Renews `owner`'s lease on running job `id` to now_ms + lease_ms and, when `progress` is
  // given, stores it. Lost: the job is not running under this owner any more.
  virtual Result<JobLease> heartbeat_job(std::string_view id, std::string_view owner, int64_t now_ms, int64_t lease_ms,
                                         const std::optional<std::string>& progress) = 0;
  // Ends running job `id` held by `owner` in `state` (succeeded, failed or cancelled).
  // Errors: InvalidArgument for another state; NotFound when `owner` does not hold it.
  virtual Status finish_job(std::string_view id, std::string_view owner, std::string_view state,
                            std::string_view result, std::string_view error_code, std::string_view error,
                            int64_t now_ms) = 0;
  // Cancels a queued job at once, asks a running one to stop (its worker sees it at its next
  // heartbeat); a finished job stays as it is. Returns the job after the change.
  // Errors: NotFound.
  virtual Result<JobRecord> cancel_job(std::string_view id, int64_t now_ms) = 0;
  // Appends an event to its job's log; returns its seq. Errors: NotFound (no such job).
  virtual Result<int64_t> append_job_event(const JobEvent& event) = 0;
  // The job's events with seq > after_seq, oldest first, at most `limit`.
  virtual Result<std::vector<JobEvent>> list_job_events(std::string_view job_id, int64_t after_seq, int64_t limit) = 0;
  // Records a checkpoint and makes it the job's last (jobs.checkpoint) in one transaction;
  // returns its seq. Errors: NotFound (no such job).
  virtual Result<int64_t> add_job_checkpoint(const JobCheckpoint& checkpoint) = 0;
  // The job's checkpoints, oldest first.
  virtual Result<std::vector<JobCheckpoint>> list_job_checkpoints(std::string_view job_id) = 0;
  // --- Web console sessions (issue 19.3; rows in console_sessions.h, used by serve/console_session.h) ---
  // Errors: InvalidArgument when a session with s.token_hash exists.
  virtual Status insert_console_session(const ConsoleSessionRow& s) = 0;
  // The session `token_hash` when it is there and live at `now` (expires_at > now); nullopt otherwise.
  virtual Result<std::optional<ConsoleSessionRow>> find_console_session(std::string_view token_hash, int64_t now) = 0;
  // Sets a live session's last_seen_at to `now` and its expires_at to `expires_at` (sliding
  // expiry); false when there is no live session `token_hash`.
  virtual Result<bool> touch_console_session(std::string_view token_hash, int64_t now, int64_t expires_at) = 0;
  // Signs out: whether the session was there.
  virtual Result<bool> delete_console_session(std::string_view token_hash) = 0;
  // Ends every session signed in with `key_id` (a revoked key); how many went.
  virtual Result<int64_t> delete_console_sessions_of(std::string_view key_id) = 0;
  // Removes the sessions expired at `now` and the oldest live ones beyond `keep_at_most`
  // (newest kept); how many went.
  virtual Result<int64_t> purge_console_sessions(int64_t now, int64_t keep_at_most) = 0;
};

// The newest schema version this binary knows.
int current_schema_version();

struct StoreOptions {
  std::filesystem::path data_dir = "ondo-data";  // SQLite: created (0700) when absent
  std::string db_url;      // "postgres://..." or "postgresql://...": PostgreSQL; empty: SQLite
  int pool_size = 4;       // PostgreSQL connections at most (1 to 64)
  core::Env* env = nullptr;  // SQLite's file system; null: Env::posix()
};

// Opens the store `options` names and brings its schema up to date.
Result<std::unique_ptr<Store>> open_store(const StoreOptions& options);

// The engines (open_store picks one).
// The SQLite database is `<data_dir>/ondo.db`. One open store per database file per process
// (POSIX locks are per process); a second open of the same file here is InvalidArgument.
Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& data_dir, core::Env& env);
Result<std::unique_ptr<Store>> open_postgres_store(const std::string& url, int pool_size);

}  // namespace ondo::store
