// The SQLite engine: one connection in WAL mode over the Env VFS, guarded by a mutex.
// Layer: store.
//
// synchronous=FULL, not NORMAL: in WAL mode NORMAL syncs the log only at checkpoints, so a
// power loss can roll back commits that were already acknowledged; FULL syncs the log at
// every commit, which is what "the store commits before it answers" needs.
#include <sqlite3.h>
#include <sys/stat.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <set>

#include "ondo/store/codec.h"
#include "ondo/store/limits_memory.h"
#include "ondo/store/fridge_sql.h"
#include "ondo/store/migrations.h"
#include "ondo/store/prompt_codec.h"
#include "ondo/store/sqlite_vfs.h"
#include "ondo/store/usage_rollups.h"
#include "ondo/store/store.h"

namespace ondo::store {
namespace {

// Full-text search ranks the whole FTS table (no join with chunks) while at most this many
// chunks belong to other vector stores (lexical_search).
constexpr int64_t kMaxForeignForRanking = 4096;
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
  void reset() {
    sqlite3_finalize(s_);
    s_ = nullptr;
  }

 private:
  sqlite3_stmt* s_ = nullptr;
};

class SqliteStore final : public Store {
 public:
  SqliteStore(std::string location, std::string vfs, std::filesystem::path files_dir, core::Env& env)
      : location_(std::move(location)), vfs_(std::move(vfs)), files_dir_(std::move(files_dir)), env_(env) {}
  ~SqliteStore() override {
    insert_usage_.reset();
    upsert_usage_.reset();
    upsert_monthly_.reset();
    upsert_model_day_.reset();
    upsert_day_seq_.reset();
    upsert_key_model_.reset();
    upsert_key_prompt_.reset();
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
                         ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
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
    sqlite3_bind_int64(st, 14, k.budget_nano_usd);
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

  // --- Collections (store.h "Collections"). File bytes live in <data_dir>/files/<id>. ---
  Status insert_file(const FileRecord& f, std::string_view content) override {
    // Ids are random; a duplicate is refused before its bytes could replace the first file's.
    ONDO_ASSIGN_OR_RETURN(std::optional<FileRecord> existing, find_file(f.id));
    if (existing) return make_error(ErrorCode::InvalidArgument, location_ + ": file '" + f.id + "' exists");
    ONDO_TRY(write_file_bytes(f.id, content));
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(std::string("INSERT INTO files (") + kFileColumns + ") VALUES (?1, ?2, ?3, ?4, ?5)", s));
    bind_text(s.get(), 1, f.id);
    bind_text(s.get(), 2, f.filename);
    bind_text(s.get(), 3, f.purpose);
    sqlite3_bind_int64(s.get(), 4, f.bytes);
    sqlite3_bind_int64(s.get(), 5, f.created_at);
    const int rc = sqlite3_step(s.get());
    if (rc == SQLITE_DONE) return ok_status();
    if (rc != SQLITE_CONSTRAINT_PRIMARYKEY) (void)env_.remove(files_dir_ / f.id);  // no row: no bytes
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY) return make_error(ErrorCode::InvalidArgument, location_ + ": file '" + f.id + "' exists");
    return error(rc, "insert file '" + f.id + "'");
  }

  Result<std::optional<FileRecord>> find_file(std::string_view id) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(std::string("SELECT ") + kFileColumns + " FROM files WHERE id = ?1", s));
    bind_text(s.get(), 1, id);
    const int rc = sqlite3_step(s.get());
    if (rc == SQLITE_DONE) return std::optional<FileRecord>();
    if (rc != SQLITE_ROW) return error(rc, "read file '" + std::string(id) + "'");
    return std::optional<FileRecord>(*read_file_row(s.get()));
  }

  Result<std::vector<FileRecord>> list_files(std::string_view purpose) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(std::string("SELECT ") + kFileColumns + " FROM files WHERE ?1 = '' OR purpose = ?1 ORDER BY created_at, id", s));
    bind_text(s.get(), 1, purpose);
    return collect<FileRecord>(s, "list files", [&](sqlite3_stmt* st) -> Result<FileRecord> { return read_file_row(st); });
  }

  Result<std::string> read_file_content(std::string_view id) override {
    ONDO_ASSIGN_OR_RETURN(std::optional<FileRecord> f, find_file(id));
    if (!f) return make_error(ErrorCode::NotFound, location_ + ": no file '" + std::string(id) + "'");
    const std::filesystem::path path = files_dir_ / f->id;
    auto file = env_.open_random(path, false);
    if (!file.ok()) return make_error(ErrorCode::InvalidFile, path.string() + ": the bytes of file '" + f->id + "' are missing (" + file.error().message + ")");
    ONDO_ASSIGN_OR_RETURN(uint64_t size, (*file)->size());
    if (int64_t(size) != f->bytes) {
      return make_error(ErrorCode::InvalidFile, path.string() + ": damaged (" + std::to_string(size) + " bytes, expected " +
                                                    std::to_string(f->bytes) + ")");
    }
    std::string out(size_t(size), '\0');
    ONDO_ASSIGN_OR_RETURN(size_t got, (*file)->read_at(0, std::span<uint8_t>(reinterpret_cast<uint8_t*>(out.data()), out.size())));
    if (got != out.size()) return make_error(ErrorCode::InvalidFile, path.string() + ": short read");
    return out;
  }

  Status delete_file(std::string_view id) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ONDO_TRY(change_one("DELETE FROM files WHERE id = ?1", {std::string(id)}, "delete file", "file '" + std::string(id) + "'"));
    }
    (void)env_.remove(files_dir_ / std::string(id));  // the row is gone: stray bytes are harmless
    return ok_status();
  }

  Status insert_vector_store(const VectorStoreRecord& v) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(std::string("INSERT INTO vector_stores (") + kVectorStoreColumns +
                         ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", s));
    bind_text(s.get(), 1, v.id);
    bind_text(s.get(), 2, v.name);
    sqlite3_bind_int64(s.get(), 3, v.created_at);
    bind_text(s.get(), 4, v.embedding_model);
    sqlite3_bind_int(s.get(), 5, v.dimensions);
    bind_text(s.get(), 6, v.chunking_type);
    sqlite3_bind_int(s.get(), 7, v.max_chunk_size_tokens);
    sqlite3_bind_int(s.get(), 8, v.chunk_overlap_tokens);
    bind_text(s.get(), 9, v.metadata);
    const int rc = sqlite3_step(s.get());
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY) return make_error(ErrorCode::InvalidArgument, location_ + ": vector store '" + v.id + "' exists");
    if (rc != SQLITE_DONE) return error(rc, "insert vector store '" + v.id + "'");
    return ok_status();
  }

  Result<std::optional<VectorStoreRecord>> find_vector_store(std::string_view id) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(std::string("SELECT ") + kVectorStoreColumns + " FROM vector_stores WHERE id = ?1", s));
    bind_text(s.get(), 1, id);
    ONDO_ASSIGN_OR_RETURN(auto all, collect<VectorStoreRecord>(s, "read vector store", read_store_row));
    if (all.empty()) return std::optional<VectorStoreRecord>();
    return std::optional<VectorStoreRecord>(std::move(all[0]));
  }

  Result<std::vector<VectorStoreRecord>> list_vector_stores() override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(std::string("SELECT ") + kVectorStoreColumns + " FROM vector_stores ORDER BY created_at, id", s));
    return collect<VectorStoreRecord>(s, "list vector stores", read_store_row);
  }

  Status delete_vector_store(std::string_view id) override {
    std::lock_guard<std::mutex> lock(mu_);
    return change_one("DELETE FROM vector_stores WHERE id = ?1", {std::string(id)}, "delete vector store",
                      "vector store '" + std::string(id) + "'");
  }

  Result<FileCounts> vector_store_file_counts(std::string_view vector_store_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare("SELECT status, COUNT(*), COALESCE(SUM(usage_bytes), 0) FROM vector_store_files"
                     " WHERE vector_store_id = ?1 GROUP BY status", s));
    bind_text(s.get(), 1, vector_store_id);
    FileCounts c;
    for (;;) {
      const int rc = sqlite3_step(s.get());
      if (rc == SQLITE_DONE) return c;
      if (rc != SQLITE_ROW) return error(rc, "count vector store files");
      add_count(c, text(s.get(), 0), sqlite3_column_int64(s.get(), 1), sqlite3_column_int64(s.get(), 2));
    }
  }

  Status insert_vector_store_file(const VectorStoreFileRecord& f) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(std::string("INSERT INTO vector_store_files (") + kVectorStoreFileColumns +
                         ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)", s));
    sqlite3_stmt* st = s.get();
    bind_text(st, 1, f.vector_store_id);
    bind_text(st, 2, f.file_id);
    sqlite3_bind_int64(st, 3, f.created_at);
    bind_text(st, 4, f.status);
    bind_text(st, 5, f.last_error_code);
    bind_text(st, 6, f.last_error_message);
    bind_text(st, 7, f.attributes);
    sqlite3_bind_int(st, 8, f.max_chunk_size_tokens);
    sqlite3_bind_int(st, 9, f.chunk_overlap_tokens);
    bind_text(st, 10, f.chunking_type);
    sqlite3_bind_int64(st, 11, f.usage_bytes);
    sqlite3_bind_int64(st, 12, f.chunk_count);
    const int rc = sqlite3_step(st);
    const std::string what = "file '" + f.file_id + "' in vector store '" + f.vector_store_id + "'";
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY) return make_error(ErrorCode::InvalidArgument, location_ + ": " + what + " exists");
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) return make_error(ErrorCode::NotFound, location_ + ": " + what + ": no such vector store or file");
    if (rc != SQLITE_DONE) return error(rc, "insert " + what);
    return ok_status();
  }

  Result<std::optional<VectorStoreFileRecord>> find_vector_store_file(std::string_view vs, std::string_view file_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(std::string("SELECT ") + kVectorStoreFileColumns +
                         " FROM vector_store_files WHERE vector_store_id = ?1 AND file_id = ?2", s));
    bind_text(s.get(), 1, vs);
    bind_text(s.get(), 2, file_id);
    ONDO_ASSIGN_OR_RETURN(auto all, collect<VectorStoreFileRecord>(s, "read vector store file", read_vs_file_row));
    if (all.empty()) return std::optional<VectorStoreFileRecord>();
    return std::optional<VectorStoreFileRecord>(std::move(all[0]));
  }

  Result<std::vector<VectorStoreFileRecord>> list_vector_store_files(std::string_view vs, std::string_view status) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(std::string("SELECT ") + kVectorStoreFileColumns +
                         " FROM vector_store_files WHERE vector_store_id = ?1 AND (?2 = '' OR status = ?2)"
                         " ORDER BY created_at, file_id", s));
    bind_text(s.get(), 1, vs);
    bind_text(s.get(), 2, status);
    return collect<VectorStoreFileRecord>(s, "list vector store files", read_vs_file_row);
  }

  Result<std::vector<VectorStoreFileRecord>> list_files_in_status(std::string_view status) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(std::string("SELECT ") + kVectorStoreFileColumns +
                         " FROM vector_store_files WHERE status = ?1 ORDER BY created_at, vector_store_id, file_id", s));
    bind_text(s.get(), 1, status);
    return collect<VectorStoreFileRecord>(s, "list vector store files", read_vs_file_row);
  }

  Status delete_vector_store_file(std::string_view vs, std::string_view file_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    return change_one("DELETE FROM vector_store_files WHERE vector_store_id = ?1 AND file_id = ?2",
                      {std::string(vs), std::string(file_id)}, "delete vector store file",
                      "file '" + std::string(file_id) + "' in vector store '" + std::string(vs) + "'");
  }

  Result<std::vector<ChunkRecord>> complete_vector_store_file(std::string_view vs, std::string_view file_id,
                                                              std::vector<ChunkRecord> chunks) override {
    std::lock_guard<std::mutex> lock(mu_);
    ONDO_TRY(exec("BEGIN IMMEDIATE", "begin indexing"));
    Status st = write_chunks(std::string(vs), std::string(file_id), chunks);
    if (st.ok()) st = exec("COMMIT", "commit indexing");
    if (!st.ok()) {
      (void)exec("ROLLBACK", "roll back indexing");
      return st.error();
    }
    return chunks;
  }

  Status fail_vector_store_file(std::string_view vs, std::string_view file_id, std::string_view code,
                                std::string_view message) override {
    std::lock_guard<std::mutex> lock(mu_);
    return change_one("UPDATE vector_store_files SET status = 'failed', last_error_code = ?3, last_error_message = ?4"
                      " WHERE vector_store_id = ?1 AND file_id = ?2 AND status = 'in_progress'",
                      {std::string(vs), std::string(file_id), std::string(code), std::string(message)},
                      "mark file failed", "file '" + std::string(file_id) + "' in progress in vector store '" + std::string(vs) + "'");
  }

  Result<std::vector<ChunkRecord>> list_chunks(std::string_view vs) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare("SELECT id, vector_store_id, file_id, seq, text, vector, attributes FROM chunks"
                     " WHERE vector_store_id = ?1 ORDER BY id", s));
    bind_text(s.get(), 1, vs);
    return collect<ChunkRecord>(s, "list chunks", [&](sqlite3_stmt* st) { return read_chunk_row(st, true); });
  }

  Result<std::vector<ChunkRecord>> get_chunks(std::string_view vs, const std::vector<int64_t>& ids, bool with_vectors) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare("SELECT id, vector_store_id, file_id, seq, text, vector, attributes FROM chunks"
                     " WHERE vector_store_id = ?1 AND id = ?2", s));
    std::vector<ChunkRecord> out;
    for (int64_t id : ids) {
      sqlite3_reset(s.get());
      bind_text(s.get(), 1, vs);
      sqlite3_bind_int64(s.get(), 2, id);
      const int rc = sqlite3_step(s.get());
      if (rc == SQLITE_DONE) continue;
      if (rc != SQLITE_ROW) return error(rc, "read chunk " + std::to_string(id));
      ONDO_ASSIGN_OR_RETURN(ChunkRecord c, read_chunk_row(s.get(), with_vectors));
      out.push_back(std::move(c));
    }
    return out;
  }

  Result<std::vector<LexicalHit>> lexical_search(std::string_view vs, std::string_view query, int limit) override {
    const std::vector<std::string> words = query_words(query);
    std::vector<LexicalHit> out;
    if (words.empty() || limit <= 0) return out;
    std::string match;  // each word a quoted FTS5 string, OR-ed: no FTS5 syntax reaches the engine
    for (const std::string& w : words) match += (match.empty() ? "\"" : " OR \"") + w + "\"";
    std::lock_guard<std::mutex> lock(mu_);
    // One FTS5 table holds the chunks of every vector store. Joining each match with its
    // chunks row (to keep this store's) reads one large row (text + vector) per matching chunk,
    // ~40 % of the query at 100 k chunks (bench/README.md). When few chunks belong to other
    // stores, rank the whole table instead: its best limit + `others` hits hold this store's
    // best `limit` (at most `others` of them are foreign), in the same (bm25, id) order; only
    // those few rows are looked up, and none when the store is alone.
    ONDO_ASSIGN_OR_RETURN(int64_t others, chunks_outside(vs, kMaxForeignForRanking + 1));
    Stmt s;
    if (others > kMaxForeignForRanking) {
      ONDO_TRY(prepare("SELECT c.id, bm25(chunks_fts) FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid"
                       " WHERE chunks_fts MATCH ?1 AND c.vector_store_id = ?2 ORDER BY bm25(chunks_fts), c.id LIMIT ?3", s));
      bind_text(s.get(), 2, vs);
      sqlite3_bind_int(s.get(), 3, limit);
    } else {
      ONDO_TRY(prepare("SELECT rowid, bm25(chunks_fts) FROM chunks_fts WHERE chunks_fts MATCH ?1"
                       " ORDER BY bm25(chunks_fts), rowid LIMIT ?2", s));
      sqlite3_bind_int64(s.get(), 2, int64_t(limit) + others);
    }
    bind_text(s.get(), 1, match);
    Stmt owner;
    if (others > 0) ONDO_TRY(prepare("SELECT 1 FROM chunks WHERE id = ?1 AND vector_store_id = ?2", owner));
    for (;;) {
      const int rc = sqlite3_step(s.get());
      if (rc == SQLITE_DONE) return out;
      if (rc != SQLITE_ROW) return error(rc, "full-text search");
      const int64_t id = sqlite3_column_int64(s.get(), 0);
      if (others > 0 && others <= kMaxForeignForRanking) {
        sqlite3_reset(owner.get());
        sqlite3_bind_int64(owner.get(), 1, id);
        bind_text(owner.get(), 2, vs);
        const int orc = sqlite3_step(owner.get());
        if (orc == SQLITE_DONE) continue;  // another store's chunk
        if (orc != SQLITE_ROW) return error(orc, "full-text search: chunk owner");
      }
      out.push_back({id, -sqlite3_column_double(s.get(), 1)});  // bm25(): lower is better
      if (int(out.size()) == limit) return out;
    }
  }

  // Chunks of vector stores other than `vs`, counted up to `cap` (two index range scans).
  Result<int64_t> chunks_outside(std::string_view vs, int64_t cap) {
    Stmt s;
    ONDO_TRY(prepare("SELECT (SELECT count(*) FROM (SELECT 1 FROM chunks WHERE vector_store_id < ?1 LIMIT ?2))"
                     " + (SELECT count(*) FROM (SELECT 1 FROM chunks WHERE vector_store_id > ?1 LIMIT ?2))", s));
    bind_text(s.get(), 1, vs);
    sqlite3_bind_int64(s.get(), 2, cap);
    const int rc = sqlite3_step(s.get());
    if (rc != SQLITE_ROW) return error(rc, "count the chunks of other vector stores");
    return int64_t(sqlite3_column_int64(s.get(), 0));
  }

  // --- Usage (issue 15.4): rows and their rollups in one transaction ---
  // Group commit: a writer queues its rows; whoever finds no commit running becomes the leader
  // and commits every queued batch in one transaction (one WAL sync), then wakes the others.
  // A failed group is retried batch by batch, so each caller's rows stay all-or-nothing.
  Status record_usage(std::span<const UsageRow> rows) override {
    if (rows.empty()) return ok_status();
    PendingUsage me{rows};
    std::unique_lock<std::mutex> lock(group_mu_);
    group_.push_back(&me);
    while (!me.done) {
      if (group_leader_) {
        group_cv_.wait(lock);
        continue;
      }
      group_leader_ = true;
      std::vector<PendingUsage*> batch;
      batch.swap(group_);
      lock.unlock();
      commit_group(batch);
      lock.lock();
      for (PendingUsage* p : batch) p->done = true;
      group_leader_ = false;
      group_cv_.notify_all();
    }
    return me.status;
  }

  Result<std::vector<UsageTotals>> usage_totals(const UsageQuery& q) override {
    const Sql sql = usage_totals_select(q, '?');
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(sql.text, s));
    bind_all(s.get(), sql.params);
    std::vector<UsageTotals> out;
    std::vector<std::string> groups(q.group_by.size());
    std::vector<int64_t> figures(kUsageFigureColumns);
    for (;;) {
      const int rc = sqlite3_step(s.get());
      if (rc == SQLITE_DONE) return out;
      if (rc != SQLITE_ROW) return error(rc, "read usage totals");
      for (size_t i = 0; i < groups.size(); ++i) groups[i] = text(s.get(), int(i));
      for (size_t i = 0; i < figures.size(); ++i) figures[i] = sqlite3_column_int64(s.get(), int(groups.size() + i));
      ONDO_ASSIGN_OR_RETURN(UsageTotals t, totals_from_result(q, groups, figures));
      out.push_back(std::move(t));
    }
  }

  Result<std::vector<UsageRow>> usage_rows(const UsageRowsQuery& q) override {
    const Sql sql = usage_rows_select(q, '?', true);  // from the day floor (usage_day_seq)
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(sql.text, s));
    bind_all(s.get(), sql.params);
    std::vector<UsageRow> out;
    for (;;) {
      const int rc = sqlite3_step(s.get());
      if (rc == SQLITE_DONE) return out;
      if (rc != SQLITE_ROW) return error(rc, "read usage rows");
      sqlite3_stmt* st = s.get();
      out.push_back(usage_row_from([st](int i) { return int64_t(sqlite3_column_int64(st, i)); },
                                   [st](int i) { return text(st, i); }));
    }
  }

  // ---- Limits (issue 15.3): counters in memory, budget spend written through ----
  Result<LimitState> admit_request(const AdmitRequest& r) override { return limiter_.admit(r); }

  Status settle_request(const Settlement& s) override {
    limiter_.settle(s);
    if (!s.budgeted || (s.used_tokens == 0 && s.used_nano_usd == 0)) return ok_status();
    std::lock_guard<std::mutex> lock(mu_);
    Stmt st;
    ONDO_TRY(prepare("INSERT INTO limit_spend (key_id, period_start, tokens, nano_usd) VALUES (?1, ?2, ?3, ?4)"
                     " ON CONFLICT (key_id, period_start) DO UPDATE SET tokens = tokens + excluded.tokens,"
                     " nano_usd = nano_usd + excluded.nano_usd",
                     st));
    bind_text(st.get(), 1, s.key_id);
    sqlite3_bind_int64(st.get(), 2, s.period_start);
    sqlite3_bind_int64(st.get(), 3, s.used_tokens);
    sqlite3_bind_int64(st.get(), 4, s.used_nano_usd);
    const int rc = sqlite3_step(st.get());
    if (rc != SQLITE_DONE) return error(rc, "write the spend of api key '" + s.key_id + "'");
    return ok_status();
  }

  Result<LimitState> peek_limits(const std::string& key_id, const LimitRules& rules, int64_t now_ms) override {
    return limiter_.peek(key_id, rules, now_ms);
  }

 private:
  struct PendingUsage {
    std::span<const UsageRow> rows;
    Status status = ok_status();
    bool done = false;  // guarded by group_mu_
  };

  void commit_group(const std::vector<PendingUsage*>& batch) {
    std::vector<UsageRow> all;
    for (const PendingUsage* p : batch) all.insert(all.end(), p->rows.begin(), p->rows.end());
    const Status st = commit_usage(all);
    if (st.ok() || batch.size() == 1) {
      for (PendingUsage* p : batch) p->status = st;
      return;
    }
    for (PendingUsage* p : batch) p->status = commit_usage(p->rows);
  }

  // One transaction: the rows and their rollup deltas.
  Status commit_usage(std::span<const UsageRow> rows) {
    const std::vector<UsageTotals> deltas = rollup_deltas(rows);
    std::lock_guard<std::mutex> lock(mu_);
    ONDO_TRY(exec("BEGIN IMMEDIATE", "begin usage write"));
    Status st = write_usage(rows, deltas);
    if (st.ok()) st = exec("COMMIT", "commit usage");
    if (!st.ok()) (void)exec("ROLLBACK", "roll back usage");
    return st;
  }

  // The rows and deltas of record_usage() inside its transaction; statements prepared once.
  Status write_usage(std::span<const UsageRow> rows, const std::vector<UsageTotals>& deltas) {
    if (!insert_usage_.get()) ONDO_TRY(prepare(usage_rows_insert(1, '?', 1), insert_usage_));
    if (!upsert_usage_.get()) ONDO_TRY(prepare(usage_rollup_upsert("usage_daily", 1, '?', 1, false), upsert_usage_));
    if (!upsert_monthly_.get()) ONDO_TRY(prepare(usage_rollup_upsert("usage_monthly", 1, '?', 1, false), upsert_monthly_));
    if (!upsert_model_day_.get()) {
      ONDO_TRY(prepare(usage_rollup_upsert("usage_daily_model", 1, '?', 1, false), upsert_model_day_));
    }
    if (!upsert_day_seq_.get()) {
      ONDO_TRY(prepare("INSERT INTO usage_day_seq (day, min_seq) VALUES (?1, ?2) ON CONFLICT (day) DO UPDATE"
                       " SET min_seq = min(usage_day_seq.min_seq, excluded.min_seq)",
                       upsert_day_seq_));
    }
    std::vector<SqlParam> params;
    std::map<int64_t, int64_t> day_seq;  // day -> the least seq written on it (the raw-row pages' floor)
    for (const UsageRow& r : rows) {
      params.clear();
      append_row_params(r, params);
      ONDO_TRY(step_once(insert_usage_.get(), params, "insert usage row"));
      const int64_t seq = sqlite3_last_insert_rowid(db_);
      auto [it, fresh] = day_seq.try_emplace(day_of_ms(r.time_ms), seq);
      if (!fresh) it->second = std::min(it->second, seq);
    }
    for (const auto& [day, seq] : day_seq) {
      params.assign({day, seq});
      ONDO_TRY(step_once(upsert_day_seq_.get(), params, "update usage day floor"));
    }
    for (const UsageTotals& t : deltas) {
      params.clear();
      append_delta_params(t, params);
      ONDO_TRY(step_once(upsert_usage_.get(), params, "update usage rollup"));
    }
    for (const UsageTotals& t : monthly_deltas(deltas)) {
      params.clear();
      append_delta_params(t, params);
      ONDO_TRY(step_once(upsert_monthly_.get(), params, "update monthly usage rollup"));
    }
    for (const UsageTotals& t : model_day_deltas(deltas)) {
      params.clear();
      append_delta_params(t, params);
      ONDO_TRY(step_once(upsert_model_day_.get(), params, "update day x model usage rollup"));
    }
    if (!upsert_key_model_.get()) {
      ONDO_TRY(prepare(usage_rollup_upsert("usage_daily_key_model", 1, '?', 1, false), upsert_key_model_));
    }
    if (!upsert_key_prompt_.get()) {
      ONDO_TRY(prepare(usage_rollup_upsert("usage_daily_key_prompt", 1, '?', 1, false), upsert_key_prompt_));
    }
    for (const UsageTotals& t : key_model_day_deltas(deltas)) {
      params.clear();
      append_delta_params(t, params);
      ONDO_TRY(step_once(upsert_key_model_.get(), params, "update day x key x model usage rollup"));
    }
    for (const UsageTotals& t : key_prompt_day_deltas(deltas)) {
      params.clear();
      append_delta_params(t, params);
      ONDO_TRY(step_once(upsert_key_prompt_.get(), params, "update day x key x prompt usage rollup"));
    }
    return ok_status();
  }

  Status step_once(sqlite3_stmt* s, const std::vector<SqlParam>& params, const char* what) {
    sqlite3_reset(s);
    bind_all(s, params);
    const int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) {
      sqlite3_reset(s);
      return error(rc, what);
    }
    return ok_status();
  }

  static void bind_all(sqlite3_stmt* s, const std::vector<SqlParam>& params) {
    for (size_t i = 0; i < params.size(); ++i) {
      if (const int64_t* v = std::get_if<int64_t>(&params[i])) sqlite3_bind_int64(s, int(i + 1), *v);
      else bind_text(s, int(i + 1), std::get<std::string>(params[i]));
    }
  }

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
    k.budget_nano_usd = sqlite3_column_int64(s, 13);
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


  // --- Collections: helpers. ---
  // Writes the bytes to files/<id>.tmp, syncs, renames into place and syncs the folder.
  Status write_file_bytes(const std::string& id, std::string_view content) {
    if (::mkdir(files_dir_.c_str(), 0700) != 0 && errno != EEXIST) {
      return make_error(ErrorCode::InvalidFile, files_dir_.string() + ": cannot create (" + std::strerror(errno) + ")");
    }
    const std::filesystem::path tmp = files_dir_ / (id + ".tmp");
    ONDO_ASSIGN_OR_RETURN(auto out, env_.open(tmp, core::OpenMode::Truncate));
    Status st = out->append(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(content.data()), content.size()));
    if (st.ok()) st = out->sync();
    if (st.ok()) st = out->close();
    if (st.ok()) st = env_.rename(tmp, files_dir_ / id);
    if (st.ok()) st = env_.sync_dir(files_dir_);
    if (!st.ok()) (void)env_.remove(tmp);
    return st;
  }

  template <typename T, typename Read>
  Result<std::vector<T>> collect(Stmt& s, const std::string& what, Read read) {
    std::vector<T> out;
    for (;;) {
      const int rc = sqlite3_step(s.get());
      if (rc == SQLITE_DONE) return out;
      if (rc != SQLITE_ROW) return error(rc, what);
      Result<T> row = read(s.get());
      if (!row.ok()) return row.error();
      out.push_back(std::move(*row));
    }
  }

  // Runs a statement that must change one row or more; none: NotFound naming `subject`.
  Status change_one(const std::string& sql, const std::vector<std::string>& params, const std::string& what,
                    const std::string& subject) {
    Stmt s;
    ONDO_TRY(prepare(sql, s));
    for (size_t i = 0; i < params.size(); ++i) bind_text(s.get(), int(i) + 1, params[i]);
    const int rc = sqlite3_step(s.get());
    if (rc != SQLITE_DONE) return error(rc, what);
    if (sqlite3_changes(db_) == 0) return make_error(ErrorCode::NotFound, location_ + ": no " + subject);
    return ok_status();
  }

  static Result<FileRecord> read_file_row(sqlite3_stmt* s) {
    return FileRecord{text(s, 0), text(s, 1), text(s, 2), sqlite3_column_int64(s, 3), sqlite3_column_int64(s, 4)};
  }
  static Result<VectorStoreRecord> read_store_row(sqlite3_stmt* s) {
    VectorStoreRecord v;
    v.id = text(s, 0);
    v.name = text(s, 1);
    v.created_at = sqlite3_column_int64(s, 2);
    v.embedding_model = text(s, 3);
    v.dimensions = sqlite3_column_int(s, 4);
    v.chunking_type = text(s, 5);
    v.max_chunk_size_tokens = sqlite3_column_int(s, 6);
    v.chunk_overlap_tokens = sqlite3_column_int(s, 7);
    v.metadata = text(s, 8);
    return v;
  }
  static Result<VectorStoreFileRecord> read_vs_file_row(sqlite3_stmt* s) {
    VectorStoreFileRecord f;
    f.vector_store_id = text(s, 0);
    f.file_id = text(s, 1);
    f.created_at = sqlite3_column_int64(s, 2);
    f.status = text(s, 3);
    f.last_error_code = text(s, 4);
    f.last_error_message = text(s, 5);
    f.attributes = text(s, 6);
    f.max_chunk_size_tokens = sqlite3_column_int(s, 7);
    f.chunk_overlap_tokens = sqlite3_column_int(s, 8);
    f.chunking_type = text(s, 9);
    f.usage_bytes = sqlite3_column_int64(s, 10);
    f.chunk_count = sqlite3_column_int64(s, 11);
    return f;
  }
  Result<ChunkRecord> read_chunk_row(sqlite3_stmt* s, bool with_vector) {
    ChunkRecord c;
    c.id = sqlite3_column_int64(s, 0);
    c.vector_store_id = text(s, 1);
    c.file_id = text(s, 2);
    c.seq = sqlite3_column_int(s, 3);
    c.text = text(s, 4);
    if (with_vector) {
      const void* blob = sqlite3_column_blob(s, 5);
      const std::string_view bytes(static_cast<const char*>(blob), size_t(sqlite3_column_bytes(s, 5)));
      ONDO_ASSIGN_OR_RETURN(c.vector, decode_vector(bytes, location_ + ": chunk " + std::to_string(c.id)));
    }
    c.attributes = text(s, 6);
    return c;
  }

  // The body of complete_vector_store_file() inside its transaction (mu_ held).
  Status write_chunks(const std::string& vs, const std::string& file_id, std::vector<ChunkRecord>& chunks) {
    const std::string subject = "file '" + file_id + "' in progress in vector store '" + vs + "'";
    int32_t dims = 0;
    {
      Stmt s;
      ONDO_TRY(prepare("SELECT v.dimensions FROM vector_store_files f JOIN vector_stores v ON v.id = f.vector_store_id"
                       " WHERE f.vector_store_id = ?1 AND f.file_id = ?2 AND f.status = 'in_progress'", s));
      bind_text(s.get(), 1, vs);
      bind_text(s.get(), 2, file_id);
      const int rc = sqlite3_step(s.get());
      if (rc == SQLITE_DONE) return make_error(ErrorCode::NotFound, location_ + ": no " + subject);
      if (rc != SQLITE_ROW) return error(rc, "read " + subject);
      dims = sqlite3_column_int(s.get(), 0);
    }
    ONDO_ASSIGN_OR_RETURN(const int32_t width, check_chunk_widths(chunks, dims, location_ + ": " + subject));
    Stmt ins;
    ONDO_TRY(prepare("INSERT INTO chunks (vector_store_id, file_id, seq, text, vector, attributes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", ins));
    int64_t usage = 0;
    for (ChunkRecord& c : chunks) {
      sqlite3_reset(ins.get());
      const std::string blob = encode_vector(c.vector);
      bind_text(ins.get(), 1, vs);
      bind_text(ins.get(), 2, file_id);
      sqlite3_bind_int(ins.get(), 3, c.seq);
      bind_text(ins.get(), 4, c.text);
      sqlite3_bind_blob(ins.get(), 5, blob.data(), int(blob.size()), SQLITE_TRANSIENT);
      bind_text(ins.get(), 6, c.attributes);
      const int rc = sqlite3_step(ins.get());
      if (rc != SQLITE_DONE) return error(rc, "insert a chunk of " + subject);
      c.id = sqlite3_last_insert_rowid(db_);
      c.vector_store_id = vs;
      c.file_id = file_id;
      usage += int64_t(c.text.size() + blob.size());
    }
    if (dims == 0 && width > 0) {
      ONDO_TRY(change_one("UPDATE vector_stores SET dimensions = ?2 WHERE id = ?1", {vs, std::to_string(width)},
                          "set the vector store's dimensions", "vector store '" + vs + "'"));
    }
    return change_one("UPDATE vector_store_files SET status = 'completed', chunk_count = ?3, usage_bytes = ?4"
                      " WHERE vector_store_id = ?1 AND file_id = ?2 AND status = 'in_progress'",
                      {vs, file_id, std::to_string(chunks.size()), std::to_string(usage)}, "mark file completed", subject);
  }

  // --- Guardrails (issue 15.6) ---
 public:
  Status put_guardrail_policy(const GuardrailPolicy& p) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare("INSERT INTO guardrail_policies (name, body, created_at, updated_at) VALUES (?1, ?2, ?3, ?4)"
                     " ON CONFLICT (name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
                     s));
    bind_text(s.get(), 1, p.name);
    bind_text(s.get(), 2, p.body);
    sqlite3_bind_int64(s.get(), 3, p.created_at);
    sqlite3_bind_int64(s.get(), 4, p.updated_at);
    const int rc = sqlite3_step(s.get());
    if (rc != SQLITE_DONE) return error(rc, "write guardrail policy '" + p.name + "'");
    return ok_status();
  }

  Result<std::optional<GuardrailPolicy>> find_guardrail_policy(std::string_view name) override {
    std::lock_guard<std::mutex> lock(mu_);
    ONDO_ASSIGN_OR_RETURN(auto rows, policies("SELECT name, body, created_at, updated_at FROM guardrail_policies"
                                              " WHERE name = ?1", {std::string(name)}));
    if (rows.empty()) return std::optional<GuardrailPolicy>();
    return std::optional<GuardrailPolicy>(std::move(rows[0]));
  }

  Result<std::vector<GuardrailPolicy>> list_guardrail_policies() override {
    std::lock_guard<std::mutex> lock(mu_);
    return policies("SELECT name, body, created_at, updated_at FROM guardrail_policies ORDER BY name", {});
  }

  Status delete_guardrail_policy(std::string_view name) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare("DELETE FROM guardrail_policies WHERE name = ?1", s));  // attachments cascade
    bind_text(s.get(), 1, name);
    const int rc = sqlite3_step(s.get());
    if (rc != SQLITE_DONE) return error(rc, "delete guardrail policy '" + std::string(name) + "'");
    if (sqlite3_changes(db_) == 0) {
      return make_error(ErrorCode::NotFound, location_ + ": no guardrail policy '" + std::string(name) + "'");
    }
    return ok_status();
  }

  Status attach_guardrail_policy(const GuardrailAttachment& a) override {
    ONDO_TRY(check_attachment(a.scope, a.target));
    std::lock_guard<std::mutex> lock(mu_);
    ONDO_ASSIGN_OR_RETURN(auto found, policies("SELECT name, body, created_at, updated_at FROM guardrail_policies"
                                               " WHERE name = ?1", {a.policy}));
    if (found.empty()) return make_error(ErrorCode::NotFound, location_ + ": no guardrail policy '" + a.policy + "'");
    Stmt s;
    ONDO_TRY(prepare("INSERT INTO guardrail_attachments (scope, target, policy, created_at) VALUES (?1, ?2, ?3, ?4)"
                     " ON CONFLICT DO NOTHING", s));
    bind_text(s.get(), 1, a.scope);
    bind_text(s.get(), 2, a.target);
    bind_text(s.get(), 3, a.policy);
    sqlite3_bind_int64(s.get(), 4, a.created_at);
    const int rc = sqlite3_step(s.get());
    if (rc != SQLITE_DONE) return error(rc, "attach guardrail policy '" + a.policy + "'");
    return ok_status();
  }

  Status detach_guardrail_policy(std::string_view scope, std::string_view target, std::string_view policy) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare("DELETE FROM guardrail_attachments WHERE scope = ?1 AND target = ?2 AND policy = ?3", s));
    bind_text(s.get(), 1, scope);
    bind_text(s.get(), 2, target);
    bind_text(s.get(), 3, policy);
    const int rc = sqlite3_step(s.get());
    if (rc != SQLITE_DONE) return error(rc, "detach guardrail policy '" + std::string(policy) + "'");
    if (sqlite3_changes(db_) == 0) return no_attachment_error(location_, scope, target, policy);
    return ok_status();
  }

  Result<std::vector<GuardrailAttachment>> list_guardrail_attachments() override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare("SELECT scope, target, policy, created_at FROM guardrail_attachments ORDER BY policy, scope, target", s));
    std::vector<GuardrailAttachment> out;
    for (;;) {
      const int rc = sqlite3_step(s.get());
      if (rc == SQLITE_DONE) return out;
      if (rc != SQLITE_ROW) return error(rc, "list guardrail attachments");
      out.push_back({text(s.get(), 0), text(s.get(), 1), text(s.get(), 2), sqlite3_column_int64(s.get(), 3)});
    }
  }

  Result<std::vector<GuardrailPolicy>> guardrail_policies_for(std::string_view key_id, std::string_view prompt_name) override {
    std::lock_guard<std::mutex> lock(mu_);
    return policies("SELECT name, body, created_at, updated_at FROM guardrail_policies WHERE name IN ("
                    " SELECT policy FROM guardrail_attachments WHERE scope = 'global'"
                    " OR (scope = 'key' AND target = ?1 AND ?1 <> '') OR (scope = 'prompt' AND target = ?2 AND ?2 <> ''))"
                    " ORDER BY name",
                    {std::string(key_id), std::string(prompt_name)});
  }

  Status insert_guardrail_decisions(const std::vector<GuardrailDecision>& decisions) override {
    if (decisions.empty()) return ok_status();
    std::lock_guard<std::mutex> lock(mu_);
    ONDO_TRY(exec("BEGIN IMMEDIATE", "begin writing guardrail decisions"));
    Status st = write_decisions(decisions);
    if (st.ok()) st = exec("COMMIT", "commit guardrail decisions");
    if (!st.ok()) (void)exec("ROLLBACK", "roll back guardrail decisions");
    return st;
  }

  Result<std::vector<GuardrailDecision>> list_guardrail_decisions(const GuardrailDecisionQuery& q) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(std::string("SELECT ") + kGuardrailDecisionColumns +
                         " FROM guardrail_decisions WHERE (?1 = '' OR request_id = ?1) AND (?2 IS NULL OR at >= ?2)"
                         " AND (?3 IS NULL OR at < ?3) ORDER BY at, id LIMIT ?4",
                     s));
    bind_text(s.get(), 1, q.request_id);
    bind_opt(s.get(), 2, q.from);
    bind_opt(s.get(), 3, q.to);
    sqlite3_bind_int64(s.get(), 4, q.limit);
    std::vector<GuardrailDecision> out;
    for (;;) {
      const int rc = sqlite3_step(s.get());
      if (rc == SQLITE_DONE) return out;
      if (rc != SQLITE_ROW) return error(rc, "list guardrail decisions");
      sqlite3_stmt* r = s.get();
      out.push_back({sqlite3_column_int64(r, 0), sqlite3_column_int64(r, 1), text(r, 2), text(r, 3), text(r, 4),
                     text(r, 5), text(r, 6), text(r, 7), text(r, 8), sqlite3_column_int64(r, 9),
                     sqlite3_column_int64(r, 10)});
    }
  }

 private:
  // Policy rows of a query with text parameters ?1.. (mu_ held).
  Result<std::vector<GuardrailPolicy>> policies(const std::string& sql, const std::vector<std::string>& params) {
    Stmt s;
    ONDO_TRY(prepare(sql, s));
    for (size_t i = 0; i < params.size(); ++i) bind_text(s.get(), int(i + 1), params[i]);
    std::vector<GuardrailPolicy> out;
    for (;;) {
      const int rc = sqlite3_step(s.get());
      if (rc == SQLITE_DONE) return out;
      if (rc != SQLITE_ROW) return error(rc, "read guardrail policies");
      out.push_back({text(s.get(), 0), text(s.get(), 1), sqlite3_column_int64(s.get(), 2), sqlite3_column_int64(s.get(), 3)});
    }
  }

  Status write_decisions(const std::vector<GuardrailDecision>& decisions) {
    Stmt s;
    ONDO_TRY(prepare("INSERT INTO guardrail_decisions (at, request_id, key_id, policy, rule, reason, stage, action,"
                     " span_begin, span_end) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                     s));
    for (const GuardrailDecision& d : decisions) {
      sqlite3_stmt* st = s.get();
      sqlite3_reset(st);
      sqlite3_bind_int64(st, 1, d.at);
      bind_text(st, 2, d.request_id);
      bind_text(st, 3, d.key_id);
      bind_text(st, 4, d.policy);
      bind_text(st, 5, d.rule);
      bind_text(st, 6, d.reason);
      bind_text(st, 7, d.stage);
      bind_text(st, 8, d.action);
      sqlite3_bind_int64(st, 9, d.span_begin);
      sqlite3_bind_int64(st, 10, d.span_end);
      const int rc = sqlite3_step(st);
      if (rc != SQLITE_DONE) return error(rc, "write guardrail decision of '" + d.request_id + "'");
    }
    return ok_status();
  }

  const std::string location_;
  const std::string vfs_;
  const std::filesystem::path files_dir_;  // <data_dir>/files: the bytes of uploaded files
  core::Env& env_;
  std::mutex mu_;           // guards db_'s use: one statement at a time
  sqlite3* db_ = nullptr;
  Stmt insert_usage_;       // prepared on first use; guarded by mu_
  Stmt upsert_usage_;       // guarded by mu_
  Stmt upsert_monthly_;     // guarded by mu_
  Stmt upsert_model_day_;   // guarded by mu_
  Stmt upsert_day_seq_;     // guarded by mu_
  Stmt upsert_key_model_;   // guarded by mu_
  Stmt upsert_key_prompt_;  // guarded by mu_
  std::mutex group_mu_;     // guards group_ and group_leader_ (record_usage's group commit)
  std::condition_variable group_cv_;
  std::vector<PendingUsage*> group_;
  bool group_leader_ = false;
  // The limit counters; loads a period's settled spend from limit_spend (lock order:
  // the limiter's mutex, then mu_).
  MemoryLimiter limiter_{[this](const std::string& key_id, int64_t period_start) { return load_spend(key_id, period_start); }};

  Result<Spend> load_spend(const std::string& key_id, int64_t period_start) {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare("SELECT tokens, nano_usd FROM limit_spend WHERE key_id = ?1 AND period_start = ?2", s));
    bind_text(s.get(), 1, key_id);
    sqlite3_bind_int64(s.get(), 2, period_start);
    const int rc = sqlite3_step(s.get());
    if (rc == SQLITE_DONE) return Spend{};
    if (rc != SQLITE_ROW) return error(rc, "read the spend of api key '" + key_id + "'");
    return Spend{sqlite3_column_int64(s.get(), 0), sqlite3_column_int64(s.get(), 1)};
  }

  // --- Prompt registry (issue 15.5). Versions are numbered by one INSERT ... SELECT MAX + 1
  // statement, which holds SQLite's write lock from its start (no two writers get one number).
 public:
  Status insert_prompt(const Prompt& p) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare("INSERT INTO prompts (name, description, created_at) VALUES (?1, ?2, ?3)", s));
    bind_text(s.get(), 1, p.name);
    bind_text(s.get(), 2, p.description);
    sqlite3_bind_int64(s.get(), 3, p.created_at);
    const int rc = sqlite3_step(s.get());
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE) {
      return make_error(ErrorCode::InvalidArgument, "prompt '" + p.name + "' exists");
    }
    if (rc != SQLITE_DONE) return error(rc, "insert prompt '" + p.name + "'");
    return ok_status();
  }

  Result<std::optional<Prompt>> find_prompt(std::string_view name) override {
    std::lock_guard<std::mutex> lock(mu_);
    return find_prompt_locked(name);
  }

  Result<std::vector<Prompt>> list_prompts() override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(std::string(kPromptSelect) + " ORDER BY name", s));
    std::vector<Prompt> out;
    for (;;) {
      const int rc = sqlite3_step(s.get());
      if (rc == SQLITE_DONE) return out;
      if (rc != SQLITE_ROW) return error(rc, "list prompts");
      out.push_back(read_prompt(s.get()));
    }
  }

  Result<int64_t> add_prompt_version(const PromptVersion& v) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(std::string("INSERT INTO prompt_versions (") + kPromptVersionColumns +
                         ") SELECT ?1, COALESCE(MAX(version), 0) + 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11"
                         " FROM prompt_versions WHERE prompt = ?1 RETURNING version",
                     s));
    sqlite3_stmt* st = s.get();
    bind_text(st, 1, v.prompt);
    bind_text(st, 2, v.system);
    bind_text(st, 3, encode_messages(v.messages));
    bind_text(st, 4, encode_variables(v.variables));
    bind_text(st, 5, encode_messages(v.examples));
    bind_text(st, 6, v.params_json);
    bind_text(st, 7, v.response_schema_json);
    bind_text(st, 8, v.tools_json);
    bind_text(st, 9, v.guardrail);
    bind_text(st, 10, v.note);
    sqlite3_bind_int64(st, 11, v.created_at);
    const int rc = sqlite3_step(st);
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) return make_error(ErrorCode::NotFound, "prompt '" + v.prompt + "': not found");
    if (rc != SQLITE_ROW) return error(rc, "add a version to prompt '" + v.prompt + "'");
    const int64_t version = sqlite3_column_int64(st, 0);
    const int done = sqlite3_step(st);
    if (done != SQLITE_DONE) return error(done, "add a version to prompt '" + v.prompt + "'");
    return version;
  }

  Result<std::optional<PromptVersion>> find_prompt_version(std::string_view name, int64_t version) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(std::string("SELECT ") + kPromptVersionColumns + " FROM prompt_versions WHERE prompt = ?1 AND version = ?2", s));
    bind_text(s.get(), 1, name);
    sqlite3_bind_int64(s.get(), 2, version);
    const int rc = sqlite3_step(s.get());
    if (rc == SQLITE_DONE) return std::optional<PromptVersion>();
    if (rc != SQLITE_ROW) return error(rc, "read prompt '" + std::string(name) + "' version " + std::to_string(version));
    ONDO_ASSIGN_OR_RETURN(PromptVersion v, read_prompt_version(s.get()));
    return std::optional<PromptVersion>(std::move(v));
  }

  Result<std::vector<PromptVersion>> list_prompt_versions(std::string_view name) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(std::string("SELECT ") + kPromptVersionColumns + " FROM prompt_versions WHERE prompt = ?1 ORDER BY version", s));
    bind_text(s.get(), 1, name);
    std::vector<PromptVersion> out;
    for (;;) {
      const int rc = sqlite3_step(s.get());
      if (rc == SQLITE_DONE) return out;
      if (rc != SQLITE_ROW) return error(rc, "list the versions of prompt '" + std::string(name) + "'");
      ONDO_ASSIGN_OR_RETURN(PromptVersion v, read_prompt_version(s.get()));
      out.push_back(std::move(v));
    }
  }

  // Versions and prompts are never deleted, so checking them before the one upsert is exact.
  Status set_prompt_label(const PromptLabel& l) override {
    std::lock_guard<std::mutex> lock(mu_);
    ONDO_TRY(check_targets(l.targets, "prompt '" + l.prompt + "' label '" + l.label + "'"));
    ONDO_ASSIGN_OR_RETURN(std::optional<Prompt> p, find_prompt_locked(l.prompt));
    if (!p) return make_error(ErrorCode::NotFound, "prompt '" + l.prompt + "': not found");
    for (const LabelTarget& t : l.targets) {
      if (t.version > p->latest_version) {
        return make_error(ErrorCode::NotFound, "prompt '" + l.prompt + "': no version " + std::to_string(t.version) +
                                                   " (latest is " + std::to_string(p->latest_version) + ")");
      }
    }
    Stmt s;
    ONDO_TRY(prepare("INSERT INTO prompt_labels (prompt, label, targets, updated_at) VALUES (?1, ?2, ?3, ?4)"
                     " ON CONFLICT (prompt, label) DO UPDATE SET targets = excluded.targets, updated_at = excluded.updated_at",
                     s));
    bind_text(s.get(), 1, l.prompt);
    bind_text(s.get(), 2, l.label);
    bind_text(s.get(), 3, encode_targets(l.targets));
    sqlite3_bind_int64(s.get(), 4, l.updated_at);
    const int rc = sqlite3_step(s.get());
    if (rc != SQLITE_DONE) return error(rc, "set label '" + l.label + "' of prompt '" + l.prompt + "'");
    return ok_status();
  }

  Result<std::optional<PromptLabel>> find_prompt_label(std::string_view name, std::string_view label) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare("SELECT prompt, label, targets, updated_at FROM prompt_labels WHERE prompt = ?1 AND label = ?2", s));
    bind_text(s.get(), 1, name);
    bind_text(s.get(), 2, label);
    const int rc = sqlite3_step(s.get());
    if (rc == SQLITE_DONE) return std::optional<PromptLabel>();
    if (rc != SQLITE_ROW) return error(rc, "read label '" + std::string(label) + "' of prompt '" + std::string(name) + "'");
    ONDO_ASSIGN_OR_RETURN(PromptLabel l, read_label(s.get()));
    return std::optional<PromptLabel>(std::move(l));
  }

  Result<std::vector<PromptLabel>> list_prompt_labels(std::string_view name) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare("SELECT prompt, label, targets, updated_at FROM prompt_labels WHERE prompt = ?1 ORDER BY label", s));
    bind_text(s.get(), 1, name);
    std::vector<PromptLabel> out;
    for (;;) {
      const int rc = sqlite3_step(s.get());
      if (rc == SQLITE_DONE) return out;
      if (rc != SQLITE_ROW) return error(rc, "list the labels of prompt '" + std::string(name) + "'");
      ONDO_ASSIGN_OR_RETURN(PromptLabel l, read_label(s.get()));
      out.push_back(std::move(l));
    }
  }

 private:
  static constexpr const char* kPromptSelect =
      "SELECT name, description, created_at,"
      " (SELECT COALESCE(MAX(version), 0) FROM prompt_versions v WHERE v.prompt = p.name) FROM prompts p";

  Result<std::optional<Prompt>> find_prompt_locked(std::string_view name) {
    Stmt s;
    ONDO_TRY(prepare(std::string(kPromptSelect) + " WHERE name = ?1", s));
    bind_text(s.get(), 1, name);
    const int rc = sqlite3_step(s.get());
    if (rc == SQLITE_DONE) return std::optional<Prompt>();
    if (rc != SQLITE_ROW) return error(rc, "read prompt '" + std::string(name) + "'");
    return std::optional<Prompt>(read_prompt(s.get()));
  }

  static Prompt read_prompt(sqlite3_stmt* s) {
    return Prompt{text(s, 0), text(s, 1), sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3)};
  }

  Result<PromptVersion> read_prompt_version(sqlite3_stmt* s) {
    PromptVersion v;
    v.prompt = text(s, 0);
    v.version = sqlite3_column_int64(s, 1);
    const std::string what = location_ + ": prompt '" + v.prompt + "' version " + std::to_string(v.version);
    v.system = text(s, 2);
    ONDO_ASSIGN_OR_RETURN(v.messages, decode_messages(text(s, 3), what));
    ONDO_ASSIGN_OR_RETURN(v.variables, decode_variables(text(s, 4), what));
    ONDO_ASSIGN_OR_RETURN(v.examples, decode_messages(text(s, 5), what));
    v.params_json = text(s, 6);
    v.response_schema_json = text(s, 7);
    v.tools_json = text(s, 8);
    v.guardrail = text(s, 9);
    v.note = text(s, 10);
    v.created_at = sqlite3_column_int64(s, 11);
    return v;
  }

  Result<PromptLabel> read_label(sqlite3_stmt* s) {
    PromptLabel l;
    l.prompt = text(s, 0);
    l.label = text(s, 1);
    ONDO_ASSIGN_OR_RETURN(l.targets, decode_targets(text(s, 2), location_ + ": prompt '" + l.prompt + "' label '" + l.label + "'"));
    l.updated_at = sqlite3_column_int64(s, 3);
    return l;
  }

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

  // --- Fridge app (issue 20; store/fridge.h). The statements are shared with PostgreSQL. ---
 public:
  Status insert_fridge_record(const FridgeRecord& r) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(kFridgeRecordInsert, s));
    bind_fridge_record(s.get(), r);
    bind_named_int(s.get(), "$6", r.created_at);
    bind_named_int(s.get(), "$7", r.updated_at);
    const int rc = sqlite3_step(s.get());
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE) {
      return make_error(ErrorCode::InvalidArgument, location_ + ": fridge " + r.kind + " '" + r.id + "' exists");
    }
    if (rc != SQLITE_DONE) return error(rc, "insert fridge " + r.kind + " '" + r.id + "'");
    return ok_status();
  }

  Status update_fridge_record(const FridgeRecord& r) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(kFridgeRecordUpdate, s));
    bind_fridge_record(s.get(), r);
    bind_named_int(s.get(), "$6", r.updated_at);
    const int rc = sqlite3_step(s.get());
    if (rc != SQLITE_DONE) return error(rc, "update fridge " + r.kind + " '" + r.id + "'");
    if (sqlite3_changes(db_) == 0) return make_error(ErrorCode::NotFound, location_ + ": no fridge " + r.kind + " '" + r.id + "'");
    return ok_status();
  }

  Result<std::optional<FridgeRecord>> find_fridge_record(std::string_view kind, std::string_view id) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(kFridgeRecordFind, s));
    bind_named_text(s.get(), "$1", kind);
    bind_named_text(s.get(), "$2", id);
    ONDO_ASSIGN_OR_RETURN(std::vector<FridgeRecord> rows, read_fridge_records(s.get()));
    if (rows.empty()) return std::optional<FridgeRecord>();
    return std::optional<FridgeRecord>(std::move(rows[0]));
  }

  Result<std::vector<FridgeRecord>> list_fridge_records(std::string_view kind, std::string_view household,
                                                        std::string_view ref) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(kFridgeRecordList, s));
    bind_named_text(s.get(), "$1", kind);
    bind_named_text(s.get(), "$2", household);
    bind_named_text(s.get(), "$3", ref);
    return read_fridge_records(s.get());
  }

  Status delete_fridge_record(std::string_view kind, std::string_view id) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(kFridgeRecordDelete, s));
    bind_named_text(s.get(), "$1", kind);
    bind_named_text(s.get(), "$2", id);
    const int rc = sqlite3_step(s.get());
    if (rc != SQLITE_DONE) return error(rc, "delete fridge " + std::string(kind) + " '" + std::string(id) + "'");
    if (sqlite3_changes(db_) == 0) {
      return make_error(ErrorCode::NotFound, location_ + ": no fridge " + std::string(kind) + " '" + std::string(id) + "'");
    }
    return ok_status();
  }

  Result<bool> enqueue_fridge_alert(const FridgeAlert& a) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(kFridgeAlertInsert, s));
    bind_named_text(s.get(), "$1", a.key);
    bind_named_text(s.get(), "$2", a.household);
    bind_named_text(s.get(), "$3", a.url);
    bind_named_text(s.get(), "$4", a.body);
    bind_named_int(s.get(), "$5", a.created_ms);
    bind_named_int(s.get(), "$6", a.next_attempt_ms);
    const int rc = sqlite3_step(s.get());
    if (rc != SQLITE_DONE) return error(rc, "enqueue fridge alert '" + a.key + "'");
    return sqlite3_changes(db_) > 0;
  }

  Result<std::vector<FridgeAlert>> due_fridge_alerts(int64_t now_ms, int limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(kFridgeAlertDue, s));
    bind_named_int(s.get(), "$1", now_ms);
    bind_named_int(s.get(), "$2", limit);
    return read_fridge_alerts(s.get());
  }

  Result<std::optional<FridgeAlert>> find_fridge_alert(std::string_view key) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(kFridgeAlertFind, s));
    bind_named_text(s.get(), "$1", key);
    ONDO_ASSIGN_OR_RETURN(std::vector<FridgeAlert> rows, read_fridge_alerts(s.get()));
    if (rows.empty()) return std::optional<FridgeAlert>();
    return std::optional<FridgeAlert>(std::move(rows[0]));
  }

  Status update_fridge_alert(std::string_view key, int32_t attempts, int64_t next_attempt_ms,
                             std::optional<int64_t> delivered_ms, std::string_view last_error) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(kFridgeAlertUpdate, s));
    bind_named_text(s.get(), "$1", key);
    bind_named_int(s.get(), "$2", attempts);
    bind_named_int(s.get(), "$3", next_attempt_ms);
    bind_opt(s.get(), sqlite3_bind_parameter_index(s.get(), "$4"), delivered_ms);
    bind_named_text(s.get(), "$5", last_error);
    const int rc = sqlite3_step(s.get());
    if (rc != SQLITE_DONE) return error(rc, "update fridge alert '" + std::string(key) + "'");
    if (sqlite3_changes(db_) == 0) return make_error(ErrorCode::NotFound, location_ + ": no fridge alert '" + std::string(key) + "'");
    return ok_status();
  }

 private:
  // $1..$5 of the insert and update statements: kind, id, household, ref, body.
  static void bind_fridge_record(sqlite3_stmt* s, const FridgeRecord& r) {
    bind_named_text(s, "$1", r.kind);
    bind_named_text(s, "$2", r.id);
    bind_named_text(s, "$3", r.household);
    bind_named_text(s, "$4", r.ref);
    bind_named_text(s, "$5", r.body);
  }
  // Requires: mu_ held; `s` selects kFridgeRecordColumns.
  Result<std::vector<FridgeRecord>> read_fridge_records(sqlite3_stmt* s) {
    std::vector<FridgeRecord> out;
    for (;;) {
      const int rc = sqlite3_step(s);
      if (rc == SQLITE_DONE) return out;
      if (rc != SQLITE_ROW) return error(rc, "read fridge records");
      out.push_back(FridgeRecord{text(s, 0), text(s, 1), text(s, 2), text(s, 3), text(s, 4),
                                 sqlite3_column_int64(s, 5), sqlite3_column_int64(s, 6)});
    }
  }
  // Requires: mu_ held; `s` selects kFridgeAlertColumns.
  Result<std::vector<FridgeAlert>> read_fridge_alerts(sqlite3_stmt* s) {
    std::vector<FridgeAlert> out;
    for (;;) {
      const int rc = sqlite3_step(s);
      if (rc == SQLITE_DONE) return out;
      if (rc != SQLITE_ROW) return error(rc, "read fridge alerts");
      out.push_back(FridgeAlert{text(s, 0), text(s, 1), text(s, 2), text(s, 3), sqlite3_column_int64(s, 4),
                                sqlite3_column_int64(s, 5), int32_t(sqlite3_column_int64(s, 6)), opt(s, 7), text(s, 8)});
    }
  }
  // --- Jobs (issue 17.1; store/jobs.h). Statements use $n names, bound by name. ---
 public:
  Status insert_job(const JobRecord& j) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(std::string("INSERT INTO jobs (") + kJobColumns +
                         ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
                     s));
    bind_job_params(s.get(), job_params(j));
    const int rc = sqlite3_step(s.get());
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY) return make_error(ErrorCode::InvalidArgument, location_ + ": job '" + j.id + "' exists");
    if (rc != SQLITE_DONE) return error(rc, "insert job '" + j.id + "'");
    return ok_status();
  }

  Result<std::optional<JobRecord>> find_job(std::string_view id) override {
    std::lock_guard<std::mutex> lock(mu_);
    return find_job_locked(id);
  }

  Result<std::vector<JobRecord>> list_jobs(const JobQuery& q) override {
    std::lock_guard<std::mutex> lock(mu_);
    JobRecord after;
    if (!q.after.empty()) {
      ONDO_ASSIGN_OR_RETURN(std::optional<JobRecord> a, find_job_locked(q.after));
      if (!a) return make_error(ErrorCode::NotFound, location_ + ": no job '" + q.after + "' (after)");
      after = std::move(*a);
    }
    Stmt s;
    ONDO_TRY(prepare(std::string("SELECT ") + kJobColumns +
                         " FROM jobs WHERE ($1 = '[]' OR kind IN (SELECT value FROM json_each($1)))"
                         " AND ($2 = '' OR created_ms < $3 OR (created_ms = $3 AND id < $2))"
                         " ORDER BY created_ms DESC, id DESC LIMIT $4",
                     s));
    bind_job_params(s.get(), {encode_models(q.kinds), q.after, after.created_ms, q.limit});
    return collect<JobRecord>(s, "list jobs", [](sqlite3_stmt* st) -> Result<JobRecord> { return read_job(st); });
  }

  Result<std::optional<JobRecord>> claim_job(std::string_view owner, const std::vector<std::string>& kinds, int64_t now_ms,
                                             int64_t lease_ms) override {
    std::lock_guard<std::mutex> lock(mu_);
    ONDO_TRY(exec("BEGIN IMMEDIATE", "begin job claim"));
    auto claimed = claim_in_transaction(owner, kinds, now_ms, lease_ms);
    Status st = claimed.ok() ? exec("COMMIT", "commit job claim") : claimed.error();
    if (!st.ok()) {
      (void)exec("ROLLBACK", "roll back job claim");
      return st.error();
    }
    return claimed;
  }

  Result<JobLease> heartbeat_job(std::string_view id, std::string_view owner, int64_t now_ms, int64_t lease_ms,
                                 const std::optional<std::string>& progress) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(kJobHeartbeat, s));
    std::vector<std::optional<SqlParam>> params = {std::string(id), std::string(owner), now_ms, lease_ms};
    params.push_back(progress ? std::optional<SqlParam>(*progress) : std::nullopt);
    bind_job_params(s.get(), params);
    const int rc = sqlite3_step(s.get());
    if (rc == SQLITE_DONE) return JobLease::Lost;
    if (rc != SQLITE_ROW) return error(rc, "heartbeat job '" + std::string(id) + "'");
    const bool cancel = sqlite3_column_int64(s.get(), 0) != 0;
    const int end = sqlite3_step(s.get());
    if (end != SQLITE_DONE) return error(end, "heartbeat job '" + std::string(id) + "'");
    return cancel ? JobLease::CancelRequested : JobLease::Held;
  }

  Status finish_job(std::string_view id, std::string_view owner, std::string_view state, std::string_view result,
                    std::string_view error_code, std::string_view error_message, int64_t now_ms) override {
    ONDO_TRY(check_final_state(state));
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(kJobFinish, s));
    bind_job_params(s.get(), {std::string(id), std::string(owner), std::string(state), std::string(result),
                              std::string(error_code), std::string(error_message), now_ms});
    const int rc = sqlite3_step(s.get());
    if (rc != SQLITE_DONE) return error(rc, "finish job '" + std::string(id) + "'");
    if (sqlite3_changes(db_) == 0) return lease_not_held(id, owner);
    return ok_status();
  }

  Result<JobRecord> cancel_job(std::string_view id, int64_t now_ms) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(kJobCancel, s));
    bind_job_params(s.get(), {std::string(id), now_ms});
    const int rc = sqlite3_step(s.get());
    if (rc != SQLITE_DONE) return error(rc, "cancel job '" + std::string(id) + "'");
    ONDO_ASSIGN_OR_RETURN(std::optional<JobRecord> j, find_job_locked(id));
    if (!j) return make_error(ErrorCode::NotFound, location_ + ": no job '" + std::string(id) + "'");
    return std::move(*j);
  }

  Result<int64_t> append_job_event(const JobEvent& e) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare("INSERT INTO job_events (job_id, seq, time_ms, level, message, data)"
                     " SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5 FROM job_events WHERE job_id = $1"
                     " RETURNING seq", s));
    bind_job_params(s.get(), {e.job_id, e.time_ms, e.level, e.message, e.data});
    return step_returning_seq(s, "job '" + e.job_id + "'", "append an event to job '" + e.job_id + "'");
  }

  Result<std::vector<JobEvent>> list_job_events(std::string_view job_id, int64_t after_seq, int64_t limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare("SELECT job_id, seq, time_ms, level, message, data FROM job_events WHERE job_id = $1 AND seq > $2"
                     " ORDER BY seq LIMIT $3", s));
    bind_job_params(s.get(), {std::string(job_id), after_seq, limit});
    return collect<JobEvent>(s, "list job events", [](sqlite3_stmt* st) -> Result<JobEvent> {
      return JobEvent{text(st, 0), sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2), text(st, 3), text(st, 4), text(st, 5)};
    });
  }

  Result<int64_t> add_job_checkpoint(const JobCheckpoint& c) override {
    std::lock_guard<std::mutex> lock(mu_);
    ONDO_TRY(exec("BEGIN IMMEDIATE", "begin job checkpoint"));
    Result<int64_t> seq = [&]() -> Result<int64_t> {
      Stmt s;
      ONDO_TRY(prepare("INSERT INTO job_checkpoints (job_id, seq, step, ref, metrics, created_ms)"
                       " SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5 FROM job_checkpoints WHERE job_id = $1"
                       " RETURNING seq", s));
      bind_job_params(s.get(), {c.job_id, c.step, c.ref, c.metrics, c.created_ms});
      ONDO_ASSIGN_OR_RETURN(int64_t n, step_returning_seq(s, "job '" + c.job_id + "'", "add a checkpoint to job '" + c.job_id + "'"));
      Stmt u;
      ONDO_TRY(prepare("UPDATE jobs SET checkpoint = $2 WHERE id = $1", u));
      bind_job_params(u.get(), {c.job_id, c.ref});
      const int rc = sqlite3_step(u.get());
      if (rc != SQLITE_DONE) return error(rc, "set the checkpoint of job '" + c.job_id + "'");
      return n;
    }();
    Status st = seq.ok() ? exec("COMMIT", "commit job checkpoint") : seq.error();
    if (!st.ok()) {
      (void)exec("ROLLBACK", "roll back job checkpoint");
      return st.error();
    }
    return seq;
  }

  Result<std::vector<JobCheckpoint>> list_job_checkpoints(std::string_view job_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare("SELECT job_id, seq, step, ref, metrics, created_ms FROM job_checkpoints WHERE job_id = $1 ORDER BY seq", s));
    bind_job_params(s.get(), {std::string(job_id)});
    return collect<JobCheckpoint>(s, "list job checkpoints", [](sqlite3_stmt* st) -> Result<JobCheckpoint> {
      return JobCheckpoint{text(st, 0), sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2), text(st, 3), text(st, 4),
                           sqlite3_column_int64(st, 5)};
    });
  }

 private:
  // Binds params[i] to "$<i+1>" (a name the statement lacks is skipped; nullopt binds NULL).
  static void bind_job_params(sqlite3_stmt* s, const std::vector<std::optional<SqlParam>>& params) {
    for (size_t i = 0; i < params.size(); ++i) {
      const int at = sqlite3_bind_parameter_index(s, ("$" + std::to_string(i + 1)).c_str());
      if (at == 0) continue;
      if (!params[i]) sqlite3_bind_null(s, at);
      else if (const int64_t* v = std::get_if<int64_t>(&*params[i])) sqlite3_bind_int64(s, at, *v);
      else bind_text(s, at, std::get<std::string>(*params[i]));
    }
  }

  static Result<JobRecord> read_job(sqlite3_stmt* s) {
    JobRecord j;
    j.id = text(s, 0), j.kind = text(s, 1), j.state = text(s, 2), j.params = text(s, 3), j.progress = text(s, 4);
    j.result = text(s, 5), j.error_code = text(s, 6), j.error = text(s, 7), j.created_ms = sqlite3_column_int64(s, 8);
    j.started_ms = opt(s, 9), j.finished_ms = opt(s, 10), j.lease_owner = text(s, 11);
    j.lease_expires_ms = sqlite3_column_int64(s, 12), j.heartbeat_ms = sqlite3_column_int64(s, 13);
    j.attempt = sqlite3_column_int64(s, 14), j.max_attempts = sqlite3_column_int64(s, 15);
    j.cancel_requested = sqlite3_column_int64(s, 16) != 0, j.checkpoint = text(s, 17), j.owner = text(s, 18);
    return j;
  }

  Result<std::optional<JobRecord>> find_job_locked(std::string_view id) {
    Stmt s;
    ONDO_TRY(prepare(std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id = $1", s));
    bind_job_params(s.get(), {std::string(id)});
    ONDO_ASSIGN_OR_RETURN(auto all, collect<JobRecord>(s, "read job", [](sqlite3_stmt* st) -> Result<JobRecord> { return read_job(st); }));
    if (all.empty()) return std::optional<JobRecord>();
    return std::optional<JobRecord>(std::move(all[0]));
  }

  // Requires: mu_ held, a transaction open.
  Result<std::optional<JobRecord>> claim_in_transaction(std::string_view owner, const std::vector<std::string>& kinds,
                                                        int64_t now_ms, int64_t lease_ms) {
    for (const char* sweep : {kJobSweepCancelled, kJobSweepExhausted}) {
      Stmt s;
      ONDO_TRY(prepare(sweep, s));
      bind_job_params(s.get(), {now_ms});
      const int rc = sqlite3_step(s.get());
      if (rc != SQLITE_DONE) return error(rc, "end expired jobs");
    }
    Stmt s;
    ONDO_TRY(prepare(std::string("UPDATE jobs SET state = 'running', lease_owner = $2, lease_expires_ms = $3 + $4,"
                                 " heartbeat_ms = $3, attempt = attempt + 1, started_ms = COALESCE(started_ms, $3)"
                                 " WHERE id = (SELECT id FROM jobs WHERE (state = 'queued' OR (state = 'running' AND"
                                 " lease_expires_ms < $3)) AND cancel_requested = 0 AND ($1 = '[]' OR kind IN (SELECT value FROM json_each($1)))"
                                 " ORDER BY created_ms, id LIMIT 1) RETURNING ") + kJobColumns,
                     s));
    bind_job_params(s.get(), {encode_models(kinds), std::string(owner), now_ms, lease_ms});
    ONDO_ASSIGN_OR_RETURN(auto all, collect<JobRecord>(s, "claim a job", [](sqlite3_stmt* st) -> Result<JobRecord> { return read_job(st); }));
    if (all.empty()) return std::optional<JobRecord>();
    return std::optional<JobRecord>(std::move(all[0]));
  }

  // Steps an INSERT ... RETURNING seq; a foreign-key failure is NotFound naming `subject`.
  Result<int64_t> step_returning_seq(Stmt& s, const std::string& subject, const std::string& what) {
    const int rc = sqlite3_step(s.get());
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) return make_error(ErrorCode::NotFound, location_ + ": no " + subject);
    if (rc != SQLITE_ROW) return error(rc, what);
    const int64_t seq = sqlite3_column_int64(s.get(), 0);
    const int end = sqlite3_step(s.get());
    if (end == SQLITE_CONSTRAINT_FOREIGNKEY) return make_error(ErrorCode::NotFound, location_ + ": no " + subject);
    if (end != SQLITE_DONE) return error(end, what);
    return seq;
  }

  Error lease_not_held(std::string_view id, std::string_view owner) {
    return make_error(ErrorCode::NotFound, location_ + ": job '" + std::string(id) + "' is not running under worker '" +
                                               std::string(owner) + "' (its lease was lost)");
  }

  // --- Web console sessions (issue 19.3; store/console_sessions.h, statements shared with PostgreSQL). ---
 public:
  Status insert_console_session(const ConsoleSessionRow& r) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(kConsoleSessionInsert, s));
    bind_named_text(s.get(), "$1", r.token_hash);
    bind_named_text(s.get(), "$2", r.key_id);
    bind_named_text(s.get(), "$3", r.key_hash);
    bind_named_text(s.get(), "$4", r.csrf);
    bind_named_int(s.get(), "$5", r.created_at);
    bind_named_int(s.get(), "$6", r.last_seen_at);
    bind_named_int(s.get(), "$7", r.expires_at);
    const int rc = sqlite3_step(s.get());
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE) {
      return make_error(ErrorCode::InvalidArgument, location_ + ": console session exists");
    }
    if (rc != SQLITE_DONE) return error(rc, "insert console session");
    return ok_status();
  }

  Result<std::optional<ConsoleSessionRow>> find_console_session(std::string_view token_hash, int64_t now) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(kConsoleSessionFind, s));
    bind_named_text(s.get(), "$1", token_hash);
    bind_named_int(s.get(), "$2", now);
    const int rc = sqlite3_step(s.get());
    if (rc == SQLITE_DONE) return std::optional<ConsoleSessionRow>();
    if (rc != SQLITE_ROW) return error(rc, "read console session");
    ConsoleSessionRow r;
    r.token_hash = text(s.get(), 0);
    r.key_id = text(s.get(), 1);
    r.key_hash = text(s.get(), 2);
    r.csrf = text(s.get(), 3);
    r.created_at = sqlite3_column_int64(s.get(), 4);
    r.last_seen_at = sqlite3_column_int64(s.get(), 5);
    r.expires_at = sqlite3_column_int64(s.get(), 6);
    return std::optional<ConsoleSessionRow>(std::move(r));
  }

  Result<bool> touch_console_session(std::string_view token_hash, int64_t now, int64_t expires_at) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(kConsoleSessionTouch, s));
    bind_named_text(s.get(), "$1", token_hash);
    bind_named_int(s.get(), "$2", now);
    bind_named_int(s.get(), "$3", expires_at);
    const int rc = sqlite3_step(s.get());
    if (rc != SQLITE_DONE) return error(rc, "touch console session");
    return sqlite3_changes(db_) > 0;
  }

  Result<bool> delete_console_session(std::string_view token_hash) override {
    ONDO_ASSIGN_OR_RETURN(int64_t n, run_session_delete(kConsoleSessionDelete, token_hash, "delete console session"));
    return n > 0;
  }

  Result<int64_t> delete_console_sessions_of(std::string_view key_id) override {
    return run_session_delete(kConsoleSessionDeleteOfKey, key_id, "delete the console sessions of '" + std::string(key_id) + "'");
  }

  Result<int64_t> purge_console_sessions(int64_t now, int64_t keep_at_most) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(kConsoleSessionPurge, s));
    bind_named_int(s.get(), "$1", now);
    bind_named_int(s.get(), "$2", keep_at_most);
    const int rc = sqlite3_step(s.get());
    if (rc != SQLITE_DONE) return error(rc, "purge console sessions");
    return int64_t(sqlite3_changes(db_));
  }

 private:
  Result<int64_t> run_session_delete(const char* sql, std::string_view arg, const std::string& what) {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt s;
    ONDO_TRY(prepare(sql, s));
    bind_named_text(s.get(), "$1", arg);
    const int rc = sqlite3_step(s.get());
    if (rc != SQLITE_DONE) return error(rc, what);
    return int64_t(sqlite3_changes(db_));
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
  auto store = std::make_unique<SqliteStore>(location, *vfs, data_dir / "files", env);
  ONDO_TRY(store->open());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace ondo::store
