// The store suite, run against both engines: SQLite in a temporary data directory and a
// throwaway PostgreSQL 15 (tests/support/postgres_server.h; those cases skip, saying why,
// when the PostgreSQL binaries are missing).
#include "ondo/store/store.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "ondo/store/api_keys.h"
#include "store/engine_test.h"

namespace ondo::store {
namespace {

namespace fs = std::filesystem;

class StoreTest : public testing_support::EngineTest {
 protected:

  // Raw SQL on the same database (test only): the store's schema from outside.
  void raw_sql(const std::string& sql) {
    if (GetParam() == "postgres") {
      PGconn* c = PQconnectdb(options_.db_url.c_str());
      ASSERT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
      PGresult* r = PQexec(c, sql.c_str());
      EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQresultErrorMessage(r);
      PQclear(r);
      PQfinish(c);
    } else {
      sqlite3* db = nullptr;
      ASSERT_EQ(sqlite3_open((options_.data_dir / "ondo.db").c_str(), &db), SQLITE_OK);
      char* err = nullptr;
      EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
      sqlite3_free(err);
      sqlite3_close(db);
    }
  }

};

ApiKey full_key(const std::string& id, int64_t created) {
  ApiKey k;
  k.id = id;
  k.hash = std::string(64, 'a');
  k.name = "team \"blue\" ✓";
  k.created_at = created;
  k.expires_at = created + 3600;
  k.models = {"qwen", "llama"};
  k.rpm = 60;
  k.tpm = 10000;
  k.max_concurrent = 4;
  k.budget_tokens = 1000000;
  k.budget_period = "month";
  k.metadata = {{"owner", "ana"}, {"team", "blue"}};
  return k;
}

TEST_P(StoreTest, SchemaIsCurrent) {
  EXPECT_EQ(store_->engine(), GetParam());
  auto v = store_->schema_version();
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(*v, current_schema_version());
}

TEST_P(StoreTest, InsertedKeyReadsBackFieldForField) {
  const ApiKey k = full_key("k0123456789ab", 1700000000);
  ASSERT_TRUE(store_->insert_api_key(k).ok());
  auto found = store_->find_api_key(k.id);
  ASSERT_TRUE(found.ok()) << found.error().message;
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(**found, k);
  ApiKey bare;  // defaults: no expiry, no limits, empty lists
  bare.id = "kbare";
  bare.hash = "h";
  bare.created_at = 1;
  ASSERT_TRUE(store_->insert_api_key(bare).ok());
  auto b = store_->find_api_key("kbare");
  ASSERT_TRUE(b.ok() && b->has_value());
  EXPECT_EQ(**b, bare);
  auto none = store_->find_api_key("knothere");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_P(StoreTest, DuplicateIdIsRefused) {
  ASSERT_TRUE(store_->insert_api_key(full_key("kdup", 5)).ok());
  Status st = store_->insert_api_key(full_key("kdup", 6));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(st.error().message.find("'kdup' exists"), std::string::npos) << st.error().message;
  // The first one is intact and still works after the failed statement.
  auto k = store_->find_api_key("kdup");
  ASSERT_TRUE(k.ok() && k->has_value());
  EXPECT_EQ((*k)->created_at, 5);
}

TEST_P(StoreTest, ListIsOldestFirst) {
  ASSERT_TRUE(store_->insert_api_key(full_key("kb", 20)).ok());
  ASSERT_TRUE(store_->insert_api_key(full_key("ka", 30)).ok());
  ASSERT_TRUE(store_->insert_api_key(full_key("kc", 10)).ok());
  auto all = store_->list_api_keys();
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].id, "kc");
  EXPECT_EQ((*all)[1].id, "kb");
  EXPECT_EQ((*all)[2].id, "ka");
}

TEST_P(StoreTest, RevokeKeepsTheFirstTimeAndNamesUnknownKeys) {
  ASSERT_TRUE(store_->insert_api_key(full_key("kr", 1)).ok());
  ASSERT_TRUE(store_->revoke_api_key("kr", 100).ok());
  ASSERT_TRUE(store_->revoke_api_key("kr", 200).ok());
  auto k = store_->find_api_key("kr");
  ASSERT_TRUE(k.ok() && k->has_value());
  EXPECT_EQ((*k)->revoked_at, std::optional<int64_t>(100));
  Status st = store_->revoke_api_key("knope", 1);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::NotFound);
  EXPECT_NE(st.error().message.find("'knope'"), std::string::npos);
}

TEST_P(StoreTest, DataSurvivesReopen) {
  ASSERT_TRUE(store_->insert_api_key(full_key("kp", 1)).ok());
  store_.reset();
  auto s = open_store(options_);
  ASSERT_TRUE(s.ok()) << s.error().message;
  auto k = (*s)->find_api_key("kp");
  ASSERT_TRUE(k.ok() && k->has_value());
  EXPECT_EQ(**k, full_key("kp", 1));
}

TEST_P(StoreTest, NewerSchemaIsRefusedAndLeftAlone) {
  store_.reset();
  raw_sql("INSERT INTO schema_migrations (version) VALUES (" + std::to_string(current_schema_version() + 7) + ")");
  auto s = open_store(options_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::Unsupported);
  const std::string& m = s.error().message;
  EXPECT_NE(m.find("version " + std::to_string(current_schema_version() + 7)), std::string::npos) << m;
  EXPECT_NE(m.find("newer than this ondo knows"), std::string::npos) << m;
  // Still refused (nothing was rolled back or changed by the first attempt).
  EXPECT_FALSE(open_store(options_).ok());
}

TEST_P(StoreTest, AuthenticateNamesWhyAKeyIsRefused) {
  auto made = make_secret();
  ASSERT_TRUE(made.ok());
  EXPECT_TRUE(looks_like_secret(made->secret));
  ApiKey k;
  k.id = made->id;
  k.hash = made->hash;
  k.created_at = 1000;
  k.expires_at = 5000;
  ASSERT_TRUE(store_->insert_api_key(k).ok());
  auto ok = authenticate(*store_, made->secret, 2000);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->id, made->id);
  std::string wrong = made->secret;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  auto bad = authenticate(*store_, wrong, 2000);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "authorization: incorrect API key");
  auto expired = authenticate(*store_, made->secret, 5000);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, ErrorCode::Unauthenticated);
  EXPECT_NE(expired.error().message.find("expired at 1970-01-01T01:23:20Z"), std::string::npos) << expired.error().message;
  ASSERT_TRUE(store_->revoke_api_key(made->id, 3000).ok());
  auto revoked = authenticate(*store_, made->secret, 2000);
  ASSERT_FALSE(revoked.ok());
  EXPECT_NE(revoked.error().message.find("was revoked at 1970-01-01T00:50:00Z"), std::string::npos)
      << revoked.error().message;
}

TEST_P(StoreTest, ManyThreadsWriteAndReadAtOnce) {
  constexpr int kThreads = 8, kPer = 10;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPer; ++i) {
        const std::string id = "kt" + std::to_string(t) + "_" + std::to_string(i);
        if (!store_->insert_api_key(full_key(id, t * 100 + i)).ok()) ++failures;
        auto k = store_->find_api_key(id);
        if (!k.ok() || !k->has_value()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto all = store_->list_api_keys();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), size_t(kThreads * kPer));
}

INSTANTIATE_TEST_SUITE_P(Engines, StoreTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

// Stops the shared PostgreSQL server when the test program ends.
}  // namespace
}  // namespace ondo::store
