// The web console sessions' store methods (issue 19.3), run against both engines: SQLite in a
// temporary data directory and a throwaway PostgreSQL 15 (tests/support/postgres_server.h;
// those cases skip, saying why, when the PostgreSQL binaries are missing).
#include <gtest/gtest.h>

#include "ondo/store/store.h"
#include "store/engine_test.h"

namespace ondo::store {
namespace {

class ConsoleSessionStoreTest : public testing_support::EngineTest {
 protected:
  static ConsoleSessionRow row(const std::string& token_hash, const std::string& key_id, int64_t created,
                               int64_t expires) {
    return {token_hash, key_id, std::string(64, 'b'), std::string(64, 'c'), created, created, expires};
  }

  std::optional<ConsoleSessionRow> find(const std::string& token_hash, int64_t now) {
    auto r = store_->find_console_session(token_hash, now);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : std::nullopt;
  }
};

TEST_P(ConsoleSessionStoreTest, InsertFindAndSurviveReopen) {
  const ConsoleSessionRow r = row("h1", "key:k0123456789ab", 1000, 5000);
  ASSERT_TRUE(store_->insert_console_session(r).ok());
  auto dup = store_->insert_console_session(r);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(find("h1", 1001), r);
  EXPECT_FALSE(find("h2", 1001).has_value());
  reopen();  // a restart of the server: the session is still there
  EXPECT_EQ(find("h1", 4999), r);
  EXPECT_FALSE(find("h1", 5000).has_value());  // expired: not answered
}

TEST_P(ConsoleSessionStoreTest, TouchSlidesTheExpiryOfLiveSessionsOnly) {
  ASSERT_TRUE(store_->insert_console_session(row("h1", "admin", 1000, 2000)).ok());
  auto t = store_->touch_console_session("h1", 1500, 2500);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_TRUE(*t);
  auto got = find("h1", 2200);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->last_seen_at, 1500);
  EXPECT_EQ(got->expires_at, 2500);
  EXPECT_EQ(got->created_at, 1000);
  auto late = store_->touch_console_session("h1", 2500, 9000);  // expired at 2500: not revived
  ASSERT_TRUE(late.ok());
  EXPECT_FALSE(*late);
  EXPECT_FALSE(find("h1", 2500).has_value());
  auto none = store_->touch_console_session("nope", 1500, 2500);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(*none);
}

TEST_P(ConsoleSessionStoreTest, SignOutAndRevokedKeyDeleteRows) {
  ASSERT_TRUE(store_->insert_console_session(row("a1", "key:ka", 1000, 9000)).ok());
  ASSERT_TRUE(store_->insert_console_session(row("a2", "key:ka", 1001, 9000)).ok());
  ASSERT_TRUE(store_->insert_console_session(row("b1", "key:kb", 1002, 9000)).ok());
  auto out = store_->delete_console_session("a1");
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(*out);
  auto again = store_->delete_console_session("a1");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  ASSERT_TRUE(store_->insert_console_session(row("a3", "key:ka", 1003, 9000)).ok());
  auto ended = store_->delete_console_sessions_of("key:ka");
  ASSERT_TRUE(ended.ok()) << ended.error().message;
  EXPECT_EQ(*ended, 2);
  EXPECT_FALSE(find("a2", 1100).has_value());
  EXPECT_FALSE(find("a3", 1100).has_value());
  EXPECT_TRUE(find("b1", 1100).has_value());
}

TEST_P(ConsoleSessionStoreTest, PurgeDropsExpiredAndOldestBeyondTheCap) {
  ASSERT_TRUE(store_->insert_console_session(row("old", "admin", 100, 500)).ok());  // expired at 600
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store_->insert_console_session(row("s" + std::to_string(i), "admin", 200 + i, 5000)).ok());
  }
  auto n = store_->purge_console_sessions(600, 3);
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(*n, 3);  // the expired one and the two oldest live ones
  EXPECT_FALSE(find("s0", 600).has_value());
  EXPECT_FALSE(find("s1", 600).has_value());
  for (const char* kept : {"s2", "s3", "s4"}) EXPECT_TRUE(find(kept, 600).has_value()) << kept;
  auto none = store_->purge_console_sessions(600, 3);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0);
  reopen();  // purged rows stay gone: the purge was committed
  EXPECT_FALSE(find("old", 100).has_value());
  EXPECT_TRUE(find("s4", 600).has_value());
}

INSTANTIATE_TEST_SUITE_P(Engines, ConsoleSessionStoreTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace ondo::store
