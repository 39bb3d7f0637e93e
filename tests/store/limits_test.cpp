// The limit counters (Store::admit_request, settle_request, peek_limits), run against both
// engines: SQLite in a temporary data directory (counters in memory, spend written through)
// and a throwaway PostgreSQL 15 (one transactional counter; tests/support/postgres_server.h;
// those cases skip, saying why, when the PostgreSQL binaries are missing). Also the pure
// window and period arithmetic of store/limits.h.
#include "ondo/store/limits.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "ondo/store/store.h"
#include "support/postgres_server.h"

namespace ondo::store {
namespace {

namespace fs = std::filesystem;

testing::PostgresServer* g_pg = nullptr;
std::string g_pg_skip;

// 2026-12-03 10:00:00 UTC (a Thursday), in ms: the start of a minute window.
constexpr int64_t kNow = 1796292000000;

class LimitsTest : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {
    if (g_pg || !g_pg_skip.empty()) return;
    auto s = testing::PostgresServer::start();
    if (s.ok()) g_pg = s->release();  // stopped at exit by the environment below
    else g_pg_skip = s.error().message;
  }

  void SetUp() override {
    static std::atomic<int> counter{0};
    const int n = counter++;
    if (GetParam() == "postgres") {
      if (!g_pg) GTEST_SKIP() << "PostgreSQL tests skipped: " << g_pg_skip;
      auto url = g_pg->create_database("l" + std::to_string(n));
      ASSERT_TRUE(url.ok()) << url.error().message;
      options_.db_url = *url;
      options_.pool_size = 16;
    } else {
      options_.data_dir = fs::temp_directory_path() / ("ondo-limits-" + std::to_string(::getpid()) + "-" + std::to_string(n));
      fs::remove_all(options_.data_dir);
    }
    reopen();
  }

  void TearDown() override {
    store_.reset();
    if (!options_.data_dir.empty() && options_.db_url.empty()) fs::remove_all(options_.data_dir);
  }

  void reopen() {
    store_.reset();
    auto s = open_store(options_);
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
  }

  // Admits one request of `tokens` at `now` for key "kA".
  LimitState admit(const LimitRules& rules, int64_t tokens, int64_t now = kNow, const std::string& lease = "",
                   int64_t nano_usd = 0) {
    AdmitRequest r;
    r.key_id = "kA";
    r.lease_id = lease.empty() ? "req" + std::to_string(next_lease_++) : lease;
    r.rules = rules;
    r.now_ms = now;
    r.tokens = tokens;
    r.nano_usd = nano_usd;
    r.lease_ttl_ms = 30000;
    auto st = store_->admit_request(r);
    EXPECT_TRUE(st.ok()) << st.error().message;
    return st.ok() ? *st : LimitState{};
  }

  void settle(const LimitRules& rules, const LimitState& at, const std::string& lease, bool leased, int64_t reserved, int64_t used,
              int64_t reserved_usd = 0, int64_t used_usd = 0) {
    Settlement s;
    s.key_id = "kA";
    s.lease_id = lease;
    s.lease = leased;
    s.budgeted = rules.budgeted();
    s.window_start_ms = at.window_start_ms;
    s.period_start = at.period_start;
    s.reserved_tokens = reserved;
    s.used_tokens = used;
    s.reserved_nano_usd = reserved_usd;
    s.used_nano_usd = used_usd;
    Status st = store_->settle_request(s);
    EXPECT_TRUE(st.ok()) << st.error().message;
  }

  StoreOptions options_;
  std::unique_ptr<Store> store_;
  int next_lease_ = 0;
};

TEST_P(LimitsTest, RequestsCountInTheirMinuteWindow) {
  LimitRules rules;
  rules.rpm = 3;
  for (int i = 1; i <= 3; ++i) {
    const LimitState st = admit(rules, 10, kNow + i * 1000);
    EXPECT_TRUE(st.admitted) << i;
    EXPECT_EQ(st.requests, i);
    EXPECT_EQ(st.tokens, 10 * i);
    EXPECT_EQ(st.window_start_ms, kNow);
  }
  const LimitState refused = admit(rules, 10, kNow + 59999);
  EXPECT_FALSE(refused.admitted);
  EXPECT_EQ(refused.refused, LimitRefusal::Requests);
  EXPECT_EQ(refused.requests, 3);
  // The next window starts empty.
  const LimitState next = admit(rules, 10, kNow + 60000);
  EXPECT_TRUE(next.admitted);
  EXPECT_EQ(next.requests, 1);
  EXPECT_EQ(next.window_start_ms, kNow + 60000);
  auto peek = store_->peek_limits("kA", rules, kNow + 61000);
  ASSERT_TRUE(peek.ok()) << peek.error().message;
  EXPECT_EQ(peek->requests, 1);
  EXPECT_EQ(peek->tokens, 10);
  EXPECT_FALSE(peek->admitted);
}

TEST_P(LimitsTest, TokensAreReservedThenCorrectedToTheirUse) {
  LimitRules rules;
  rules.tpm = 100;
  const LimitState first = admit(rules, 60, kNow, "r1");
  ASSERT_TRUE(first.admitted);
  const LimitState second = admit(rules, 60, kNow + 1);
  EXPECT_FALSE(second.admitted);
  EXPECT_EQ(second.refused, LimitRefusal::Tokens);
  EXPECT_EQ(second.tokens, 60);  // a refusal reserves nothing
  EXPECT_EQ(second.requests, 1);
  settle(rules, first, "r1", false, 60, 20);
  const LimitState third = admit(rules, 80, kNow + 2);
  EXPECT_TRUE(third.admitted);
  EXPECT_EQ(third.tokens, 100);  // exactly at the limit is allowed
  EXPECT_FALSE(admit(rules, 1, kNow + 3).admitted);
  // A settlement of an older window leaves the new one alone.
  settle(rules, first, "r1", false, 0, 0);
  const LimitState later = admit(rules, 50, kNow + 60000, "r4");
  ASSERT_TRUE(later.admitted);
  settle(rules, third, "x", false, 80, 0);
  auto peek = store_->peek_limits("kA", rules, kNow + 60001);
  ASSERT_TRUE(peek.ok());
  EXPECT_EQ(peek->tokens, 50);
}

TEST_P(LimitsTest, LeasesLimitConcurrencyAndExpire) {
  LimitRules rules;
  rules.max_concurrent = 2;
  ASSERT_TRUE(admit(rules, 1, kNow, "a").admitted);
  const LimitState b = admit(rules, 1, kNow, "b");
  ASSERT_TRUE(b.admitted);
  EXPECT_EQ(b.in_flight, 2);
  const LimitState c = admit(rules, 1, kNow, "c");
  EXPECT_FALSE(c.admitted);
  EXPECT_EQ(c.refused, LimitRefusal::Concurrent);
  settle(rules, b, "b", true, 1, 1);
  const LimitState d = admit(rules, 1, kNow + 10, "d");
  EXPECT_TRUE(d.admitted);
  EXPECT_EQ(d.in_flight, 2);
  // "a" and "d" are never settled (their replica died): they free themselves after the ttl.
  EXPECT_FALSE(admit(rules, 1, kNow + 29999, "e").admitted);
  const LimitState f = admit(rules, 1, kNow + 30010, "f");
  EXPECT_TRUE(f.admitted);
  EXPECT_EQ(f.in_flight, 1);
}

TEST_P(LimitsTest, BudgetChargesTheWorstCaseAndSurvivesRestart) {
  LimitRules rules;
  rules.budget_tokens = 100;
  rules.budget_nano_usd = 5000;
  rules.budget_period = "day";
  const LimitState a = admit(rules, 50, kNow, "a", 1000);
  ASSERT_TRUE(a.admitted);
  EXPECT_EQ(a.period_start, kNow / 1000 - 10 * 3600);  // 00:00 UTC of that day
  EXPECT_EQ(a.spent_tokens, 50);
  EXPECT_EQ(a.spent_nano_usd, 1000);
  const LimitState b = admit(rules, 51, kNow + 1, "b", 1000);  // 50 + 51 > 100: the worst case does not fit
  EXPECT_FALSE(b.admitted);
  EXPECT_EQ(b.refused, LimitRefusal::BudgetTokens);
  EXPECT_EQ(b.requests, 1);  // refused by the budget: not counted in the window either
  settle(rules, a, "a", false, 50, 30, 1000, 700);
  store_.reset();
  reopen();
  const LimitState c = admit(rules, 71, kNow + 2, "c", 100);
  EXPECT_FALSE(c.admitted);
  EXPECT_EQ(c.spent_tokens, 30);  // what "a" used, read back after the restart
  EXPECT_EQ(c.spent_nano_usd, 700);
  const LimitState d = admit(rules, 70, kNow + 3, "d", 4301);
  EXPECT_FALSE(d.admitted);
  EXPECT_EQ(d.refused, LimitRefusal::BudgetUsd);
  const LimitState e = admit(rules, 70, kNow + 4, "e", 4300);
  EXPECT_TRUE(e.admitted);
  EXPECT_EQ(e.spent_tokens, 100);
  EXPECT_EQ(e.spent_nano_usd, 5000);
  // The next day has a fresh budget.
  const LimitState next = admit(rules, 100, kNow + 14 * 3600 * 1000LL, "n", 5000);
  EXPECT_TRUE(next.admitted);
  EXPECT_EQ(next.spent_tokens, 100);
}

// Many threads (and, on PostgreSQL, two stores: two replicas) race on one key: exactly the
// limit is admitted.
TEST_P(LimitsTest, RacingRequestsGetExactlyTheLimit) {
  std::unique_ptr<Store> second;
  if (GetParam() == "postgres") {
    auto s = open_store(options_);
    ASSERT_TRUE(s.ok()) << s.error().message;
    second = std::move(*s);
  }
  struct Case {
    LimitRules rules;
    int64_t tokens;
    int expected;
  };
  LimitRules rpm;
  rpm.rpm = 25;
  LimitRules tpm;
  tpm.tpm = 1000;
  LimitRules conc;
  conc.max_concurrent = 7;
  LimitRules budget;
  budget.budget_tokens = 330;
  budget.budget_period = "total";
  const Case cases[] = {{rpm, 1, 25}, {tpm, 30, 33}, {conc, 1, 7}, {budget, 10, 33}};
  for (size_t ci = 0; ci < std::size(cases); ++ci) {
    const Case& c = cases[ci];
    constexpr int kThreads = 16, kPer = 6;
    std::atomic<int> admitted{0}, failed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        Store& s = (second && t % 2) ? *second : *store_;
        for (int i = 0; i < kPer; ++i) {
          AdmitRequest r;
          r.key_id = "race" + std::to_string(ci);
          r.lease_id = "t" + std::to_string(t) + "-" + std::to_string(i);
          r.rules = c.rules;
          r.now_ms = kNow + 100;
          r.tokens = c.tokens;
          r.lease_ttl_ms = 60000;
          auto st = s.admit_request(r);
          if (!st.ok()) ++failed;
          else if (st->admitted) ++admitted;
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failed.load(), 0) << ci;
    EXPECT_EQ(admitted.load(), c.expected) << "case " << ci;
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, LimitsTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

TEST(LimitPeriods, WindowsAndPeriodsAreUtcAligned) {
  EXPECT_EQ(limit_window_start(kNow + 59999), kNow);
  EXPECT_EQ(limit_window_start(kNow + 60000), kNow + 60000);
  const int64_t now_s = kNow / 1000 + 3600 * 5 + 7;  // Thursday 2026-12-03 15:00:07 UTC
  EXPECT_EQ(budget_period_start("day", now_s), 1796256000);      // 2026-12-03T00:00:00Z
  EXPECT_EQ(budget_period_end("day", now_s), 1796256000 + 86400);
  EXPECT_EQ(budget_period_start("week", now_s), 1796256000 - 3 * 86400);  // Monday 2026-11-30
  EXPECT_EQ(budget_period_end("week", now_s), 1796256000 + 4 * 86400);
  EXPECT_EQ(budget_period_start("month", now_s), 1796256000 - 2 * 86400);  // 2026-12-01
  EXPECT_EQ(budget_period_end("month", now_s), 1798761600);                // 2027-01-01
  EXPECT_EQ(budget_period_start("total", now_s), 0);
  EXPECT_EQ(budget_period_start("week", 1796256000 - 3 * 86400), 1796256000 - 3 * 86400);  // a Monday is its own start
  EXPECT_TRUE(is_budget_period("week"));
  EXPECT_FALSE(is_budget_period("fortnight"));
}

// Stops the shared PostgreSQL server when the test program ends.
class StopPostgres : public ::testing::Environment {
 public:
  void TearDown() override {
    delete g_pg;
    g_pg = nullptr;
  }
};
const auto* const kStopPostgres = ::testing::AddGlobalTestEnvironment(new StopPostgres);

}  // namespace
}  // namespace ondo::store
