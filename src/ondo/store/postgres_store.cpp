// The PostgreSQL engine: a small pool of libpq connections; every write is its own
// statement (autocommit), committed before it returns. Migrations run in one transaction
// under an advisory lock, so replicas starting together apply each migration once.
// Layer: store.
#include <libpq-fe.h>

#include <algorithm>
#include <variant>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "ondo/store/codec.h"
#include "ondo/store/fridge_sql.h"
#include "ondo/store/migrations.h"
#include "ondo/store/prompt_codec.h"
#include "ondo/store/store.h"
#include "ondo/store/usage_rollups.h"

namespace ondo::store {
namespace {

constexpr int64_t kMigrationLock = 0x6f6e646f;  // "ondo": the advisory lock id for migrations
// The limits' per-key advisory locks: (this class, hashtext(key id)), the two-int4 key space
// (apart from the single-bigint one of kMigrationLock).
constexpr int32_t kLimitsLockClass = 0x6c696d;  // "lim"

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
        std::to_string(k.budget_tokens), k.budget_period, encode_metadata(k.metadata), std::to_string(k.budget_nano_usd)};
    auto r = query(std::string("INSERT INTO api_keys (") + kApiKeyColumns +
                       ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
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

  // --- Collections (store.h "Collections"). File bytes live in files.content (bytea). ---
  Status insert_file(const FileRecord& f, std::string_view content) override {
    auto r = query(std::string("INSERT INTO files (") + kFileColumns + ", content) VALUES ($1, $2, $3, $4, $5, $6)",
                   {f.id, f.filename, f.purpose, std::to_string(f.bytes), std::to_string(f.created_at), to_bytea_hex(content)},
                   "insert file '" + f.id + "'");
    if (!r.ok()) {
      if (last_state_ == "23505") return make_error(ErrorCode::InvalidArgument, location_ + ": file '" + f.id + "' exists");
      return r.error();
    }
    return ok_status();
  }

  Result<std::optional<FileRecord>> find_file(std::string_view id) override {
    ONDO_ASSIGN_OR_RETURN(auto all, rows<FileRecord>(std::string("SELECT ") + kFileColumns + " FROM files WHERE id = $1",
                                                     {std::string(id)}, "read file", read_file_row));
    if (all.empty()) return std::optional<FileRecord>();
    return std::optional<FileRecord>(std::move(all[0]));
  }

  Result<std::vector<FileRecord>> list_files(std::string_view purpose) override {
    return rows<FileRecord>(std::string("SELECT ") + kFileColumns + " FROM files WHERE $1 = '' OR purpose = $1 ORDER BY created_at, id",
                            {std::string(purpose)}, "list files", read_file_row);
  }

  Result<std::string> read_file_content(std::string_view id) override {
    ONDO_ASSIGN_OR_RETURN(PgResult r, query("SELECT content FROM files WHERE id = $1", {std::string(id)},
                                            "read file '" + std::string(id) + "'"));
    if (PQntuples(r.get()) == 0) return make_error(ErrorCode::NotFound, location_ + ": no file '" + std::string(id) + "'");
    return from_bytea_hex(PQgetvalue(r.get(), 0, 0), location_ + ": file '" + std::string(id) + "'");
  }

  Status delete_file(std::string_view id) override {
    return change("DELETE FROM files WHERE id = $1", {std::string(id)}, "delete file", "file '" + std::string(id) + "'");
  }

  Status insert_vector_store(const VectorStoreRecord& v) override {
    auto r = query(std::string("INSERT INTO vector_stores (") + kVectorStoreColumns + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                   {v.id, v.name, std::to_string(v.created_at), v.embedding_model, std::to_string(v.dimensions), v.chunking_type,
                    std::to_string(v.max_chunk_size_tokens), std::to_string(v.chunk_overlap_tokens), v.metadata},
                   "insert vector store '" + v.id + "'");
    if (!r.ok()) {
      if (last_state_ == "23505") return make_error(ErrorCode::InvalidArgument, location_ + ": vector store '" + v.id + "' exists");
      return r.error();
    }
    return ok_status();
  }

  Result<std::optional<VectorStoreRecord>> find_vector_store(std::string_view id) override {
    ONDO_ASSIGN_OR_RETURN(auto all, rows<VectorStoreRecord>(std::string("SELECT ") + kVectorStoreColumns + " FROM vector_stores WHERE id = $1",
                                                            {std::string(id)}, "read vector store", read_store_row));
    if (all.empty()) return std::optional<VectorStoreRecord>();
    return std::optional<VectorStoreRecord>(std::move(all[0]));
  }

  Result<std::vector<VectorStoreRecord>> list_vector_stores() override {
    return rows<VectorStoreRecord>(std::string("SELECT ") + kVectorStoreColumns + " FROM vector_stores ORDER BY created_at, id", {},
                                   "list vector stores", read_store_row);
  }

  Status delete_vector_store(std::string_view id) override {
    return change("DELETE FROM vector_stores WHERE id = $1", {std::string(id)}, "delete vector store",
                  "vector store '" + std::string(id) + "'");
  }

  Result<FileCounts> vector_store_file_counts(std::string_view vs) override {
    ONDO_ASSIGN_OR_RETURN(PgResult r, query("SELECT status, COUNT(*), COALESCE(SUM(usage_bytes), 0) FROM vector_store_files"
                                            " WHERE vector_store_id = $1 GROUP BY status",
                                            {std::string(vs)}, "count vector store files"));
    FileCounts c;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      add_count(c, PQgetvalue(r.get(), i, 0), std::stoll(PQgetvalue(r.get(), i, 1)), std::stoll(PQgetvalue(r.get(), i, 2)));
    }
    return c;
  }

  Status insert_vector_store_file(const VectorStoreFileRecord& f) override {
    const std::string what = "file '" + f.file_id + "' in vector store '" + f.vector_store_id + "'";
    auto r = query(std::string("INSERT INTO vector_store_files (") + kVectorStoreFileColumns +
                       ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                   {f.vector_store_id, f.file_id, std::to_string(f.created_at), f.status, f.last_error_code, f.last_error_message,
                    f.attributes, std::to_string(f.max_chunk_size_tokens), std::to_string(f.chunk_overlap_tokens), f.chunking_type,
                    std::to_string(f.usage_bytes), std::to_string(f.chunk_count)},
                   "insert " + what);
    if (!r.ok()) {
      if (last_state_ == "23505") return make_error(ErrorCode::InvalidArgument, location_ + ": " + what + " exists");
      if (last_state_ == "23503") return make_error(ErrorCode::NotFound, location_ + ": " + what + ": no such vector store or file");
      return r.error();
    }
    return ok_status();
  }

  Result<std::optional<VectorStoreFileRecord>> find_vector_store_file(std::string_view vs, std::string_view file_id) override {
    ONDO_ASSIGN_OR_RETURN(auto all, rows<VectorStoreFileRecord>(std::string("SELECT ") + kVectorStoreFileColumns +
                                                                    " FROM vector_store_files WHERE vector_store_id = $1 AND file_id = $2",
                                                                {std::string(vs), std::string(file_id)}, "read vector store file",
                                                                read_vs_file_row));
    if (all.empty()) return std::optional<VectorStoreFileRecord>();
    return std::optional<VectorStoreFileRecord>(std::move(all[0]));
  }

  Result<std::vector<VectorStoreFileRecord>> list_vector_store_files(std::string_view vs, std::string_view status) override {
    return rows<VectorStoreFileRecord>(std::string("SELECT ") + kVectorStoreFileColumns +
                                           " FROM vector_store_files WHERE vector_store_id = $1 AND ($2 = '' OR status = $2)"
                                           " ORDER BY created_at, file_id",
                                       {std::string(vs), std::string(status)}, "list vector store files", read_vs_file_row);
  }

  Result<std::vector<VectorStoreFileRecord>> list_files_in_status(std::string_view status) override {
    return rows<VectorStoreFileRecord>(std::string("SELECT ") + kVectorStoreFileColumns +
                                           " FROM vector_store_files WHERE status = $1 ORDER BY created_at, vector_store_id, file_id",
                                       {std::string(status)}, "list vector store files", read_vs_file_row);
  }

  Status delete_vector_store_file(std::string_view vs, std::string_view file_id) override {
    return change("DELETE FROM vector_store_files WHERE vector_store_id = $1 AND file_id = $2",
                  {std::string(vs), std::string(file_id)}, "delete vector store file",
                  "file '" + std::string(file_id) + "' in vector store '" + std::string(vs) + "'");
  }

  Result<std::vector<ChunkRecord>> complete_vector_store_file(std::string_view vs, std::string_view file_id,
                                                              std::vector<ChunkRecord> chunks) override {
    Conn c(*this);
    ONDO_TRY(c.open());
    ONDO_TRY(run(c.get(), "BEGIN", {}, "begin indexing").status);
    Status st = write_chunks(c.get(), std::string(vs), std::string(file_id), chunks);
    if (st.ok()) st = run(c.get(), "COMMIT", {}, "commit indexing").status;
    if (!st.ok()) {
      (void)run(c.get(), "ROLLBACK", {}, "roll back indexing");
      return st.error();
    }
    return chunks;
  }

  Status fail_vector_store_file(std::string_view vs, std::string_view file_id, std::string_view code,
                                std::string_view message) override {
    return change("UPDATE vector_store_files SET status = 'failed', last_error_code = $3, last_error_message = $4"
                  " WHERE vector_store_id = $1 AND file_id = $2 AND status = 'in_progress'",
                  {std::string(vs), std::string(file_id), std::string(code), std::string(message)}, "mark file failed",
                  "file '" + std::string(file_id) + "' in progress in vector store '" + std::string(vs) + "'");
  }

  Result<std::vector<ChunkRecord>> list_chunks(std::string_view vs) override {
    return rows<ChunkRecord>("SELECT id, vector_store_id, file_id, seq, text, vector, attributes FROM chunks"
                             " WHERE vector_store_id = $1 ORDER BY id",
                             {std::string(vs)}, "list chunks", [&](PGresult* r, int i) { return read_chunk_row(r, i, true); });
  }

  Result<std::vector<ChunkRecord>> get_chunks(std::string_view vs, const std::vector<int64_t>& ids, bool with_vectors) override {
    std::vector<ChunkRecord> out;
    if (ids.empty()) return out;
    std::string list = "{";
    for (size_t i = 0; i < ids.size(); ++i) list += (i ? "," : "") + std::to_string(ids[i]);
    list += "}";
    ONDO_ASSIGN_OR_RETURN(auto got, rows<ChunkRecord>(std::string("SELECT id, vector_store_id, file_id, seq, text, ") +
                                                          (with_vectors ? "vector" : "''::bytea") +
                                                          ", attributes FROM chunks WHERE vector_store_id = $1 AND id = ANY($2::bigint[])",
                                                      {std::string(vs), list}, "read chunks",
                                                      [&](PGresult* r, int i) { return read_chunk_row(r, i, with_vectors); }));
    for (int64_t id : ids) {  // in the order asked
      for (ChunkRecord& c : got) {
        if (c.id == id) out.push_back(std::move(c));
      }
    }
    return out;
  }

  Result<std::vector<LexicalHit>> lexical_search(std::string_view vs, std::string_view query_text, int limit) override {
    const std::vector<std::string> words = query_words(query_text);
    std::vector<LexicalHit> out;
    if (words.empty() || limit <= 0) return out;
    // Each word becomes its own tsquery (so nothing in it is tsquery syntax), OR-ed together.
    std::string tsq;
    std::vector<std::optional<std::string>> params = {std::string(vs), std::to_string(limit)};
    for (const std::string& w : words) {
      params.push_back(w);
      tsq += std::string(tsq.empty() ? "" : " || ") + "plainto_tsquery('english', $" + std::to_string(params.size()) + ")";
    }
    ONDO_ASSIGN_OR_RETURN(PgResult r, query("SELECT id, ts_rank_cd(tsv, q) AS score FROM chunks, (SELECT " + tsq +
                                                " AS q) qq WHERE vector_store_id = $1 AND tsv @@ q ORDER BY score DESC, id LIMIT $2",
                                            params, "full-text search"));
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      out.push_back({std::stoll(PQgetvalue(r.get(), i, 0)), std::stod(PQgetvalue(r.get(), i, 1))});
    }
    return out;
  }

  // --- Usage (issue 15.4): rows and their rollups in one transaction ---
  // Each chunk of rows is one statement (the insert in a WITH, the rollup upsert after it);
  // several chunks run inside BEGIN/COMMIT.
  Status record_usage(std::span<const UsageRow> rows) override {
    if (rows.empty()) return ok_status();
    Conn c(*this);
    ONDO_TRY(c.open());
    const bool several = rows.size() > kUsageChunk;
    if (several) ONDO_TRY(run(c.get(), "BEGIN", {}, "begin usage write").status);
    Status st = ok_status();
    for (size_t at = 0; at < rows.size() && st.ok(); at += kUsageChunk) {
      const std::span<const UsageRow> chunk = rows.subspan(at, std::min(kUsageChunk, rows.size() - at));
      const std::vector<UsageTotals> deltas = rollup_deltas(chunk);
      const std::vector<UsageTotals> months = monthly_deltas(deltas);
      const std::vector<UsageTotals> model_days = model_day_deltas(deltas);
      const std::vector<UsageTotals> key_models = key_model_day_deltas(deltas);
      const std::vector<UsageTotals> key_prompts = key_prompt_day_deltas(deltas);
      std::vector<SqlParam> params;
      params.reserve(chunk.size() * 15 +
                     (deltas.size() + months.size() + model_days.size() + key_models.size() + key_prompts.size()) * 27);
      for (const UsageRow& r : chunk) append_row_params(r, params);
      for (const UsageTotals& t : deltas) append_delta_params(t, params);
      const size_t monthly_first = params.size() + 1;
      for (const UsageTotals& t : months) append_delta_params(t, params);
      const size_t model_day_first = params.size() + 1;
      for (const UsageTotals& t : model_days) append_delta_params(t, params);
      const size_t key_model_first = params.size() + 1;
      for (const UsageTotals& t : key_models) append_delta_params(t, params);
      const size_t key_prompt_first = params.size() + 1;
      for (const UsageTotals& t : key_prompts) append_delta_params(t, params);
      const std::string sql =
          "WITH inserted AS (" + usage_rows_insert(chunk.size(), '$', 1) + " RETURNING seq, time_ms), day_seq AS (" +
          kUsageDaySeqUpsert + "), daily AS (" +
          usage_rollup_upsert("usage_daily", deltas.size(), '$', chunk.size() * 15 + 1, true) + "), model_day AS (" +
          usage_rollup_upsert("usage_daily_model", model_days.size(), '$', model_day_first, true) + "), key_model AS (" +
          usage_rollup_upsert("usage_daily_key_model", key_models.size(), '$', key_model_first, true) + "), key_prompt AS (" +
          usage_rollup_upsert("usage_daily_key_prompt", key_prompts.size(), '$', key_prompt_first, true) + ") " +
          usage_rollup_upsert("usage_monthly", months.size(), '$', monthly_first, true);
      st = run(c.get(), sql, text_params(params), "write usage").status;
    }
    if (several) {
      if (st.ok()) st = run(c.get(), "COMMIT", {}, "commit usage").status;
      if (!st.ok()) (void)run(c.get(), "ROLLBACK", {}, "roll back usage");
    }
    return st;
  }

  Result<std::vector<UsageTotals>> usage_totals(const UsageQuery& q) override {
    const Sql sql = usage_totals_select(q, '$');
    ONDO_ASSIGN_OR_RETURN(PgResult r, query(sql.text, text_params(sql.params), "read usage totals"));
    std::vector<UsageTotals> out;
    std::vector<std::string> groups(q.group_by.size());
    std::vector<int64_t> figures(kUsageFigureColumns);
    for (int row = 0; row < PQntuples(r.get()); ++row) {
      for (size_t i = 0; i < groups.size(); ++i) groups[i] = PQgetvalue(r.get(), row, int(i));
      for (size_t i = 0; i < figures.size(); ++i) figures[i] = std::stoll(PQgetvalue(r.get(), row, int(groups.size() + i)));
      ONDO_ASSIGN_OR_RETURN(UsageTotals t, totals_from_result(q, groups, figures));
      out.push_back(std::move(t));
    }
    return out;
  }

  Result<std::vector<UsageRow>> usage_rows(const UsageRowsQuery& q) override {
    const Sql sql = usage_rows_select(q, '$', true);
    ONDO_ASSIGN_OR_RETURN(PgResult r, query(sql.text, text_params(sql.params), "read usage rows"));
    std::vector<UsageRow> out;
    PGresult* res = r.get();
    for (int row = 0; row < PQntuples(res); ++row) {
      out.push_back(usage_row_from([res, row](int i) { return int64_t(std::stoll(PQgetvalue(res, row, i))); },
                                   [res, row](int i) { return std::string(PQgetvalue(res, row, i)); }));
    }
    return out;
  }

  // ---- Limits (issue 15.3): one transactional counter for every replica ----
  // Admission is one transaction holding a per-key advisory lock (so the budget, the window
  // and the leases are decided together, in order, by every replica); its writes are guarded
  // upserts (INSERT ... ON CONFLICT ... DO UPDATE ... WHERE <room left> RETURNING), each
  // atomic on its own. A refusal writes nothing.
  Result<LimitState> admit_request(const AdmitRequest& r) override {
    Conn c(*this);
    ONDO_TRY(c.open());
    ONDO_TRY(run(c.get(), "BEGIN", {}, "begin admission").status);
    Result<LimitState> st = admit_in_transaction(c.get(), r);
    if (st.ok() && st->admitted) {
      if (Status done = run(c.get(), "COMMIT", {}, "commit admission").status; !done.ok()) return done.error();
      return st;
    }
    (void)run(c.get(), "ROLLBACK", {}, "end admission");
    return st;
  }

  // One statement: the window's tokens corrected, the lease released, the spend corrected.
  Status settle_request(const Settlement& s) override {
    const std::string what = "settle a request of api key '" + s.key_id + "'";
    auto r = query("WITH w AS (UPDATE limit_windows SET tokens = GREATEST(0, tokens + $3::bigint)"
                   "  WHERE key_id = $1 AND window_start = $2::bigint AND $3::bigint <> 0),"
                   " l AS (DELETE FROM limit_leases WHERE key_id = $1 AND lease_id = $4 AND $8),"
                   " b AS (UPDATE limit_spend SET tokens = tokens + $6::bigint, nano_usd = nano_usd + $7::bigint"
                   "  WHERE key_id = $1 AND period_start = $5::bigint AND $9)"
                   " SELECT 1",
                   {s.key_id, std::to_string(s.window_start_ms), std::to_string(s.used_tokens - s.reserved_tokens),
                    s.lease_id, std::to_string(s.period_start), std::to_string(s.used_tokens - s.reserved_tokens),
                    std::to_string(s.used_nano_usd - s.reserved_nano_usd), s.lease ? "true" : "false",
                    s.budgeted ? "true" : "false"},
                   what);
    return r.ok() ? ok_status() : Status(r.error());
  }

  Result<LimitState> peek_limits(const std::string& key_id, const LimitRules& rules, int64_t now_ms) override {
    LimitState st = limit_frame(rules, now_ms);
    ONDO_ASSIGN_OR_RETURN(PgResult r, query(std::string(kReadCounters), counter_params(key_id, st, now_ms),
                                            "read the limits of api key '" + key_id + "'"));
    read_counters(r.get(), st);
    return st;
  }

 private:
  // Rows per statement: 15 parameters a row and 27 a rollup delta, each row giving at most one
  // delta to each of the five rollups (daily, monthly, day x model, day x key x model, day x key
  // x prompt): 400 x (15 + 5 x 27) = 60000, under PostgreSQL's 65535.
  static constexpr size_t kUsageChunk = 400;
  // The least seq of each day of the rows just inserted, kept in usage_day_seq (the floor
  // of usage_rows_select); LEAST commutes, so concurrent writers keep it exact.
  static constexpr const char* kUsageDaySeqUpsert =
      "INSERT INTO usage_day_seq (day, min_seq) SELECT FLOOR(time_ms::numeric / 86400000)::bigint, MIN(seq)"
      " FROM inserted GROUP BY 1 ON CONFLICT (day) DO UPDATE SET min_seq = LEAST(usage_day_seq.min_seq, excluded.min_seq)";

  static std::vector<std::optional<std::string>> text_params(const std::vector<SqlParam>& params) {
    std::vector<std::optional<std::string>> out;
    out.reserve(params.size());
    for (const SqlParam& p : params) {
      if (const int64_t* v = std::get_if<int64_t>(&p)) out.emplace_back(std::to_string(*v));
      else out.emplace_back(std::get<std::string>(p));
    }
    return out;
  }

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

  // The counters of one key: requests and tokens of window $2, live leases at $3, spend of
  // period $4.
  static constexpr const char* kReadCounters =
      "SELECT COALESCE((SELECT requests FROM limit_windows WHERE key_id = $1 AND window_start = $2::bigint), 0),"
      " COALESCE((SELECT tokens FROM limit_windows WHERE key_id = $1 AND window_start = $2::bigint), 0),"
      " (SELECT count(*) FROM limit_leases WHERE key_id = $1 AND expires_at > $3::bigint),"
      " COALESCE((SELECT tokens FROM limit_spend WHERE key_id = $1 AND period_start = $4::bigint), 0),"
      " COALESCE((SELECT nano_usd FROM limit_spend WHERE key_id = $1 AND period_start = $4::bigint), 0)";

  static LimitState limit_frame(const LimitRules& rules, int64_t now_ms) {
    LimitState st;
    st.window_start_ms = limit_window_start(now_ms);
    if (rules.budgeted()) st.period_start = budget_period_start(rules.budget_period, now_ms / 1000);
    return st;
  }
  static std::vector<std::optional<std::string>> counter_params(const std::string& key_id, const LimitState& st,
                                                                int64_t now_ms) {
    return {key_id, std::to_string(st.window_start_ms), std::to_string(now_ms), std::to_string(st.period_start)};
  }
  static void read_counters(PGresult* r, LimitState& st) {
    auto n = [&](int col) { return int64_t(std::stoll(PQgetvalue(r, 0, col))); };
    st.requests = n(0);
    st.tokens = n(1);
    st.in_flight = n(2);
    st.spent_tokens = n(3);
    st.spent_nano_usd = n(4);
  }

  // Lock, clean up, read, decide; then the guarded writes (under the lock their guards hold;
  // a guard that does not is still a refusal, never an overrun).
  Result<LimitState> admit_in_transaction(PGconn* c, const AdmitRequest& r) {
    const std::string what = "admit a request of api key '" + r.key_id + "'";
    const LimitRules& rules = r.rules;
    LimitState st = limit_frame(rules, r.now_ms);
    ONDO_TRY(run(c, "SELECT pg_advisory_xact_lock($1::int, hashtext($2))", {std::to_string(kLimitsLockClass), r.key_id}, what)
                 .status);
    ONDO_TRY(run(c, "DELETE FROM limit_leases WHERE key_id = $1 AND expires_at <= $2::bigint", {r.key_id, std::to_string(r.now_ms)}, what)
                 .status);
    ONDO_TRY(run(c, "DELETE FROM limit_windows WHERE key_id = $1 AND window_start < $2::bigint",
                 {r.key_id, std::to_string(st.window_start_ms - kLimitWindowMs)}, what)
                 .status);
    Ran counters = run(c, kReadCounters, counter_params(r.key_id, st, r.now_ms), what);
    ONDO_TRY(counters.status);
    read_counters(counters.result.get(), st);
    if (rules.budget_tokens && st.spent_tokens + r.tokens > rules.budget_tokens) st.refused = LimitRefusal::BudgetTokens;
    else if (rules.budget_nano_usd && st.spent_nano_usd + r.nano_usd > rules.budget_nano_usd) st.refused = LimitRefusal::BudgetUsd;
    else if (rules.rpm && st.requests + 1 > rules.rpm) st.refused = LimitRefusal::Requests;
    else if (rules.tpm && st.tokens + r.tokens > rules.tpm) st.refused = LimitRefusal::Tokens;
    else if (rules.max_concurrent && st.in_flight >= rules.max_concurrent) st.refused = LimitRefusal::Concurrent;
    if (st.refused != LimitRefusal::None) return st;
    const std::string tokens = std::to_string(r.tokens);
    if (rules.budgeted()) {
      Ran b = run(c, "INSERT INTO limit_spend AS s (key_id, period_start, tokens, nano_usd) VALUES ($1, $2::bigint, $3::bigint, $4::bigint)"
                     " ON CONFLICT (key_id, period_start) DO UPDATE SET tokens = s.tokens + $3::bigint, nano_usd = s.nano_usd + $4::bigint"
                     " WHERE ($5::bigint = 0 OR s.tokens + $3::bigint <= $5::bigint) AND ($6::bigint = 0 OR s.nano_usd + $4::bigint <= $6::bigint)"
                     " RETURNING tokens, nano_usd",
                  {r.key_id, std::to_string(st.period_start), tokens, std::to_string(r.nano_usd),
                   std::to_string(rules.budget_tokens), std::to_string(rules.budget_nano_usd)},
                  what);
      ONDO_TRY(b.status);
      if (PQntuples(b.result.get()) == 0) return refused(st, LimitRefusal::BudgetTokens);
      st.spent_tokens = std::stoll(PQgetvalue(b.result.get(), 0, 0));
      st.spent_nano_usd = std::stoll(PQgetvalue(b.result.get(), 0, 1));
    }
    Ran w = run(c, "INSERT INTO limit_windows AS w (key_id, window_start, requests, tokens) VALUES ($1, $2::bigint, 1, $3::bigint)"
                   " ON CONFLICT (key_id, window_start) DO UPDATE SET requests = w.requests + 1, tokens = w.tokens + $3::bigint"
                   " WHERE ($4::bigint = 0 OR w.requests < $4::bigint) AND ($5::bigint = 0 OR w.tokens + $3::bigint <= $5::bigint)"
                   " RETURNING requests, tokens",
                {r.key_id, std::to_string(st.window_start_ms), tokens, std::to_string(rules.rpm), std::to_string(rules.tpm)},
                what);
    ONDO_TRY(w.status);
    if (PQntuples(w.result.get()) == 0) return refused(st, LimitRefusal::Requests);
    st.requests = std::stoll(PQgetvalue(w.result.get(), 0, 0));
    st.tokens = std::stoll(PQgetvalue(w.result.get(), 0, 1));
    if (rules.max_concurrent) {
      Ran l = run(c, "INSERT INTO limit_leases (key_id, lease_id, expires_at) SELECT $1, $2, $3::bigint"
                     " WHERE (SELECT count(*) FROM limit_leases WHERE key_id = $1 AND expires_at > $4::bigint) < $5::bigint"
                     " RETURNING (SELECT count(*) FROM limit_leases WHERE key_id = $1 AND expires_at > $4::bigint) + 1",
                  {r.key_id, r.lease_id, std::to_string(r.now_ms + r.lease_ttl_ms), std::to_string(r.now_ms),
                   std::to_string(rules.max_concurrent)},
                  what);
      ONDO_TRY(l.status);
      if (PQntuples(l.result.get()) == 0) return refused(st, LimitRefusal::Concurrent);
      st.in_flight = std::stoll(PQgetvalue(l.result.get(), 0, 0));
    }
    st.admitted = true;
    return st;
  }

  static LimitState refused(LimitState st, LimitRefusal why) {
    st.refused = why;
    return st;
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
    k.budget_nano_usd = n(13);
    return k;
  }

  // --- Collections: helpers. ---
  template <typename T, typename Read>
  Result<std::vector<T>> rows(const std::string& sql, const std::vector<std::optional<std::string>>& params,
                              const std::string& what, Read read) {
    ONDO_ASSIGN_OR_RETURN(PgResult r, query(sql, params, what));
    std::vector<T> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      Result<T> row = read(r.get(), i);
      if (!row.ok()) return row.error();
      out.push_back(std::move(*row));
    }
    return out;
  }

  // A write that must change a row; none: NotFound naming `subject`.
  Status change(const std::string& sql, const std::vector<std::optional<std::string>>& params, const std::string& what,
                const std::string& subject) {
    ONDO_ASSIGN_OR_RETURN(PgResult r, query(sql, params, what));
    if (std::string(PQcmdTuples(r.get())) == "0") return make_error(ErrorCode::NotFound, location_ + ": no " + subject);
    return ok_status();
  }

  static Result<FileRecord> read_file_row(PGresult* r, int i) {
    return FileRecord{PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), std::stoll(PQgetvalue(r, i, 3)),
                      std::stoll(PQgetvalue(r, i, 4))};
  }
  static Result<VectorStoreRecord> read_store_row(PGresult* r, int i) {
    VectorStoreRecord v;
    v.id = PQgetvalue(r, i, 0);
    v.name = PQgetvalue(r, i, 1);
    v.created_at = std::stoll(PQgetvalue(r, i, 2));
    v.embedding_model = PQgetvalue(r, i, 3);
    v.dimensions = std::stoi(PQgetvalue(r, i, 4));
    v.chunking_type = PQgetvalue(r, i, 5);
    v.max_chunk_size_tokens = std::stoi(PQgetvalue(r, i, 6));
    v.chunk_overlap_tokens = std::stoi(PQgetvalue(r, i, 7));
    v.metadata = PQgetvalue(r, i, 8);
    return v;
  }
  static Result<VectorStoreFileRecord> read_vs_file_row(PGresult* r, int i) {
    VectorStoreFileRecord f;
    f.vector_store_id = PQgetvalue(r, i, 0);
    f.file_id = PQgetvalue(r, i, 1);
    f.created_at = std::stoll(PQgetvalue(r, i, 2));
    f.status = PQgetvalue(r, i, 3);
    f.last_error_code = PQgetvalue(r, i, 4);
    f.last_error_message = PQgetvalue(r, i, 5);
    f.attributes = PQgetvalue(r, i, 6);
    f.max_chunk_size_tokens = std::stoi(PQgetvalue(r, i, 7));
    f.chunk_overlap_tokens = std::stoi(PQgetvalue(r, i, 8));
    f.chunking_type = PQgetvalue(r, i, 9);
    f.usage_bytes = std::stoll(PQgetvalue(r, i, 10));
    f.chunk_count = std::stoll(PQgetvalue(r, i, 11));
    return f;
  }
  Result<ChunkRecord> read_chunk_row(PGresult* r, int i, bool with_vector) {
    ChunkRecord c;
    c.id = std::stoll(PQgetvalue(r, i, 0));
    c.vector_store_id = PQgetvalue(r, i, 1);
    c.file_id = PQgetvalue(r, i, 2);
    c.seq = std::stoi(PQgetvalue(r, i, 3));
    c.text = PQgetvalue(r, i, 4);
    if (with_vector) {
      const std::string what = location_ + ": chunk " + std::to_string(c.id);
      ONDO_ASSIGN_OR_RETURN(std::string bytes, from_bytea_hex(PQgetvalue(r, i, 5), what));
      ONDO_ASSIGN_OR_RETURN(c.vector, decode_vector(bytes, what));
    }
    c.attributes = PQgetvalue(r, i, 6);
    return c;
  }

  // The body of complete_vector_store_file() inside its transaction on `c`.
  Status write_chunks(PGconn* c, const std::string& vs, const std::string& file_id, std::vector<ChunkRecord>& chunks) {
    const std::string subject = "file '" + file_id + "' in progress in vector store '" + vs + "'";
    Ran found = run(c, "SELECT v.dimensions FROM vector_store_files f JOIN vector_stores v ON v.id = f.vector_store_id"
                       " WHERE f.vector_store_id = $1 AND f.file_id = $2 AND f.status = 'in_progress' FOR UPDATE",
                    {vs, file_id}, "read " + subject);
    ONDO_TRY(found.status);
    if (PQntuples(found.result.get()) == 0) return make_error(ErrorCode::NotFound, location_ + ": no " + subject);
    const int32_t dims = std::stoi(PQgetvalue(found.result.get(), 0, 0));
    ONDO_ASSIGN_OR_RETURN(const int32_t width, check_chunk_widths(chunks, dims, location_ + ": " + subject));
    int64_t usage = 0;
    for (ChunkRecord& ch : chunks) {
      const std::string blob = encode_vector(ch.vector);
      Ran ins = run(c, "INSERT INTO chunks (vector_store_id, file_id, seq, text, vector, attributes) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    {vs, file_id, std::to_string(ch.seq), ch.text, to_bytea_hex(blob), ch.attributes}, "insert a chunk of " + subject);
      ONDO_TRY(ins.status);
      ch.id = std::stoll(PQgetvalue(ins.result.get(), 0, 0));
      ch.vector_store_id = vs;
      ch.file_id = file_id;
      usage += int64_t(ch.text.size() + blob.size());
    }
    if (dims == 0 && width > 0) {
      ONDO_TRY(run(c, "UPDATE vector_stores SET dimensions = $2 WHERE id = $1", {vs, std::to_string(width)},
                   "set the vector store's dimensions").status);
    }
    return run(c, "UPDATE vector_store_files SET status = 'completed', chunk_count = $3, usage_bytes = $4"
                  " WHERE vector_store_id = $1 AND file_id = $2",
               {vs, file_id, std::to_string(chunks.size()), std::to_string(usage)}, "mark file completed").status;
  }

  // --- Guardrails (issue 15.6) ---
 public:
  Status put_guardrail_policy(const GuardrailPolicy& p) override {
    auto r = query("INSERT INTO guardrail_policies (name, body, created_at, updated_at) VALUES ($1, $2, $3, $4)"
                   " ON CONFLICT (name) DO UPDATE SET body = EXCLUDED.body, updated_at = EXCLUDED.updated_at",
                   {p.name, p.body, std::to_string(p.created_at), std::to_string(p.updated_at)},
                   "write guardrail policy '" + p.name + "'");
    if (!r.ok()) return r.error();
    return ok_status();
  }

  Result<std::optional<GuardrailPolicy>> find_guardrail_policy(std::string_view name) override {
    ONDO_ASSIGN_OR_RETURN(auto rows, policies("SELECT name, body, created_at, updated_at FROM guardrail_policies"
                                              " WHERE name = $1", {std::string(name)}));
    if (rows.empty()) return std::optional<GuardrailPolicy>();
    return std::optional<GuardrailPolicy>(std::move(rows[0]));
  }

  Result<std::vector<GuardrailPolicy>> list_guardrail_policies() override {
    return policies("SELECT name, body, created_at, updated_at FROM guardrail_policies ORDER BY name", {});
  }

  Status delete_guardrail_policy(std::string_view name) override {
    ONDO_ASSIGN_OR_RETURN(PgResult r, query("DELETE FROM guardrail_policies WHERE name = $1", {std::string(name)},
                                            "delete guardrail policy '" + std::string(name) + "'"));
    if (std::string(PQcmdTuples(r.get())) == "0") {
      return make_error(ErrorCode::NotFound, location_ + ": no guardrail policy '" + std::string(name) + "'");
    }
    return ok_status();
  }

  Status attach_guardrail_policy(const GuardrailAttachment& a) override {
    ONDO_TRY(check_attachment(a.scope, a.target));
    auto r = query("INSERT INTO guardrail_attachments (scope, target, policy, created_at) VALUES ($1, $2, $3, $4)"
                   " ON CONFLICT DO NOTHING",
                   {a.scope, a.target, a.policy, std::to_string(a.created_at)}, "attach guardrail policy '" + a.policy + "'");
    if (!r.ok() && last_state_ == "23503") {  // foreign key: no such policy
      return make_error(ErrorCode::NotFound, location_ + ": no guardrail policy '" + a.policy + "'");
    }
    if (!r.ok()) return r.error();
    return ok_status();
  }

  Status detach_guardrail_policy(std::string_view scope, std::string_view target, std::string_view policy) override {
    ONDO_ASSIGN_OR_RETURN(PgResult r, query("DELETE FROM guardrail_attachments WHERE scope = $1 AND target = $2 AND policy = $3",
                                            {std::string(scope), std::string(target), std::string(policy)},
                                            "detach guardrail policy '" + std::string(policy) + "'"));
    if (std::string(PQcmdTuples(r.get())) == "0") return no_attachment_error(location_, scope, target, policy);
    return ok_status();
  }

  Result<std::vector<GuardrailAttachment>> list_guardrail_attachments() override {
    ONDO_ASSIGN_OR_RETURN(PgResult r, query("SELECT scope, target, policy, created_at FROM guardrail_attachments"
                                            " ORDER BY policy, scope, target", {}, "list guardrail attachments"));
    std::vector<GuardrailAttachment> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      out.push_back({PQgetvalue(r.get(), i, 0), PQgetvalue(r.get(), i, 1), PQgetvalue(r.get(), i, 2),
                     int64_t(std::stoll(PQgetvalue(r.get(), i, 3)))});
    }
    return out;
  }

  Result<std::vector<GuardrailPolicy>> guardrail_policies_for(std::string_view key_id, std::string_view prompt_name) override {
    return policies("SELECT name, body, created_at, updated_at FROM guardrail_policies WHERE name IN ("
                    " SELECT policy FROM guardrail_attachments WHERE scope = 'global'"
                    " OR (scope = 'key' AND target = $1 AND $1 <> '') OR (scope = 'prompt' AND target = $2 AND $2 <> ''))"
                    " ORDER BY name",
                    {std::string(key_id), std::string(prompt_name)});
  }

  Status insert_guardrail_decisions(const std::vector<GuardrailDecision>& decisions) override {
    if (decisions.empty()) return ok_status();
    Conn c(*this);
    ONDO_TRY(c.open());
    ONDO_TRY(run(c.get(), "BEGIN", {}, "begin writing guardrail decisions").status);
    Status st = ok_status();
    for (const GuardrailDecision& d : decisions) {
      st = run(c.get(), "INSERT INTO guardrail_decisions (at, request_id, key_id, policy, rule, reason, stage, action,"
                        " span_begin, span_end) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
               {std::to_string(d.at), d.request_id, d.key_id, d.policy, d.rule, d.reason, d.stage, d.action,
                std::to_string(d.span_begin), std::to_string(d.span_end)},
               "write guardrail decision of '" + d.request_id + "'")
               .status;
      if (!st.ok()) break;
    }
    if (st.ok()) st = run(c.get(), "COMMIT", {}, "commit guardrail decisions").status;
    if (!st.ok()) (void)run(c.get(), "ROLLBACK", {}, "roll back guardrail decisions");
    return st;
  }

  Result<std::vector<GuardrailDecision>> list_guardrail_decisions(const GuardrailDecisionQuery& q) override {
    ONDO_ASSIGN_OR_RETURN(
        PgResult r, query(std::string("SELECT ") + kGuardrailDecisionColumns +
                              " FROM guardrail_decisions WHERE ($1 = '' OR request_id = $1)"
                              " AND ($2::BIGINT IS NULL OR at >= $2::BIGINT) AND ($3::BIGINT IS NULL OR at < $3::BIGINT)"
                              " ORDER BY at, id LIMIT $4",
                          {q.request_id, opt(q.from), opt(q.to), std::to_string(q.limit)}, "list guardrail decisions"));
    std::vector<GuardrailDecision> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      auto s = [&](int col) { return std::string(PQgetvalue(r.get(), i, col)); };
      auto n = [&](int col) { return int64_t(std::stoll(PQgetvalue(r.get(), i, col))); };
      out.push_back({n(0), n(1), s(2), s(3), s(4), s(5), s(6), s(7), s(8), n(9), n(10)});
    }
    return out;
  }

 private:
  Result<std::vector<GuardrailPolicy>> policies(const std::string& sql, const std::vector<std::optional<std::string>>& params) {
    ONDO_ASSIGN_OR_RETURN(PgResult r, query(sql, params, "read guardrail policies"));
    std::vector<GuardrailPolicy> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      out.push_back({PQgetvalue(r.get(), i, 0), PQgetvalue(r.get(), i, 1), int64_t(std::stoll(PQgetvalue(r.get(), i, 2))),
                     int64_t(std::stoll(PQgetvalue(r.get(), i, 3)))});
    }
    return out;
  }

  const std::string url_;
  const std::string location_;
  const int max_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<PGconn*> idle_;  // guarded by mu_
  int open_ = 0;               // connections out or idle; guarded by mu_
  static thread_local std::string last_state_;  // SQLSTATE of this thread's last failed statement

  // --- Prompt registry (issue 15.5). A version's number is MAX + 1 inside its INSERT; two
  // replicas adding at once collide on the primary key and the loser retries with the next.
 public:
  Status insert_prompt(const Prompt& p) override {
    auto r = query("INSERT INTO prompts (name, description, created_at) VALUES ($1, $2, $3)",
                   {p.name, p.description, std::to_string(p.created_at)}, "insert prompt '" + p.name + "'");
    if (!r.ok()) {
      if (last_state_ == "23505") return make_error(ErrorCode::InvalidArgument, "prompt '" + p.name + "' exists");
      return r.error();
    }
    return ok_status();
  }

  Result<std::optional<Prompt>> find_prompt(std::string_view name) override {
    ONDO_ASSIGN_OR_RETURN(PgResult r, query(std::string(kPromptSelect) + " WHERE name = $1", {std::string(name)},
                                            "read prompt '" + std::string(name) + "'"));
    if (PQntuples(r.get()) == 0) return std::optional<Prompt>();
    return std::optional<Prompt>(read_prompt(r.get(), 0));
  }

  Result<std::vector<Prompt>> list_prompts() override {
    ONDO_ASSIGN_OR_RETURN(PgResult r, query(std::string(kPromptSelect) + " ORDER BY name", {}, "list prompts"));
    std::vector<Prompt> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) out.push_back(read_prompt(r.get(), i));
    return out;
  }

  Result<int64_t> add_prompt_version(const PromptVersion& v) override {
    const std::vector<std::optional<std::string>> params = {
        v.prompt, v.system, encode_messages(v.messages), encode_variables(v.variables), encode_messages(v.examples),
        v.params_json, v.response_schema_json, v.tools_json, v.guardrail, v.note, std::to_string(v.created_at)};
    const std::string sql = std::string("INSERT INTO prompt_versions (") + kPromptVersionColumns +
                            ") SELECT $1, COALESCE(MAX(version), 0) + 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11"
                            " FROM prompt_versions WHERE prompt = $1 RETURNING version";
    for (int attempt = 0;; ++attempt) {
      auto r = query(sql, params, "add a version to prompt '" + v.prompt + "'");
      if (r.ok()) return int64_t(std::stoll(PQgetvalue(r->get(), 0, 0)));
      if (last_state_ == "23503") return make_error(ErrorCode::NotFound, "prompt '" + v.prompt + "': not found");
      if (last_state_ != "23505" || attempt == 15) return r.error();
    }
  }

  Result<std::optional<PromptVersion>> find_prompt_version(std::string_view name, int64_t version) override {
    ONDO_ASSIGN_OR_RETURN(PgResult r, query(std::string("SELECT ") + kPromptVersionColumns +
                                                " FROM prompt_versions WHERE prompt = $1 AND version = $2",
                                            {std::string(name), std::to_string(version)},
                                            "read prompt '" + std::string(name) + "' version " + std::to_string(version)));
    if (PQntuples(r.get()) == 0) return std::optional<PromptVersion>();
    ONDO_ASSIGN_OR_RETURN(PromptVersion v, read_prompt_version(r.get(), 0));
    return std::optional<PromptVersion>(std::move(v));
  }

  Result<std::vector<PromptVersion>> list_prompt_versions(std::string_view name) override {
    ONDO_ASSIGN_OR_RETURN(PgResult r, query(std::string("SELECT ") + kPromptVersionColumns +
                                                " FROM prompt_versions WHERE prompt = $1 ORDER BY version",
                                            {std::string(name)}, "list the versions of prompt '" + std::string(name) + "'"));
    std::vector<PromptVersion> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      ONDO_ASSIGN_OR_RETURN(PromptVersion v, read_prompt_version(r.get(), i));
      out.push_back(std::move(v));
    }
    return out;
  }

  // Versions and prompts are never deleted, so checking them before the one upsert is exact.
  Status set_prompt_label(const PromptLabel& l) override {
    ONDO_TRY(check_targets(l.targets, "prompt '" + l.prompt + "' label '" + l.label + "'"));
    ONDO_ASSIGN_OR_RETURN(std::optional<Prompt> p, find_prompt(l.prompt));
    if (!p) return make_error(ErrorCode::NotFound, "prompt '" + l.prompt + "': not found");
    for (const LabelTarget& t : l.targets) {
      if (t.version > p->latest_version) {
        return make_error(ErrorCode::NotFound, "prompt '" + l.prompt + "': no version " + std::to_string(t.version) +
                                                   " (latest is " + std::to_string(p->latest_version) + ")");
      }
    }
    ONDO_TRY(query("INSERT INTO prompt_labels (prompt, label, targets, updated_at) VALUES ($1, $2, $3, $4)"
                   " ON CONFLICT (prompt, label) DO UPDATE SET targets = excluded.targets, updated_at = excluded.updated_at",
                   {l.prompt, l.label, encode_targets(l.targets), std::to_string(l.updated_at)},
                   "set label '" + l.label + "' of prompt '" + l.prompt + "'"));
    return ok_status();
  }

  Result<std::optional<PromptLabel>> find_prompt_label(std::string_view name, std::string_view label) override {
    ONDO_ASSIGN_OR_RETURN(PgResult r, query("SELECT prompt, label, targets, updated_at FROM prompt_labels WHERE prompt = $1 AND label = $2",
                                            {std::string(name), std::string(label)},
                                            "read label '" + std::string(label) + "' of prompt '" + std::string(name) + "'"));
    if (PQntuples(r.get()) == 0) return std::optional<PromptLabel>();
    ONDO_ASSIGN_OR_RETURN(PromptLabel l, read_label(r.get(), 0));
    return std::optional<PromptLabel>(std::move(l));
  }

  Result<std::vector<PromptLabel>> list_prompt_labels(std::string_view name) override {
    ONDO_ASSIGN_OR_RETURN(PgResult r, query("SELECT prompt, label, targets, updated_at FROM prompt_labels WHERE prompt = $1 ORDER BY label",
                                            {std::string(name)}, "list the labels of prompt '" + std::string(name) + "'"));
    std::vector<PromptLabel> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      ONDO_ASSIGN_OR_RETURN(PromptLabel l, read_label(r.get(), i));
      out.push_back(std::move(l));
    }
    return out;
  }

 private:
  static constexpr const char* kPromptSelect =
      "SELECT name, description, created_at,"
      " (SELECT COALESCE(MAX(version), 0) FROM prompt_versions v WHERE v.prompt = p.name) FROM prompts p";

  static Prompt read_prompt(PGresult* r, int row) {
    return Prompt{PQgetvalue(r, row, 0), PQgetvalue(r, row, 1), int64_t(std::stoll(PQgetvalue(r, row, 2))),
                  int64_t(std::stoll(PQgetvalue(r, row, 3)))};
  }

  Result<PromptVersion> read_prompt_version(PGresult* r, int row) {
    auto s = [&](int col) { return std::string(PQgetvalue(r, row, col)); };
    PromptVersion v;
    v.prompt = s(0);
    v.version = std::stoll(s(1));
    const std::string what = location_ + ": prompt '" + v.prompt + "' version " + std::to_string(v.version);
    v.system = s(2);
    ONDO_ASSIGN_OR_RETURN(v.messages, decode_messages(s(3), what));
    ONDO_ASSIGN_OR_RETURN(v.variables, decode_variables(s(4), what));
    ONDO_ASSIGN_OR_RETURN(v.examples, decode_messages(s(5), what));
    v.params_json = s(6);
    v.response_schema_json = s(7);
    v.tools_json = s(8);
    v.guardrail = s(9);
    v.note = s(10);
    v.created_at = std::stoll(s(11));
    return v;
  }

  Result<PromptLabel> read_label(PGresult* r, int row) {
    PromptLabel l;
    l.prompt = PQgetvalue(r, row, 0);
    l.label = PQgetvalue(r, row, 1);
    ONDO_ASSIGN_OR_RETURN(l.targets, decode_targets(PQgetvalue(r, row, 2), location_ + ": prompt '" + l.prompt + "' label '" + l.label + "'"));
    l.updated_at = std::stoll(PQgetvalue(r, row, 3));
    return l;
  }

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

  // --- Fridge app (issue 20; store/fridge.h). The statements are shared with SQLite. ---
  Status insert_fridge_record(const FridgeRecord& r) override {
    auto q = query(kFridgeRecordInsert,
                   {r.kind, r.id, r.household, r.ref, r.body, std::to_string(r.created_at), std::to_string(r.updated_at)},
                   "insert fridge " + r.kind + " '" + r.id + "'");
    if (!q.ok()) {
      if (last_state_ == "23505") return make_error(ErrorCode::InvalidArgument, location_ + ": fridge " + r.kind + " '" + r.id + "' exists");
      return q.error();
    }
    return ok_status();
  }

  Status update_fridge_record(const FridgeRecord& r) override {
    ONDO_ASSIGN_OR_RETURN(PgResult q, query(kFridgeRecordUpdate,
                                            {r.kind, r.id, r.household, r.ref, r.body, std::to_string(r.updated_at)},
                                            "update fridge " + r.kind + " '" + r.id + "'"));
    if (std::string(PQcmdTuples(q.get())) == "0") {
      return make_error(ErrorCode::NotFound, location_ + ": no fridge " + r.kind + " '" + r.id + "'");
    }
    return ok_status();
  }

  Result<std::optional<FridgeRecord>> find_fridge_record(std::string_view kind, std::string_view id) override {
    ONDO_ASSIGN_OR_RETURN(PgResult q, query(kFridgeRecordFind, {std::string(kind), std::string(id)}, "read fridge record"));
    std::vector<FridgeRecord> rows = fridge_records(q.get());
    if (rows.empty()) return std::optional<FridgeRecord>();
    return std::optional<FridgeRecord>(std::move(rows[0]));
  }

  Result<std::vector<FridgeRecord>> list_fridge_records(std::string_view kind, std::string_view household,
                                                        std::string_view ref) override {
    ONDO_ASSIGN_OR_RETURN(PgResult q, query(kFridgeRecordList, {std::string(kind), std::string(household), std::string(ref)},
                                            "list fridge records"));
    return fridge_records(q.get());
  }

  Status delete_fridge_record(std::string_view kind, std::string_view id) override {
    ONDO_ASSIGN_OR_RETURN(PgResult q, query(kFridgeRecordDelete, {std::string(kind), std::string(id)},
                                            "delete fridge " + std::string(kind) + " '" + std::string(id) + "'"));
    if (std::string(PQcmdTuples(q.get())) == "0") {
      return make_error(ErrorCode::NotFound, location_ + ": no fridge " + std::string(kind) + " '" + std::string(id) + "'");
    }
    return ok_status();
  }

  Result<bool> enqueue_fridge_alert(const FridgeAlert& a) override {
    ONDO_ASSIGN_OR_RETURN(PgResult q, query(kFridgeAlertInsert,
                                            {a.key, a.household, a.url, a.body, std::to_string(a.created_ms),
                                             std::to_string(a.next_attempt_ms)},
                                            "enqueue fridge alert '" + a.key + "'"));
    return std::string(PQcmdTuples(q.get())) != "0";
  }

  Result<std::vector<FridgeAlert>> due_fridge_alerts(int64_t now_ms, int limit) override {
    ONDO_ASSIGN_OR_RETURN(PgResult q, query(kFridgeAlertDue, {std::to_string(now_ms), std::to_string(limit)},
                                            "read due fridge alerts"));
    return fridge_alerts(q.get());
  }

  Result<std::optional<FridgeAlert>> find_fridge_alert(std::string_view key) override {
    ONDO_ASSIGN_OR_RETURN(PgResult q, query(kFridgeAlertFind, {std::string(key)}, "read fridge alert"));
    std::vector<FridgeAlert> rows = fridge_alerts(q.get());
    if (rows.empty()) return std::optional<FridgeAlert>();
    return std::optional<FridgeAlert>(std::move(rows[0]));
  }

  Status update_fridge_alert(std::string_view key, int32_t attempts, int64_t next_attempt_ms,
                             std::optional<int64_t> delivered_ms, std::string_view last_error) override {
    ONDO_ASSIGN_OR_RETURN(PgResult q, query(kFridgeAlertUpdate,
                                            {std::string(key), std::to_string(attempts), std::to_string(next_attempt_ms),
                                             opt(delivered_ms), std::string(last_error)},
                                            "update fridge alert '" + std::string(key) + "'"));
    if (std::string(PQcmdTuples(q.get())) == "0") {
      return make_error(ErrorCode::NotFound, location_ + ": no fridge alert '" + std::string(key) + "'");
    }
    return ok_status();
  }

 private:
  static std::string cell(PGresult* r, int row, int col) {
    return std::string(PQgetvalue(r, row, col), size_t(PQgetlength(r, row, col)));
  }
  static std::vector<FridgeRecord> fridge_records(PGresult* r) {
    std::vector<FridgeRecord> out;
    for (int i = 0; i < PQntuples(r); ++i) {
      out.push_back(FridgeRecord{cell(r, i, 0), cell(r, i, 1), cell(r, i, 2), cell(r, i, 3), cell(r, i, 4),
                                 std::stoll(cell(r, i, 5)), std::stoll(cell(r, i, 6))});
    }
    return out;
  }
  static std::vector<FridgeAlert> fridge_alerts(PGresult* r) {
    std::vector<FridgeAlert> out;
    for (int i = 0; i < PQntuples(r); ++i) {
      std::optional<int64_t> delivered;
      if (!PQgetisnull(r, i, 7)) delivered = std::stoll(cell(r, i, 7));
      out.push_back(FridgeAlert{cell(r, i, 0), cell(r, i, 1), cell(r, i, 2), cell(r, i, 3), std::stoll(cell(r, i, 4)),
                                std::stoll(cell(r, i, 5)), int32_t(std::stoi(cell(r, i, 6))), delivered, cell(r, i, 8)});
    }
    return out;
  }
  // --- Jobs (issue 17.1; store/jobs.h). A claim picks FOR UPDATE SKIP LOCKED, so replicas
  // claiming at once never get one job twice; a checkpoint and its job's pointer are one
  // statement. ---
 public:
  Status insert_job(const JobRecord& j) override {
    auto r = query(std::string("INSERT INTO jobs (") + kJobColumns +
                       ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
                   pg_job_params(job_params(j)), "insert job '" + j.id + "'");
    if (!r.ok()) {
      if (last_state_ == "23505") return make_error(ErrorCode::InvalidArgument, location_ + ": job '" + j.id + "' exists");
      return r.error();
    }
    return ok_status();
  }

  Result<std::optional<JobRecord>> find_job(std::string_view id) override {
    ONDO_ASSIGN_OR_RETURN(auto all, rows<JobRecord>(std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id = $1",
                                                    {std::string(id)}, "read job", read_job));
    if (all.empty()) return std::optional<JobRecord>();
    return std::optional<JobRecord>(std::move(all[0]));
  }

  Result<std::vector<JobRecord>> list_jobs(const JobQuery& q) override {
    int64_t after_ms = 0;
    if (!q.after.empty()) {
      ONDO_ASSIGN_OR_RETURN(std::optional<JobRecord> a, find_job(q.after));
      if (!a) return make_error(ErrorCode::NotFound, location_ + ": no job '" + q.after + "' (after)");
      after_ms = a->created_ms;
    }
    return rows<JobRecord>(std::string("SELECT ") + kJobColumns +
                               " FROM jobs WHERE ($1::text = '[]' OR kind IN (SELECT jsonb_array_elements_text($1::text::jsonb)))"
                               " AND ($2::text = '' OR created_ms < $3::bigint OR (created_ms = $3::bigint AND id < $2::text))"
                               " ORDER BY created_ms DESC, id DESC LIMIT $4::bigint",
                           pg_job_params({encode_models(q.kinds), q.after, after_ms, q.limit}), "list jobs", read_job);
  }

  Result<std::optional<JobRecord>> claim_job(std::string_view owner, const std::vector<std::string>& kinds, int64_t now_ms,
                                             int64_t lease_ms) override {
    ONDO_TRY(query(kJobSweepCancelled, {std::to_string(now_ms)}, "end cancelled jobs"));
    ONDO_TRY(query(kJobSweepExhausted, {std::to_string(now_ms)}, "end jobs out of attempts"));
    ONDO_ASSIGN_OR_RETURN(
        auto all, rows<JobRecord>(
                      std::string("WITH picked AS (SELECT id FROM jobs WHERE (state = 'queued' OR (state = 'running' AND"
                                  " lease_expires_ms < $3::bigint)) AND cancel_requested = 0 AND ($1::text = '[]' OR kind IN"
                                  " (SELECT jsonb_array_elements_text($1::text::jsonb))) ORDER BY created_ms, id LIMIT 1"
                                  " FOR UPDATE SKIP LOCKED)"
                                  " UPDATE jobs j SET state = 'running', lease_owner = $2, lease_expires_ms = $3::bigint + $4::bigint,"
                                  " heartbeat_ms = $3::bigint, attempt = attempt + 1, started_ms = COALESCE(started_ms, $3::bigint)"
                                  " FROM picked WHERE j.id = picked.id RETURNING ") + job_columns_of("j"),
                      pg_job_params({encode_models(kinds), std::string(owner), now_ms, lease_ms}), "claim a job", read_job));
    if (all.empty()) return std::optional<JobRecord>();
    return std::optional<JobRecord>(std::move(all[0]));
  }

  Result<JobLease> heartbeat_job(std::string_view id, std::string_view owner, int64_t now_ms, int64_t lease_ms,
                                 const std::optional<std::string>& progress) override {
    ONDO_ASSIGN_OR_RETURN(PgResult r, query(kJobHeartbeat, {std::string(id), std::string(owner), std::to_string(now_ms),
                                                            std::to_string(lease_ms), progress},
                                            "heartbeat job '" + std::string(id) + "'"));
    if (PQntuples(r.get()) == 0) return JobLease::Lost;
    return std::string(PQgetvalue(r.get(), 0, 0)) != "0" ? JobLease::CancelRequested : JobLease::Held;
  }

  Status finish_job(std::string_view id, std::string_view owner, std::string_view state, std::string_view result,
                    std::string_view error_code, std::string_view error_message, int64_t now_ms) override {
    ONDO_TRY(check_final_state(state));
    ONDO_ASSIGN_OR_RETURN(PgResult r, query(kJobFinish, {std::string(id), std::string(owner), std::string(state),
                                                         std::string(result), std::string(error_code),
                                                         std::string(error_message), std::to_string(now_ms)},
                                            "finish job '" + std::string(id) + "'"));
    if (std::string(PQcmdTuples(r.get())) == "0") {
      return make_error(ErrorCode::NotFound, location_ + ": job '" + std::string(id) + "' is not running under worker '" +
                                                 std::string(owner) + "' (its lease was lost)");
    }
    return ok_status();
  }

  Result<JobRecord> cancel_job(std::string_view id, int64_t now_ms) override {
    ONDO_TRY(query(kJobCancel, {std::string(id), std::to_string(now_ms)}, "cancel job '" + std::string(id) + "'"));
    ONDO_ASSIGN_OR_RETURN(std::optional<JobRecord> j, find_job(id));
    if (!j) return make_error(ErrorCode::NotFound, location_ + ": no job '" + std::string(id) + "'");
    return std::move(*j);
  }

  Result<int64_t> append_job_event(const JobEvent& e) override {
    return insert_with_seq("INSERT INTO job_events (job_id, seq, time_ms, level, message, data)"
                           " SELECT $1::text, COALESCE(MAX(seq), 0) + 1, $2::bigint, $3::text, $4::text, $5::text"
                           " FROM job_events WHERE job_id = $1::text RETURNING seq",
                           pg_job_params({e.job_id, e.time_ms, e.level, e.message, e.data}), e.job_id,
                           "append an event to job '" + e.job_id + "'");
  }

  Result<std::vector<JobEvent>> list_job_events(std::string_view job_id, int64_t after_seq, int64_t limit) override {
    return rows<JobEvent>("SELECT job_id, seq, time_ms, level, message, data FROM job_events WHERE job_id = $1"
                          " AND seq > $2::bigint ORDER BY seq LIMIT $3::bigint",
                          {std::string(job_id), std::to_string(after_seq), std::to_string(limit)}, "list job events",
                          [](PGresult* r, int i) -> Result<JobEvent> {
                            return JobEvent{PQgetvalue(r, i, 0), std::stoll(PQgetvalue(r, i, 1)), std::stoll(PQgetvalue(r, i, 2)),
                                            PQgetvalue(r, i, 3), PQgetvalue(r, i, 4), PQgetvalue(r, i, 5)};
                          });
  }

  Result<int64_t> add_job_checkpoint(const JobCheckpoint& c) override {
    return insert_with_seq("WITH ins AS (INSERT INTO job_checkpoints (job_id, seq, step, ref, metrics, created_ms)"
                           " SELECT $1::text, COALESCE(MAX(seq), 0) + 1, $2::bigint, $3::text, $4::text, $5::bigint"
                           " FROM job_checkpoints WHERE job_id = $1::text RETURNING seq),"
                           " upd AS (UPDATE jobs SET checkpoint = $3::text WHERE id = $1::text) SELECT seq FROM ins",
                           pg_job_params({c.job_id, c.step, c.ref, c.metrics, c.created_ms}), c.job_id,
                           "add a checkpoint to job '" + c.job_id + "'");
  }

  Result<std::vector<JobCheckpoint>> list_job_checkpoints(std::string_view job_id) override {
    return rows<JobCheckpoint>("SELECT job_id, seq, step, ref, metrics, created_ms FROM job_checkpoints WHERE job_id = $1"
                               " ORDER BY seq",
                               {std::string(job_id)}, "list job checkpoints", [](PGresult* r, int i) -> Result<JobCheckpoint> {
                                 return JobCheckpoint{PQgetvalue(r, i, 0), std::stoll(PQgetvalue(r, i, 1)),
                                                      std::stoll(PQgetvalue(r, i, 2)), PQgetvalue(r, i, 3),
                                                      PQgetvalue(r, i, 4), std::stoll(PQgetvalue(r, i, 5))};
                               });
  }

 private:
  static std::vector<std::optional<std::string>> pg_job_params(const std::vector<std::optional<SqlParam>>& params) {
    std::vector<std::optional<std::string>> out;
    for (const auto& p : params) {
      if (!p) out.emplace_back(std::nullopt);
      else if (const int64_t* v = std::get_if<int64_t>(&*p)) out.emplace_back(std::to_string(*v));
      else out.emplace_back(std::get<std::string>(*p));
    }
    return out;
  }

  static Result<JobRecord> read_job(PGresult* r, int i) {
    auto s = [&](int c) { return std::string(PQgetvalue(r, i, c)); };
    auto n = [&](int c) { return int64_t(std::stoll(PQgetvalue(r, i, c))); };
    JobRecord j;
    j.id = s(0), j.kind = s(1), j.state = s(2), j.params = s(3), j.progress = s(4), j.result = s(5);
    j.error_code = s(6), j.error = s(7), j.created_ms = n(8), j.started_ms = opt_col(r, i, 9);
    j.finished_ms = opt_col(r, i, 10), j.lease_owner = s(11), j.lease_expires_ms = n(12), j.heartbeat_ms = n(13);
    j.attempt = n(14), j.max_attempts = n(15), j.cancel_requested = n(16) != 0, j.checkpoint = s(17), j.owner = s(18);
    return j;
  }

  // An INSERT ... RETURNING seq where seq is MAX + 1 of the job's rows: two writers at once
  // can pick the same seq, so a unique violation is retried; a foreign-key one is NotFound.
  Result<int64_t> insert_with_seq(const std::string& sql, const std::vector<std::optional<std::string>>& params,
                                  const std::string& job_id, const std::string& what) {
    for (int attempt = 0;; ++attempt) {
      auto r = query(sql, params, what);
      if (r.ok()) return int64_t(std::stoll(PQgetvalue(r->get(), 0, 0)));
      if (last_state_ == "23503") return make_error(ErrorCode::NotFound, location_ + ": no job '" + job_id + "'");
      if (last_state_ != "23505" || attempt >= 8) return r.error();
    }
  }

  // --- Web console sessions (issue 19.3; store/console_sessions.h, statements shared with SQLite). ---
 public:
  Status insert_console_session(const ConsoleSessionRow& r) override {
    auto q = query(kConsoleSessionInsert,
                   {r.token_hash, r.key_id, r.key_hash, r.csrf, std::to_string(r.created_at),
                    std::to_string(r.last_seen_at), std::to_string(r.expires_at)},
                   "insert console session");
    if (!q.ok()) {
      if (last_state_ == "23505") return make_error(ErrorCode::InvalidArgument, location_ + ": console session exists");
      return q.error();
    }
    return ok_status();
  }

  Result<std::optional<ConsoleSessionRow>> find_console_session(std::string_view token_hash, int64_t now) override {
    ONDO_ASSIGN_OR_RETURN(PgResult r, query(kConsoleSessionFind, {std::string(token_hash), std::to_string(now)},
                                            "read console session"));
    if (PQntuples(r.get()) == 0) return std::optional<ConsoleSessionRow>();
    auto s = [&](int c) { return std::string(PQgetvalue(r.get(), 0, c)); };
    auto n = [&](int c) { return int64_t(std::stoll(PQgetvalue(r.get(), 0, c))); };
    return std::optional<ConsoleSessionRow>(ConsoleSessionRow{s(0), s(1), s(2), s(3), n(4), n(5), n(6)});
  }

  Result<bool> touch_console_session(std::string_view token_hash, int64_t now, int64_t expires_at) override {
    ONDO_ASSIGN_OR_RETURN(PgResult r, query(kConsoleSessionTouch,
                                            {std::string(token_hash), std::to_string(now), std::to_string(expires_at)},
                                            "touch console session"));
    return std::string(PQcmdTuples(r.get())) != "0";
  }

  Result<bool> delete_console_session(std::string_view token_hash) override {
    ONDO_ASSIGN_OR_RETURN(PgResult r, query(kConsoleSessionDelete, {std::string(token_hash)}, "delete console session"));
    return std::string(PQcmdTuples(r.get())) != "0";
  }

  Result<int64_t> delete_console_sessions_of(std::string_view key_id) override {
    ONDO_ASSIGN_OR_RETURN(PgResult r, query(kConsoleSessionDeleteOfKey, {std::string(key_id)},
                                            "delete the console sessions of '" + std::string(key_id) + "'"));
    return int64_t(std::stoll(PQcmdTuples(r.get())));
  }

  Result<int64_t> purge_console_sessions(int64_t now, int64_t keep_at_most) override {
    ONDO_ASSIGN_OR_RETURN(PgResult r, query(kConsoleSessionPurge, {std::to_string(now), std::to_string(keep_at_most)},
                                            "purge console sessions"));
    return int64_t(std::stoll(PQcmdTuples(r.get())));
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
