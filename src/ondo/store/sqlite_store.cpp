// The SQLite engine: one connection in WAL mode over the Env VFS, guarded by a mutex.
// Layer: store.
//
// synchronous=FULL, not NORMAL: in WAL mode NORMAL syncs the log only at checkpoints, so a
// power loss can roll back commits that were already acknowledged; FULL syncs the log at
// every commit, which is what "the store commits before it answers" needs.
#include <sqlite3.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>

#include "ondo/store/codec.h"
#include "ondo/store/migrations.h"
#include "ondo/store/sqlite_vfs.h"
#include "ondo/store/store.h"

namespace ondo::store {
namespace {

constexpr int kBusyTimeoutMs = 10000;  // another process (ondo admin, a second serve) holds the write lock

std::mutex g_open_mu;
std::set<std::string> g_open_files;  // guarded by g_open_mu

class Stmt {
 public:
  Stmt() = default;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt() { sqlite3_finalize(s_); }
  sqlite3_stmt** out() { return &s_; }
  sqlite3_stmt* get() const { return s_; }

 private:
  sqlite3_stmt* s_ = nullptr;
};

class SqliteStore final : public Store {
 public:
  SqliteStore(std::string location, std::string vfs) : location_(std::move(location)), vfs_(std::move(vfs)) {}
  ~SqliteStore() override {
    if (db_) sqlite3_close_v2(db_);
    unregister_env_vfs(vfs_);
    std::lock_guard<std::mutex> lock(g_open_mu);
    g_open_files.erase(location_);
  }

  Status open() {
    const int rc = sqlite3_open_v2(location_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs_.c_str());
    if (rc != SQLITE_OK) return error(rc, "open");
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    ONDO_TRY(exec("PRAGMA foreign_keys = ON", "enable foreign keys"));
    ONDO_TRY(exec("PRAGMA temp_store = MEMORY", "set temp_store"));
    {
      Stmt s;
      ONDO_TRY(prepare("PRAGMA journal_mode = WAL", s));
      const int step = sqlite3_step(s.get());
      if (step != SQLITE_ROW) return error(step, "set WAL mode");
      const std::string mode = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0));
      if (mode != "wal") {
        return make_error(ErrorCode::Unsupported, location_ + ": cannot use WAL mode (journal mode is '" + mode + "')");
      }
    }
    ONDO_TRY(exec("PRAGMA synchronous = FULL", "set synchronous"));
    return migrate();
  }

  std::string_view engine() const override { return "sqlite"; }
  const std::string& location() const override { return location_; }

  Result<int> schema_version() override {
    std::lock_guard<std::mutex> lock(mu_);
    return read_version();
  }

  Status insert_api_key(const ApiKey& k) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(std::string("INSERT INTO api_keys (") + kApiKeyColumns +
                         ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                     s));
    sqlite3_stmt* st = s.get();
    bind_text(st, 1, k.id);
    bind_text(st, 2, k.hash);
    bind_text(st, 3, k.name);
    sqlite3_bind_int64(st, 4, k.created_at);
    bind_opt(st, 5, k.expires_at);
    bind_opt(st, 6, k.revoked_at);
    bind_text(st, 7, encode_models(k.models));
    sqlite3_bind_int64(st, 8, k.rpm);
    sqlite3_bind_int64(st, 9, k.tpm);
    sqlite3_bind_int64(st, 10, k.max_concurrent);
    sqlite3_bind_int64(st, 11, k.budget_tokens);
    bind_text(st, 12, k.budget_period);
    bind_text(st, 13, encode_metadata(k.metadata));
    const int rc = sqlite3_step(st);
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE) {
      return make_error(ErrorCode::InvalidArgument, location_ + ": api key '" + k.id + "' exists");
    }
    if (rc != SQLITE_DONE) return error(rc, "insert api key '" + k.id + "'");
    return ok_status();
  }

  Result<std::optional<ApiKey>> find_api_key(std::string_view id) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(std::string("SELECT ") + kApiKeyColumns + " FROM api_keys WHERE id = ?1", s));
    bind_text(s.get(), 1, id);
    const int rc = sqlite3_step(s.get());
    if (rc == SQLITE_DONE) return std::optional<ApiKey>();
    if (rc != SQLITE_ROW) return error(rc, "read api key '" + std::string(id) + "'");
    ONDO_ASSIGN_OR_RETURN(ApiKey k, read_key(s.get()));
    return std::optional<ApiKey>(std::move(k));
  }

  Result<std::vector<ApiKey>> list_api_keys() override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(std::string("SELECT ") + kApiKeyColumns + " FROM api_keys ORDER BY created_at, id", s));
    std::vector<ApiKey> out;
    for (;;) {
      const int rc = sqlite3_step(s.get());
      if (rc == SQLITE_DONE) return out;
      if (rc != SQLITE_ROW) return error(rc, "list api keys");
      ONDO_ASSIGN_OR_RETURN(ApiKey k, read_key(s.get()));
      out.push_back(std::move(k));
    }
  }

  Status revoke_api_key(std::string_view id, int64_t at) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?2) WHERE id = ?1", s));
    bind_text(s.get(), 1, id);
    sqlite3_bind_int64(s.get(), 2, at);
    const int rc = sqlite3_step(s.get());
    if (rc != SQLITE_DONE) return error(rc, "revoke api key '" + std::string(id) + "'");
    if (sqlite3_changes(db_) == 0) {
      return make_error(ErrorCode::NotFound, location_ + ": no api key '" + std::string(id) + "'");
    }
    return ok_status();
  }

 private:
  // "<db>: <what> failed (<sqlite message>[: <env message>])".
  Error error(int rc, const std::string& what) {
    const std::string env = take_env_vfs_error();
    std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    if (!env.empty()) msg += ": " + env;
    ErrorCode code = ErrorCode::Internal;
    if ((rc & 0xff) == SQLITE_IOERR || (rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_CORRUPT ||
        (rc & 0xff) == SQLITE_NOTADB) {
      code = ErrorCode::InvalidFile;
    } else if ((rc & 0xff) == SQLITE_FULL) {
      code = ErrorCode::ResourceExhausted;
    } else if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
      code = ErrorCode::Unavailable;
    }
    return make_error(code, location_ + ": " + what + " failed (" + msg + ")");
  }

  Status prepare(const std::string& sql, Stmt& s) {
    const int rc = sqlite3_prepare_v2(db_, sql.c_str(), int(sql.size()), s.out(), nullptr);
    if (rc != SQLITE_OK) return error(rc, "prepare statement");
    return ok_status();
  }

  Status exec(const std::string& sql, const std::string& what) {
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return error(rc, what);
    return ok_status();
  }

  static void bind_text(sqlite3_stmt* s, int i, std::string_view v) {
    sqlite3_bind_text(s, i, v.data(), int(v.size()), SQLITE_TRANSIENT);
  }
  static void bind_opt(sqlite3_stmt* s, int i, const std::optional<int64_t>& v) {
    if (v) sqlite3_bind_int64(s, i, *v);
    else sqlite3_bind_null(s, i);
  }
  static std::string text(sqlite3_stmt* s, int i) {
    const unsigned char* p = sqlite3_column_text(s, i);
    return p ? std::string(reinterpret_cast<const char*>(p), size_t(sqlite3_column_bytes(s, i))) : std::string();
  }
  static std::optional<int64_t> opt(sqlite3_stmt* s, int i) {
    if (sqlite3_column_type(s, i) == SQLITE_NULL) return std::nullopt;
    return int64_t(sqlite3_column_int64(s, i));
  }

  Result<ApiKey> read_key(sqlite3_stmt* s) {
    ApiKey k;
    k.id = text(s, 0);
    k.hash = text(s, 1);
    k.name = text(s, 2);
    k.created_at = sqlite3_column_int64(s, 3);
    k.expires_at = opt(s, 4);
    k.revoked_at = opt(s, 5);
    const std::string what = location_ + ": api key '" + k.id + "'";
    ONDO_ASSIGN_OR_RETURN(k.models, decode_models(text(s, 6), what));
    k.rpm = sqlite3_column_int64(s, 7);
    k.tpm = sqlite3_column_int64(s, 8);
    k.max_concurrent = sqlite3_column_int64(s, 9);
    k.budget_tokens = sqlite3_column_int64(s, 10);
    k.budget_period = text(s, 11);
    ONDO_ASSIGN_OR_RETURN(k.metadata, decode_metadata(text(s, 12), what));
    return k;
  }

  Result<int> read_version() {
    Stmt s;
    ONDO_TRY(prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", s));
    const int rc = sqlite3_step(s.get());
    if (rc != SQLITE_ROW) return error(rc, "read the schema version");
    return int(sqlite3_column_int(s.get(), 0));
  }

  // Applies the missing migrations, each in its own transaction with its version row.
  Status migrate() {
    ONDO_TRY(exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY NOT NULL,"
                  " applied_at INTEGER NOT NULL DEFAULT (unixepoch()))",
                  "create schema_migrations"));
    for (;;) {
      ONDO_TRY(exec("BEGIN IMMEDIATE", "begin migration"));
      auto v = read_version();
      Status st = v.ok() ? ok_status() : Status(v.error());
      if (st.ok() && *v > kSchemaVersion) st = newer_schema_error(location_, *v);
      if (st.ok() && *v == kSchemaVersion) {
        (void)exec("ROLLBACK", "end migration");
        return ok_status();
      }
      if (st.ok()) st = exec(kSqliteMigrations[size_t(*v)], "migration " + std::to_string(*v + 1));
      if (st.ok()) st = exec("INSERT INTO schema_migrations (version) VALUES (" + std::to_string(*v + 1) + ")",
                             "record migration " + std::to_string(*v + 1));
      if (st.ok()) st = exec("COMMIT", "commit migration");
      if (!st.ok()) {
        (void)exec("ROLLBACK", "roll back migration");
        return st;
      }
    }
  }

  const std::string location_;
  const std::string vfs_;
  std::mutex mu_;           // guards db_'s use: one statement at a time
  sqlite3* db_ = nullptr;

  // --- Response cache (issue 15.7). The shared statements use $n names (migrations.h). ---
 public:
  Result<std::optional<CachedResponse>> get_cached_response(std::string_view key, int64_t now_ms) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(kCacheHit, s));
    bind_named_text(s.get(), "$1", key);
    sqlite3_bind_int64(s.get(), sqlite3_bind_parameter_index(s.get(), "$2"), now_ms);
    const int rc = sqlite3_step(s.get());
    if (rc == SQLITE_DONE) return std::optional<CachedResponse>();
    if (rc != SQLITE_ROW) return error(rc, "read cached response");
    CachedResponse e;
    e.key = text(s.get(), 0);
    e.model = text(s.get(), 1);
    e.body = text(s.get(), 2);
    e.created_ms = sqlite3_column_int64(s.get(), 3);
    e.expires_ms = sqlite3_column_int64(s.get(), 4);
    e.last_used_ms = sqlite3_column_int64(s.get(), 5);
    e.hits = sqlite3_column_int64(s.get(), 6);
    const int end = sqlite3_step(s.get());  // runs the statement to its end: the update commits
    if (end != SQLITE_DONE) return error(end, "count cache hit");
    return std::optional<CachedResponse>(std::move(e));
  }

  Status put_cached_response(const CachedResponse& e, int64_t max_bytes, int64_t now_ms) override {
    std::lock_guard<std::mutex> lock(mu_);
    ONDO_TRY(exec("BEGIN IMMEDIATE", "begin cache write"));
    Status st = put_and_evict(e, max_bytes, now_ms);
    if (st.ok()) st = exec("COMMIT", "commit cache write");
    if (!st.ok()) (void)exec("ROLLBACK", "roll back cache write");
    return st;
  }

  Result<CacheTotals> response_cache_totals() override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(kCacheTotals, s));
    const int rc = sqlite3_step(s.get());
    if (rc != SQLITE_ROW) return error(rc, "read cache totals");
    return CacheTotals{sqlite3_column_int64(s.get(), 0), sqlite3_column_int64(s.get(), 1)};
  }

 private:
  static void bind_named_text(sqlite3_stmt* s, const char* name, std::string_view v) {
    bind_text(s, sqlite3_bind_parameter_index(s, name), v);
  }
  static void bind_named_int(sqlite3_stmt* s, const char* name, int64_t v) {
    sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, name), v);
  }

  // Requires: mu_ held, a transaction open.
  Status put_and_evict(const CachedResponse& e, int64_t max_bytes, int64_t now_ms) {
    if (e.size() <= max_bytes) {  // a larger one would only push everything else out
      Stmt s;
      ONDO_TRY(prepare(kCachePut, s));
      bind_named_text(s.get(), "$1", e.key);
      bind_named_text(s.get(), "$2", e.model);
      bind_named_text(s.get(), "$3", e.body);
      bind_named_int(s.get(), "$4", e.size());
      bind_named_int(s.get(), "$5", e.created_ms);
      bind_named_int(s.get(), "$6", e.expires_ms);
      bind_named_int(s.get(), "$7", e.last_used_ms);
      const int rc = sqlite3_step(s.get());
      if (rc != SQLITE_DONE) return error(rc, "write cached response");
    }
    Stmt s;
    ONDO_TRY(prepare(kCacheEvict, s));
    bind_named_int(s.get(), "$1", now_ms);
    bind_named_int(s.get(), "$2", max_bytes);
    const int rc = sqlite3_step(s.get());
    if (rc != SQLITE_DONE) return error(rc, "evict cached responses");
    return ok_status();
  }
};

}  // namespace

Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& data_dir, core::Env& env) {
  if (::mkdir(data_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return make_error(ErrorCode::InvalidFile,
                      data_dir.string() + ": cannot create the data directory (" + std::strerror(errno) + ")");
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(data_dir, ec)) {
    return make_error(ErrorCode::InvalidArgument, data_dir.string() + ": not a directory (--data-dir)");
  }
  const std::string location = (data_dir / "ondo.db").string();
  {
    std::lock_guard<std::mutex> lock(g_open_mu);
    if (!g_open_files.insert(location).second) {
      return make_error(ErrorCode::InvalidArgument, location + ": already open in this process");
    }
  }
  auto vfs = register_env_vfs(env);
  if (!vfs.ok()) {
    std::lock_guard<std::mutex> lock(g_open_mu);
    g_open_files.erase(location);
    return vfs.error();
  }
  auto store = std::make_unique<SqliteStore>(location, *vfs);
  ONDO_TRY(store->open());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace ondo::store
