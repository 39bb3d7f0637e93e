// The PostgreSQL engine: a small pool of libpq connections; every write is its own
// statement (autocommit), committed before it returns. Migrations run in one transaction
// under an advisory lock, so replicas starting together apply each migration once.
// Layer: store.
#include <libpq-fe.h>

#include <condition_variable>
#include <mutex>
#include <vector>

#include "ondo/store/codec.h"
#include "ondo/store/migrations.h"
#include "ondo/store/store.h"

namespace ondo::store {
namespace {

constexpr int64_t kMigrationLock = 0x6f6e646f;  // "ondo": the advisory lock id for migrations

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

// A URL without its password, for messages.
std::string redact(const std::string& url) {
  const size_t scheme = url.find("://");
  const size_t at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos || at < scheme) return url;
  const size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon) + ":***" + url.substr(at);
}

class PostgresStore final : public Store {
 public:
  PostgresStore(std::string url, int pool_size) : url_(std::move(url)), location_(redact(url_)), max_(pool_size) {}
  ~PostgresStore() override {
    for (PGconn* c : idle_) PQfinish(c);
  }

  std::string_view engine() const override { return "postgres"; }
  const std::string& location() const override { return location_; }

  Result<int> schema_version() override {
    ONDO_ASSIGN_OR_RETURN(PgResult r, query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", {}, "read the schema version"));
    return std::stoi(PQgetvalue(r.get(), 0, 0));
  }

  Status migrate() {
    Conn c(*this);
    ONDO_TRY(c.open());
    ONDO_TRY(run(c.get(), "BEGIN", {}, "begin migration").error_or_ok());
    Status st = migrate_in_transaction(c.get());
    if (st.ok()) st = run(c.get(), "COMMIT", {}, "commit migration").error_or_ok();
    if (!st.ok()) (void)run(c.get(), "ROLLBACK", {}, "roll back migration");
    return st;
  }

  Status insert_api_key(const ApiKey& k) override {
    const std::vector<std::optional<std::string>> params = {
        k.id, k.hash, k.name, std::to_string(k.created_at), opt(k.expires_at), opt(k.revoked_at),
        encode_models(k.models), std::to_string(k.rpm), std::to_string(k.tpm), std::to_string(k.max_concurrent),
        std::to_string(k.budget_tokens), k.budget_period, encode_metadata(k.metadata)};
    auto r = query(std::string("INSERT INTO api_keys (") + kApiKeyColumns +
                       ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                   params, "insert api key '" + k.id + "'");
    if (!r.ok()) {
      if (last_state_ == "23505") return make_error(ErrorCode::InvalidArgument, location_ + ": api key '" + k.id + "' exists");
      return r.error();
    }
    return ok_status();
  }

  Result<std::optional<ApiKey>> find_api_key(std::string_view id) override {
    ONDO_ASSIGN_OR_RETURN(PgResult r, query(std::string("SELECT ") + kApiKeyColumns + " FROM api_keys WHERE id = $1",
                                            {std::string(id)}, "read api key '" + std::string(id) + "'"));
    if (PQntuples(r.get()) == 0) return std::optional<ApiKey>();
    ONDO_ASSIGN_OR_RETURN(ApiKey k, read_key(r.get(), 0));
    return std::optional<ApiKey>(std::move(k));
  }

  Result<std::vector<ApiKey>> list_api_keys() override {
    ONDO_ASSIGN_OR_RETURN(PgResult r, query(std::string("SELECT ") + kApiKeyColumns + " FROM api_keys ORDER BY created_at, id",
                                            {}, "list api keys"));
    std::vector<ApiKey> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      ONDO_ASSIGN_OR_RETURN(ApiKey k, read_key(r.get(), i));
      out.push_back(std::move(k));
    }
    return out;
  }

  Status revoke_api_key(std::string_view id, int64_t at) override {
    ONDO_ASSIGN_OR_RETURN(PgResult r, query("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1",
                                            {std::string(id), std::to_string(at)}, "revoke api key '" + std::string(id) + "'"));
    if (std::string(PQcmdTuples(r.get())) == "0") {
      return make_error(ErrorCode::NotFound, location_ + ": no api key '" + std::string(id) + "'");
    }
    return ok_status();
  }

 private:
  // A connection borrowed from the pool for one scope; a broken one is dropped, not returned.
  class Conn {
   public:
    explicit Conn(PostgresStore& s) : s_(s) {}
    ~Conn() { s_.give_back(c_); }
    Status open() {
      ONDO_ASSIGN_OR_RETURN(c_, s_.take());
      return ok_status();
    }
    PGconn* get() const { return c_; }

   private:
    PostgresStore& s_;
    PGconn* c_ = nullptr;
  };

  struct Ran {
    PgResult result;
    Status status;
    Status error_or_ok() const { return status; }
  };

  Result<PGconn*> take() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !idle_.empty() || open_ < max_; });
    if (!idle_.empty()) {
      PGconn* c = idle_.back();
      idle_.pop_back();
      return c;
    }
    ++open_;
    lock.unlock();
    PGconn* c = PQconnectdb(url_.c_str());
    if (PQstatus(c) != CONNECTION_OK) {
      std::string msg = PQerrorMessage(c);
      while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
      PQfinish(c);
      give_back(nullptr);
      return make_error(ErrorCode::Unavailable, location_ + ": cannot connect (" + msg + ")");
    }
    PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);  // "already exists, skipping" and the like
    return c;
  }

  void give_back(PGconn* c) {
    std::lock_guard<std::mutex> lock(mu_);
    if (c && PQstatus(c) == CONNECTION_OK && PQtransactionStatus(c) == PQTRANS_IDLE) {
      idle_.push_back(c);
    } else {
      if (c) PQfinish(c);
      --open_;
    }
    cv_.notify_one();
  }

  static std::optional<std::string> opt(const std::optional<int64_t>& v) {
    return v ? std::optional<std::string>(std::to_string(*v)) : std::nullopt;
  }

  Ran run(PGconn* c, const std::string& sql, const std::vector<std::optional<std::string>>& params,
          const std::string& what) {
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    PgResult r(PQexecParams(c, sql.c_str(), int(values.size()), nullptr, values.data(), nullptr, nullptr, 0));
    const ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return {std::move(r), ok_status()};
    std::string msg = r ? PQresultErrorMessage(r.get()) : PQerrorMessage(c);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    const char* state = r ? PQresultErrorField(r.get(), PG_DIAG_SQLSTATE) : nullptr;
    // The server is gone or going: the connection is bad, libpq made the error itself (no
    // SQLSTATE: "server closed the connection unexpectedly" while the status still reads OK),
    // a connection exception (class 08) or a shutdown (57P01-57P03). The rest is Internal.
    const std::string_view sqlstate = state ? state : "";
    const bool gone = PQstatus(c) != CONNECTION_OK || sqlstate.empty() || sqlstate.substr(0, 2) == "08" ||
                      sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03";
    const ErrorCode code = gone ? ErrorCode::Unavailable : ErrorCode::Internal;
    Ran out{std::move(r), make_error(code, location_ + ": " + what + " failed (" + msg + ")")};
    last_state_ = state ? state : "";
    return out;
  }

  // One statement on a pooled connection; a read whose connection was lost (a server restart
  // closes idle ones) is retried once on a fresh connection.
  Result<PgResult> query(const std::string& sql, const std::vector<std::optional<std::string>>& params,
                         const std::string& what) {
    for (int attempt = 0;; ++attempt) {
      Conn c(*this);
      ONDO_TRY(c.open());
      Ran r = run(c.get(), sql, params, what);
      if (r.status.ok()) return std::move(r.result);
      if (attempt == 0 && PQstatus(c.get()) != CONNECTION_OK && sql.rfind("SELECT", 0) == 0) continue;  // reads only
      return r.status.error();
    }
  }

  Status migrate_in_transaction(PGconn* c) {
    ONDO_TRY(run(c, "SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLock) + ")", {}, "lock for migration").status);
    ONDO_TRY(run(c, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY NOT NULL,"
                    " applied_at BIGINT NOT NULL DEFAULT (EXTRACT(EPOCH FROM now())::BIGINT))",
                 {}, "create schema_migrations")
                 .status);
    Ran v = run(c, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", {}, "read the schema version");
    ONDO_TRY(v.status);
    int version = std::stoi(PQgetvalue(v.result.get(), 0, 0));
    if (version > kSchemaVersion) return newer_schema_error(location_, version);
    for (; version < kSchemaVersion; ++version) {
      ONDO_TRY(run(c, kPostgresMigrations[size_t(version)], {}, "migration " + std::to_string(version + 1)).status);
      ONDO_TRY(run(c, "INSERT INTO schema_migrations (version) VALUES ($1)", {std::to_string(version + 1)},
                   "record migration " + std::to_string(version + 1))
                   .status);
    }
    return ok_status();
  }

  static std::optional<int64_t> opt_col(PGresult* r, int row, int col) {
    if (PQgetisnull(r, row, col)) return std::nullopt;
    return int64_t(std::stoll(PQgetvalue(r, row, col)));
  }

  Result<ApiKey> read_key(PGresult* r, int row) {
    auto s = [&](int col) { return std::string(PQgetvalue(r, row, col)); };
    auto n = [&](int col) { return int64_t(std::stoll(PQgetvalue(r, row, col))); };
    ApiKey k;
    k.id = s(0);
    k.hash = s(1);
    k.name = s(2);
    k.created_at = n(3);
    k.expires_at = opt_col(r, row, 4);
    k.revoked_at = opt_col(r, row, 5);
    const std::string what = location_ + ": api key '" + k.id + "'";
    ONDO_ASSIGN_OR_RETURN(k.models, decode_models(s(6), what));
    k.rpm = n(7);
    k.tpm = n(8);
    k.max_concurrent = n(9);
    k.budget_tokens = n(10);
    k.budget_period = s(11);
    ONDO_ASSIGN_OR_RETURN(k.metadata, decode_metadata(s(12), what));
    return k;
  }

  const std::string url_;
  const std::string location_;
  const int max_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<PGconn*> idle_;  // guarded by mu_
  int open_ = 0;               // connections out or idle; guarded by mu_
  static thread_local std::string last_state_;  // SQLSTATE of this thread's last failed statement

  // --- Response cache (issue 15.7). The put and the eviction are two statements: a crash
  // between them leaves the cache over its budget until the next put, never a broken entry. ---
 public:
  Result<std::optional<CachedResponse>> get_cached_response(std::string_view key, int64_t now_ms) override {
    ONDO_ASSIGN_OR_RETURN(PgResult r, query(kCacheHit, {std::string(key), std::to_string(now_ms)}, "read cached response"));
    if (PQntuples(r.get()) == 0) return std::optional<CachedResponse>();
    auto n = [&](int col) { return int64_t(std::stoll(PQgetvalue(r.get(), 0, col))); };
    CachedResponse e;
    e.key = PQgetvalue(r.get(), 0, 0);
    e.model = PQgetvalue(r.get(), 0, 1);
    e.body.assign(PQgetvalue(r.get(), 0, 2), size_t(PQgetlength(r.get(), 0, 2)));
    e.created_ms = n(3);
    e.expires_ms = n(4);
    e.last_used_ms = n(5);
    e.hits = n(6);
    return std::optional<CachedResponse>(std::move(e));
  }

  Status put_cached_response(const CachedResponse& e, int64_t max_bytes, int64_t now_ms) override {
    if (e.size() <= max_bytes) {  // a larger one would only push everything else out
      ONDO_TRY(query(kCachePut,
                   {e.key, e.model, e.body, std::to_string(e.size()), std::to_string(e.created_ms),
                    std::to_string(e.expires_ms), std::to_string(e.last_used_ms)},
                     "write cached response"));
    }
    ONDO_TRY(query(kCacheEvict, {std::to_string(now_ms), std::to_string(max_bytes)}, "evict cached responses"));
    return ok_status();
  }

  Result<CacheTotals> response_cache_totals() override {
    ONDO_ASSIGN_OR_RETURN(PgResult r, query(kCacheTotals, {}, "read cache totals"));
    return CacheTotals{int64_t(std::stoll(PQgetvalue(r.get(), 0, 0))), int64_t(std::stoll(PQgetvalue(r.get(), 0, 1)))};
  }
};

thread_local std::string PostgresStore::last_state_;

}  // namespace

Result<std::unique_ptr<Store>> open_postgres_store(const std::string& url, int pool_size) {
  auto store = std::make_unique<PostgresStore>(url, pool_size);
  ONDO_TRY(store->migrate());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace ondo::store
