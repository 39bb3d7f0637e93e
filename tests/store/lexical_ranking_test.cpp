// SQLite full-text ranking without the chunks join (sqlite_store.cpp lexical_search): the hits
// equal, id for id and score for score, those of the join query it replaced (run here on the
// same database file: FTS5 bm25 over matches joined with chunks, filtered by vector store,
// ordered by bm25 then id), for a store alone, beside a small store (foreign hits skipped),
// and beside a large one (past kMaxForeignForRanking: the join path), at several limits.
// Layer: store (tests).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "ondo/store/store.h"
#include "store/engine_test.h"

namespace ondo::store {
namespace {

class LexicalRankingTest : public testing_support::EngineTest {
 protected:
  void add_store(const std::string& vs, size_t chunks, std::mt19937& rng) {
    VectorStoreRecord v;
    v.id = vs;
    v.embedding_model = "m";
    v.chunking_type = "static";
    v.max_chunk_size_tokens = 200;
    v.chunk_overlap_tokens = 50;
    ASSERT_TRUE(store_->insert_vector_store(v).ok());
    const std::string file_id = "file-" + vs;
    ASSERT_TRUE(store_->insert_file(FileRecord{file_id, vs + ".txt", "assistants", 1, 1}, "x").ok());
    VectorStoreFileRecord f;
    f.vector_store_id = vs;
    f.file_id = file_id;
    ASSERT_TRUE(store_->insert_vector_store_file(f).ok());
    std::vector<ChunkRecord> cs;
    for (size_t i = 0; i < chunks; ++i) {
      ChunkRecord c;
      c.seq = int32_t(i);
      c.text = words(rng, 8);
      c.vector = {1.0f};
      cs.push_back(std::move(c));
    }
    ASSERT_TRUE(store_->complete_vector_store_file(vs, file_id, std::move(cs)).ok());
  }
  // Words of a 60-word vocabulary, skewed so that some are in most chunks (many matches and
  // many equal scores, the case where the id tie-break matters).
  static std::string words(std::mt19937& rng, int n) {
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::string s;
    for (int i = 0; i < n; ++i) s += (s.empty() ? "t" : " t") + std::to_string(int(std::pow(60.0, u(rng))) - 1);
    return s;
  }
  // The join query lexical_search ran before, on the same file.
  std::vector<LexicalHit> reference(const std::string& vs, const std::vector<std::string>& terms, int limit) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2((options_.data_dir / "ondo.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    std::string match;
    for (const std::string& w : terms) match += (match.empty() ? "\"" : " OR \"") + w + "\"";
    sqlite3_stmt* s = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db,
                                 "SELECT c.id, bm25(chunks_fts) FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid"
                                 " WHERE chunks_fts MATCH ?1 AND c.vector_store_id = ?2 ORDER BY bm25(chunks_fts), c.id LIMIT ?3",
                                 -1, &s, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(db);
    sqlite3_bind_text(s, 1, match.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, vs.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 3, limit);
    std::vector<LexicalHit> out;
    while (sqlite3_step(s) == SQLITE_ROW) out.push_back({sqlite3_column_int64(s, 0), -sqlite3_column_double(s, 1)});
    sqlite3_finalize(s);
    sqlite3_close(db);
    return out;
  }
  void expect_same_rankings(const std::string& vs, const char* stage) {
    std::mt19937 rng(7);
    size_t compared = 0;
    for (int q = 0; q < 10; ++q) {
      std::vector<std::string> terms;
      std::string text;
      for (const std::string& w : {words(rng, 1), words(rng, 1), words(rng, 1)}) {
        terms.push_back(w);
        text += w + " ";
      }
      for (int limit : {1, 10, 5000}) {
        auto got = store_->lexical_search(vs, text, limit);
        ASSERT_TRUE(got.ok()) << got.error().message;
        const std::vector<LexicalHit> want = reference(vs, terms, limit);
        ASSERT_EQ(got->size(), want.size()) << stage << " query '" << text << "' limit " << limit;
        for (size_t i = 0; i < want.size(); ++i) {
          EXPECT_EQ((*got)[i].chunk_id, want[i].chunk_id) << stage << " '" << text << "' limit " << limit << " rank " << i;
          EXPECT_EQ((*got)[i].score, want[i].score) << stage << " '" << text << "' rank " << i;
        }
        compared += want.size();
      }
    }
    EXPECT_GT(compared, 500u) << stage;
  }
};

TEST_P(LexicalRankingTest, SameRankingsAsTheJoinQuery) {
  if (GetParam() != "sqlite") GTEST_SKIP() << "SQLite FTS5 only";
  std::mt19937 rng(1);
  add_store("vs_b", 400, rng);
  expect_same_rankings("vs_b", "alone");
  add_store("vs_a", 150, rng);  // sorts before vs_b: both index ranges are counted
  add_store("vs_c", 100, rng);
  expect_same_rankings("vs_b", "beside small stores");
  expect_same_rankings("vs_c", "the small store");
  add_store("vs_d", 4200, rng);  // more foreign chunks than kMaxForeignForRanking
  expect_same_rankings("vs_b", "beside a large store");
  expect_same_rankings("vs_d", "the large store");
}

INSTANTIATE_TEST_SUITE_P(Engines, LexicalRankingTest, ::testing::Values("sqlite"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace ondo::store
