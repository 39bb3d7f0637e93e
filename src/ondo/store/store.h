// The store: ondo's persistent state behind one interface with two engines. SQLite in the data
// directory (the embedded default: nothing to install or start) and PostgreSQL (several
// `ondo serve` replicas sharing one state). Layer: store; uses core only. No SQL outside store/.
//
// Tables so far: api_keys (the gateway's keys; see api_keys.h for the secrets), response_cache.
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
#include <string>
#include <string_view>
#include <vector>

#include "ondo/core/env.h"
#include "ondo/core/result.h"
#include "ondo/store/cached_response.h"

namespace ondo::store {

// One API key. The secret itself is never stored: `hash` is the hex SHA-256 of it.
// Limits of 0 mean "no limit". They are stored and returned; enforcing them is the gateway's
// job (issue 15.3), not the store's.
struct ApiKey {
  std::string id;          // the public prefix, "k" + 12 hex digits; part of the secret
  std::string hash;        // hex SHA-256 of the whole secret
  std::string name;        // a label for people
  int64_t created_at = 0;  // Unix seconds
  std::optional<int64_t> expires_at;  // Unix seconds; none: never
  std::optional<int64_t> revoked_at;  // Unix seconds; none: live
  std::vector<std::string> models;    // the model aliases it may use; empty: all
  int64_t rpm = 0;                    // requests per minute
  int64_t tpm = 0;                    // tokens per minute
  int64_t max_concurrent = 0;         // requests in flight at once
  int64_t budget_tokens = 0;          // tokens per budget period
  std::string budget_period;          // "", "day", "month" or "total"
  std::map<std::string, std::string> metadata;

  bool operator==(const ApiKey&) const = default;
};

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
