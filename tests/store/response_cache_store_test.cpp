// The response cache's store methods (issue 15.7), run against both engines: SQLite in a
// temporary data directory and a throwaway PostgreSQL 15 (tests/support/postgres_server.h;
// those cases skip, saying why, when the PostgreSQL binaries are missing).
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "ondo/store/store.h"
#include "store/engine_test.h"

namespace ondo::store {
namespace {

namespace fs = std::filesystem;

class CacheStoreTest : public testing_support::EngineTest {
 protected:

  // An entry of `body_bytes` body bytes written at `now`, living `ttl` ms.
  static CachedResponse entry(const std::string& key, size_t body_bytes, int64_t now, int64_t ttl = 1000000) {
    CachedResponse e;
    e.key = key;
    e.model = "tiny";
    e.body = std::string(body_bytes, 'x');
    e.created_ms = now;
    e.expires_ms = now + ttl;
    e.last_used_ms = now;
    return e;
  }

  bool has(const std::string& key, int64_t now) {
    auto r = store_->get_cached_response(key, now);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() && r->has_value();
  }

};

constexpr int64_t kNoBudget = int64_t(1) << 40;

TEST_P(CacheStoreTest, PutThenHitReadsBackAndCounts) {
  CachedResponse e = entry("k1", 10, 1000);
  e.body = "{\"choices\":[{\"text\":\"héllo \\\"q\\\"\"}]}";
  ASSERT_TRUE(store_->put_cached_response(e, kNoBudget, 1000).ok());
  auto got = store_->get_cached_response("k1", 1500);
  ASSERT_TRUE(got.ok()) << got.error().message;
  ASSERT_TRUE(got->has_value());
  CachedResponse want = e;
  want.last_used_ms = 1500;
  want.hits = 1;
  EXPECT_EQ(**got, want);
  auto again = store_->get_cached_response("k1", 1600);
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_EQ((*again)->hits, 2);
  auto none = store_->get_cached_response("nope", 1600);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto totals = store_->response_cache_totals();
  ASSERT_TRUE(totals.ok());
  EXPECT_EQ(totals->entries, 1);
  EXPECT_EQ(totals->bytes, e.size());
}

TEST_P(CacheStoreTest, ExpiredEntriesAreNotServedAndGoAtTheNextPut) {
  ASSERT_TRUE(store_->put_cached_response(entry("old", 10, 1000, 500), kNoBudget, 1000).ok());
  EXPECT_TRUE(has("old", 1499));
  EXPECT_FALSE(has("old", 1500));  // expires_ms is the first time it is not served
  ASSERT_TRUE(store_->put_cached_response(entry("new", 10, 2000), kNoBudget, 2000).ok());
  auto totals = store_->response_cache_totals();
  ASSERT_TRUE(totals.ok());
  EXPECT_EQ(totals->entries, 1);
  EXPECT_TRUE(has("new", 2001));
}

TEST_P(CacheStoreTest, SizeBudgetEvictsLeastRecentlyHitFirst) {
  // Three entries of 102 bytes each (2-byte keys + 100-byte bodies); the budget holds two.
  const int64_t budget = 2 * 102;
  ASSERT_TRUE(store_->put_cached_response(entry("e1", 100, 1000), budget, 1000).ok());
  ASSERT_TRUE(store_->put_cached_response(entry("e2", 100, 2000), budget, 2000).ok());
  EXPECT_TRUE(has("e1", 3000));  // e1 is now more recent than e2
  ASSERT_TRUE(store_->put_cached_response(entry("e3", 100, 4000), budget, 4000).ok());
  EXPECT_TRUE(has("e1", 5000));
  EXPECT_TRUE(has("e3", 5001));
  EXPECT_FALSE(has("e2", 5002));  // the least recently used went
  auto totals = store_->response_cache_totals();
  ASSERT_TRUE(totals.ok());
  EXPECT_EQ(totals->entries, 2);
  EXPECT_LE(totals->bytes, budget);
  // An entry larger than the whole budget does not stay (and takes nothing else with it
  // beyond what the budget asks).
  ASSERT_TRUE(store_->put_cached_response(entry("big", 500, 6000), budget, 6000).ok());
  EXPECT_FALSE(has("big", 6001));
  EXPECT_TRUE(has("e1", 6002));
  EXPECT_TRUE(has("e3", 6003));
}

TEST_P(CacheStoreTest, PutReplacesAndSurvivesReopen) {
  ASSERT_TRUE(store_->put_cached_response(entry("k", 10, 1000), kNoBudget, 1000).ok());
  EXPECT_TRUE(has("k", 1100));
  CachedResponse newer = entry("k", 20, 2000);
  newer.body = std::string(20, 'y');
  ASSERT_TRUE(store_->put_cached_response(newer, kNoBudget, 2000).ok());
  reopen();
  auto got = store_->get_cached_response("k", 2500);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->body, newer.body);
  EXPECT_EQ((*got)->hits, 1);  // counted from the replacement
  auto totals = store_->response_cache_totals();
  ASSERT_TRUE(totals.ok());
  EXPECT_EQ(totals->entries, 1);
  EXPECT_EQ(totals->bytes, newer.size());
}

TEST_P(CacheStoreTest, ManyThreadsPutAndHitAtOnce) {
  constexpr int kThreads = 8;
  constexpr int kPer = 10;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPer; ++i) {
        const std::string key = "t" + std::to_string(t) + "-" + std::to_string(i % 3);
        if (!store_->put_cached_response(entry(key, 50, 1000 + i), kNoBudget, 1000 + i).ok()) ++failures;
        auto got = store_->get_cached_response(key, 1000 + i);
        if (!got.ok() || !got->has_value()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto totals = store_->response_cache_totals();
  ASSERT_TRUE(totals.ok());
  EXPECT_EQ(totals->entries, kThreads * 3);
}

INSTANTIATE_TEST_SUITE_P(Engines, CacheStoreTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace ondo::store
