// Usage rows and rollups on both engines (SQLite in a temporary data directory, a throwaway
// PostgreSQL 15 from tests/support/postgres_server.h; those cases skip, saying why, without
// the PostgreSQL binaries): rows read back field for field, rollups equal the sums of their
// rows, groups, key filters, paging, one transaction per batch, and the pure helpers.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <optional>
#include <thread>

#include "ondo/store/store.h"
#include "ondo/store/usage.h"
#include "store/engine_test.h"

namespace ondo::store {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kDay = 20000;  // 2024-10-04
constexpr int64_t kDayMs = kDay * 86400000;

class UsageStoreTest : public testing_support::EngineTest {
 protected:

  std::vector<UsageRow> all_rows() {
    UsageRowsQuery q;
    q.limit = 100000;
    auto r = store_->usage_rows(q);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : std::vector<UsageRow>();
  }

};

UsageRow row(int i, int64_t time_ms, const std::string& key, const std::string& model) {
  UsageRow r;
  r.time_ms = time_ms;
  r.request_id = "req_" + std::to_string(i);
  r.key_id = key;
  r.model = model;
  r.adapter = i % 2 ? "lora-a" : "";
  r.prompt = i % 3 ? "" : "greeter@2";
  r.route = "/v1/chat/completions";
  r.status = i % 5 == 4 ? 500 : 200;
  r.prompt_tokens = 10 + i;
  r.cached_tokens = i % 4;
  r.completion_tokens = 3 * i;
  r.ttft_us = i % 7 == 6 ? -1 : 1000 * i;
  r.duration_us = 20000 * (i + 1);  // 20 ms, 40 ms, ...
  r.cost_nano_usd = 1234567 * int64_t(i);
  r.finish_reason = i % 5 == 4 ? "error" : i % 6 == 5 ? "disconnected" : "stop";
  return r;
}

TEST_P(UsageStoreTest, RowsReadBackFieldForFieldInOrder) {
  std::vector<UsageRow> rows;
  for (int i = 0; i < 12; ++i) rows.push_back(row(i, kDayMs + i * 1000, "k1", "tiny"));
  rows[3].request_id = "req \"quoted\", ✓";  // text survives as given
  ASSERT_TRUE(store_->record_usage({rows.data(), 5}).ok());
  ASSERT_TRUE(store_->record_usage({rows.data() + 5, rows.size() - 5}).ok());
  const std::vector<UsageRow> got = all_rows();
  ASSERT_EQ(got.size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_GT(got[i].seq, i ? got[i - 1].seq : 0);
    UsageRow want = rows[i];
    want.seq = got[i].seq;
    EXPECT_EQ(got[i], want) << i;
  }
}

TEST_P(UsageStoreTest, RollupsEqualTheSumsOfTheirRows) {
  std::vector<UsageRow> rows;
  for (int i = 0; i < 30; ++i) {
    const std::string key = i % 2 ? "ka" : "kb";
    const std::string model = i % 3 ? "tiny" : "big";
    rows.push_back(row(i, kDayMs + int64_t(i % 3) * 86400000 + i, key, model));  // three days
  }
  // Written one by one (the server's path).
  for (const UsageRow& r : rows) ASSERT_TRUE(store_->record_usage({&r, 1}).ok());

  UsageQuery q;
  q.from_day = kDay;
  q.to_day = kDay + 2;
  q.group_by = {UsageGroup::Key, UsageGroup::Model};
  auto got = store_->usage_totals(q);
  ASSERT_TRUE(got.ok()) << got.error().message;
  std::map<std::pair<std::string, std::string>, UsageTotals> want;
  for (const UsageRow& r : rows) {
    UsageTotals& t = want[{r.key_id, r.model}];
    t.key_id = r.key_id;
    t.model = r.model;
    t.add(r);
  }
  ASSERT_EQ(got->size(), want.size());
  size_t i = 0;
  for (const auto& [k, t] : want) {  // ordered by key, then model
    EXPECT_EQ((*got)[i], t) << k.first << "/" << k.second;
    ++i;
  }
  EXPECT_GT(want.begin()->second.errors, 0);

  // Grouped by day: three days; a range of one day sees only it.
  q.group_by = {UsageGroup::Day};
  auto days = store_->usage_totals(q);
  ASSERT_TRUE(days.ok());
  ASSERT_EQ(days->size(), 3u);
  EXPECT_EQ((*days)[0].day, kDay);
  EXPECT_EQ((*days)[2].day, kDay + 2);
  EXPECT_EQ((*days)[0].requests + (*days)[1].requests + (*days)[2].requests, 30);
  q.from_day = q.to_day = kDay + 1;
  auto one = store_->usage_totals(q);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].requests, 10);
}

// Ranges over several months read whole months from the monthly rollups and the edge days
// from the daily ones: every range and grouping equals the sums of the rows it covers.
TEST_P(UsageStoreTest, LongRangesEqualTheRowSumsAtEveryEdge) {
  const int64_t first = kDay - 40;  // 2024-08-25 .. 2024-12-22
  std::vector<UsageRow> rows;
  for (int i = 0; i < 120; ++i) {
    rows.push_back(row(i % 40, (first + i) * 86400000 + i, i % 3 ? "ka" : "kb", i % 2 ? "tiny" : "big"));
  }
  ASSERT_TRUE(store_->record_usage(rows).ok());
  const std::pair<int64_t, int64_t> ranges[] = {{first, first + 119}, {first + 7, first + 98}, {kDay - 3, kDay + 27},
                                                {first, first + 5},     {first + 60, first + 200}};
  for (const auto& [from, to] : ranges) {
    for (std::vector<UsageGroup> g : {std::vector<UsageGroup>{}, {UsageGroup::Model}, {UsageGroup::Key, UsageGroup::Model}}) {
      UsageQuery q;
      q.from_day = from;
      q.to_day = to;
      q.group_by = g;
      std::map<std::pair<std::string, std::string>, UsageTotals> want;
      for (const UsageRow& r : rows) {
        const int64_t d = day_of_ms(r.time_ms);
        if (d < from || d > to) continue;
        const bool by_key = g.size() == 2;
        UsageTotals& t = want[{by_key ? r.key_id : "", g.empty() ? "" : r.model}];
        if (by_key) t.key_id = r.key_id;
        if (!g.empty()) t.model = r.model;
        t.add(r);
      }
      auto got = store_->usage_totals(q);
      ASSERT_TRUE(got.ok()) << got.error().message;
      const std::string where = format_day(from) + ".." + format_day(to) + " groups " + std::to_string(g.size());
      if (g.empty() && want.empty()) want[{"", ""}] = UsageTotals{};
      ASSERT_EQ(got->size(), want.size()) << where;
      size_t i = 0;
      for (const auto& [k, t] : want) EXPECT_EQ((*got)[i++], t) << where;
    }
  }
  EXPECT_EQ(month_start(kDay), kDay - 3);        // 2024-10-01
  EXPECT_EQ(next_month_start(kDay), kDay + 28);  // 2024-11-01
  EXPECT_EQ(format_day(next_month_start(month_start(kDay) + 80)), "2025-01-01");
}

// The day x model rollup answers the totals without key or prompt (grouped by day, model,
// both, or none), over short and month-spanning ranges: each equals the sums of its rows, and
// the key-filtered and prompt-grouped queries (which read the wide rollups) agree with it.
TEST_P(UsageStoreTest, DayAndModelGroupsFromTheNarrowRollupEqualTheRowSums) {
  const int64_t first = kDay - 40;
  std::vector<UsageRow> rows;
  for (int i = 0; i < 300; ++i) {
    UsageRow r = row(i % 40, (first + (i * 7) % 100) * 86400000 + i, "k" + std::to_string(i % 4),
                     i % 3 == 0 ? "big" : i % 3 == 1 ? "tiny" : "mid");
    r.route = i % 2 ? "/v1/responses" : "/v1/chat/completions";
    r.prompt = i % 5 ? "" : "p" + std::to_string(i % 2) + "@1";
    rows.push_back(r);
  }
  // Some in one batch, the rest one per transaction (the two write paths).
  ASSERT_TRUE(store_->record_usage({rows.data(), 250}).ok());
  for (size_t i = 250; i < rows.size(); ++i) ASSERT_TRUE(store_->record_usage({&rows[i], 1}).ok());
  using G = UsageGroup;
  const std::vector<std::vector<G>> groupings = {{}, {G::Day}, {G::Model}, {G::Model, G::Day}, {G::Day, G::Model}};
  const std::pair<int64_t, int64_t> ranges[] = {{first, first + 99}, {first + 7, first + 70}, {kDay, kDay}, {first + 150, first + 160}};
  for (const auto& [from, to] : ranges) {
    for (const std::vector<G>& g : groupings) {
      UsageQuery q;
      q.from_day = from;
      q.to_day = to;
      q.group_by = g;
      EXPECT_TRUE(reads_model_day_rollup(q));
      const bool by_day = std::find(g.begin(), g.end(), G::Day) != g.end();
      const bool by_model = std::find(g.begin(), g.end(), G::Model) != g.end();
      const bool day_first = !g.empty() && g[0] == G::Day;
      std::map<std::pair<std::string, int64_t>, UsageTotals> by_model_day;  // (model, day)
      std::map<std::pair<int64_t, std::string>, UsageTotals> by_day_model;  // (day, model)
      for (const UsageRow& r : rows) {
        const int64_t d = day_of_ms(r.time_ms);
        if (d < from || d > to) continue;
        const std::string m = by_model ? r.model : "";
        const int64_t dd = by_day ? d : -1;
        UsageTotals& t = day_first ? by_day_model[{dd, m}] : by_model_day[{m, dd}];
        t.model = m;
        t.day = dd;
        t.add(r);
      }
      std::vector<UsageTotals> want;
      for (auto& [k, t] : by_model_day) want.push_back(t);
      for (auto& [k, t] : by_day_model) want.push_back(t);
      if (g.empty() && want.empty()) want.push_back(UsageTotals{});
      auto got = store_->usage_totals(q);
      ASSERT_TRUE(got.ok()) << got.error().message;
      const std::string where = format_day(from) + ".." + format_day(to) + " groups " + std::to_string(g.size());
      ASSERT_EQ(*got, want) << where;
      // The wide rollups (one key filter per key, summed) give the same figures.
      if (g.empty()) {
        UsageTotals sum;
        for (int k = 0; k < 4; ++k) {
          UsageQuery kq = q;
          kq.key_id = "k" + std::to_string(k);
          EXPECT_FALSE(reads_model_day_rollup(kq));
          auto one = store_->usage_totals(kq);
          ASSERT_TRUE(one.ok()) << one.error().message;
          ASSERT_EQ(one->size(), 1u);
          sum.add((*one)[0]);
        }
        EXPECT_EQ(sum, want[0]) << where;
      }
    }
  }
  UsageQuery q;
  q.group_by = {G::Prompt, G::Day};
  EXPECT_FALSE(reads_model_day_rollup(q));
  q.group_by = {G::Key};
  EXPECT_FALSE(reads_model_day_rollup(q));
}

// Raw-row pages with a time floor (PostgreSQL starts its seq walk at the least seq of the days
// from `from` on): rows written out of time order, one per transaction and in batches, every
// from / key / after / limit combination equals filtering all rows by hand.
TEST_P(UsageStoreTest, RowPagesFromATimeEqualFilteringAllRows) {
  std::vector<UsageRow> rows;
  for (int i = 0; i < 60; ++i) {
    // Days kDay-2 .. kDay+3, not in write order; some rows before 1970 (negative times).
    const int64_t day = i % 7 == 6 ? -2 : kDay - 2 + (i * 5) % 6;
    rows.push_back(row(i, day * 86400000 + (i * 7919) % 86400000, i % 3 ? "ka" : "kb", "tiny"));
  }
  ASSERT_TRUE(store_->record_usage({rows.data(), 30}).ok());
  for (size_t i = 30; i < rows.size(); ++i) ASSERT_TRUE(store_->record_usage({&rows[i], 1}).ok());
  UsageRowsQuery everything;
  everything.from_ms = INT64_MIN;
  everything.limit = 1000;
  auto all_or = store_->usage_rows(everything);
  ASSERT_TRUE(all_or.ok()) << all_or.error().message;
  const std::vector<UsageRow>& all = *all_or;
  ASSERT_EQ(all.size(), rows.size());
  const int64_t froms[] = {0, INT64_MIN / 2, -86400000, (kDay - 1) * 86400000 + 5000, kDay * 86400000,
                           (kDay + 3) * 86400000 + 40000000, (kDay + 9) * 86400000};
  for (int64_t from : froms) {
    for (std::optional<std::string> key : {std::optional<std::string>{}, std::optional<std::string>{"kb"}}) {
      for (int64_t limit : {int64_t(1), int64_t(7), int64_t(1000)}) {
        UsageRowsQuery q;
        q.from_ms = from;
        q.to_ms = (kDay + 2) * 86400000;
        q.key_id = key;
        q.limit = limit;
        std::vector<UsageRow> want;
        for (const UsageRow& r : all) {
          if (r.time_ms >= q.from_ms && r.time_ms < q.to_ms && (!key || r.key_id == *key)) want.push_back(r);
        }
        // Page through: every page continues after the last seq of the one before.
        std::vector<UsageRow> got;
        for (int pages = 0; pages < 100; ++pages) {
          auto page = store_->usage_rows(q);
          ASSERT_TRUE(page.ok()) << page.error().message;
          got.insert(got.end(), page->begin(), page->end());
          if (int64_t(page->size()) < limit) break;
          q.after_seq = page->back().seq;
        }
        EXPECT_EQ(got, want) << "from " << from << " key " << key.value_or("-") << " limit " << limit;
      }
    }
  }
}

// model_day_deltas() folds keys, prompts and routes into one rollup per (day, model).
TEST(UsageHelpers, ModelDayDeltasFoldKeysPromptsAndRoutes) {
  std::vector<UsageRow> rows;
  for (int i = 0; i < 12; ++i) {
    UsageRow r = row(i, kDayMs + (i % 2) * 86400000 + i, i % 3 ? "ka" : "kb", i % 4 ? "tiny" : "big");
    r.route = i % 2 ? "/v1/responses" : "/v1/chat/completions";
    rows.push_back(r);
  }
  const std::vector<UsageTotals> narrow = model_day_deltas(rollup_deltas(rows));
  std::map<std::pair<int64_t, std::string>, UsageTotals> want;
  for (const UsageRow& r : rows) {
    UsageTotals& t = want[{day_of_ms(r.time_ms), r.model}];
    t.day = day_of_ms(r.time_ms);
    t.model = r.model;
    t.add(r);
  }
  ASSERT_EQ(narrow.size(), want.size());
  size_t i = 0;
  for (const auto& [k, t] : want) EXPECT_EQ(narrow[i++], t);
}

TEST_P(UsageStoreTest, UngroupedKeyFilteredAndEmptyQueries) {
  std::vector<UsageRow> rows;
  for (int i = 0; i < 10; ++i) rows.push_back(row(i, kDayMs + i, i < 4 ? "kmine" : "kother", "tiny"));
  ASSERT_TRUE(store_->record_usage(rows).ok());
  UsageQuery q;
  q.from_day = kDay;
  q.to_day = kDay;
  auto all = store_->usage_totals(q);
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].requests, 10);
  q.key_id = "kmine";
  auto mine = store_->usage_totals(q);
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 1u);
  UsageTotals want;
  for (int i = 0; i < 4; ++i) want.add(rows[size_t(i)]);
  EXPECT_EQ((*mine)[0], want);
  // Nothing in range: one row of zeros ungrouped, no rows grouped.
  q.from_day = q.to_day = kDay + 5;
  auto none = store_->usage_totals(q);
  ASSERT_TRUE(none.ok());
  ASSERT_EQ(none->size(), 1u);
  EXPECT_EQ((*none)[0].requests, 0);
  q.group_by = {UsageGroup::Prompt};
  auto none_grouped = store_->usage_totals(q);
  ASSERT_TRUE(none_grouped.ok());
  EXPECT_TRUE(none_grouped->empty());
}

TEST_P(UsageStoreTest, RowQueriesFilterAndPage) {
  std::vector<UsageRow> rows;
  for (int i = 0; i < 25; ++i) rows.push_back(row(i, kDayMs + i * 1000, i % 2 ? "ka" : "kb", i < 20 ? "tiny" : "big"));
  ASSERT_TRUE(store_->record_usage(rows).ok());
  UsageRowsQuery q;
  q.limit = 10;
  std::vector<UsageRow> seen;
  for (int page = 0; page < 5; ++page) {
    auto r = store_->usage_rows(q);
    ASSERT_TRUE(r.ok()) << r.error().message;
    if (r->empty()) break;
    seen.insert(seen.end(), r->begin(), r->end());
    q.after_seq = r->back().seq;
  }
  ASSERT_EQ(seen.size(), 25u);
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i].request_id, rows[i].request_id);

  UsageRowsQuery f;
  f.key_id = "ka";
  f.model = "tiny";
  f.from_ms = kDayMs + 5000;
  f.to_ms = kDayMs + 15000;  // i in [5, 15)
  auto r = store_->usage_rows(f);
  ASSERT_TRUE(r.ok());
  std::vector<std::string> ids;
  for (const UsageRow& u : *r) ids.push_back(u.request_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"req_5", "req_7", "req_9", "req_11", "req_13"}));
}

TEST_P(UsageStoreTest, LargeBatchIsOneTransactionAcrossChunks) {
  std::vector<UsageRow> rows;
  for (int i = 0; i < 2500; ++i) rows.push_back(row(i % 50, kDayMs + i, "k" + std::to_string(i % 7), "tiny"));
  ASSERT_TRUE(store_->record_usage(rows).ok());
  UsageQuery q;
  q.from_day = kDay;
  q.to_day = kDay;
  auto t = store_->usage_totals(q);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)[0].requests, 2500);
  // A second large batch adds into the same rollup rows.
  ASSERT_TRUE(store_->record_usage(rows).ok());
  auto t2 = store_->usage_totals(q);
  ASSERT_TRUE(t2.ok());
  EXPECT_EQ((*t2)[0].requests, 5000);
  EXPECT_EQ((*t2)[0].prompt_tokens, 2 * (*t)[0].prompt_tokens);
}

TEST_P(UsageStoreTest, ManyThreadsWriteRowsAtOnce) {
  constexpr int kThreads = 8, kPer = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPer; ++i) {
        const UsageRow r = row(i, kDayMs + t * 1000 + i, "k" + std::to_string(t), "tiny");
        if (!store_->record_usage({&r, 1}).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(all_rows().size(), size_t(kThreads * kPer));
  UsageQuery q;
  q.from_day = kDay;
  q.to_day = kDay;
  q.group_by = {UsageGroup::Key};
  auto t = store_->usage_totals(q);
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->size(), size_t(kThreads));
  for (const UsageTotals& g : *t) EXPECT_EQ(g.requests, kPer) << g.key_id;
}

TEST_P(UsageStoreTest, UsageSurvivesReopen) {
  const UsageRow r = row(3, kDayMs, "kp", "tiny");
  ASSERT_TRUE(store_->record_usage({&r, 1}).ok());
  reopen();
  const auto rows = all_rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].request_id, "req_3");
}

INSTANTIATE_TEST_SUITE_P(Engines, UsageStoreTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

// The pure helpers.
TEST(UsageHelpers, BucketsDaysGroupsAndPercentiles) {
  EXPECT_EQ(latency_bucket(0), 0u);
  EXPECT_EQ(latency_bucket(50000), 0u);
  EXPECT_EQ(latency_bucket(50001), 1u);
  EXPECT_EQ(latency_bucket(int64_t(1) << 40), kLatencyBuckets - 1);
  EXPECT_EQ(format_day(kDay), "2024-10-04");
  auto d = parse_day("2024-10-04");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, kDay);
  EXPECT_FALSE(parse_day("2024-02-30").ok());
  EXPECT_FALSE(parse_day("2024-1-04").ok());
  EXPECT_NE(parse_day("yesterday").error().message.find("'yesterday' is not a date (expected YYYY-MM-DD)"), std::string::npos);
  EXPECT_EQ(day_of_ms(kDayMs + 86399999), kDay);
  EXPECT_EQ(day_of_ms(-1), -1);
  EXPECT_EQ(day_of_ms(-86400000), -1);
  EXPECT_EQ(day_of_ms(-86400001), -2);
  EXPECT_EQ(day_of_ms(INT64_MIN), INT64_MIN / 86400000 - 1);
  auto g = parse_usage_groups("model,day");
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(*g, (std::vector<UsageGroup>{UsageGroup::Model, UsageGroup::Day}));
  auto bad = parse_usage_groups("model,team");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("unknown group 'team'"), std::string::npos) << bad.error().message;
  EXPECT_FALSE(parse_usage_groups("key,key").ok());

  UsageTotals t;
  for (int i = 0; i < 100; ++i) {  // 1..100 ms: 50 in the first bucket, 50 in the second
    UsageRow r;
    r.duration_us = (i + 1) * 1000;
    t.add(r);
  }
  EXPECT_EQ(t.latency[0], 50);
  EXPECT_EQ(t.latency[1], 50);
  EXPECT_DOUBLE_EQ(latency_percentile_ms(t, 0.5), 50.0);
  EXPECT_DOUBLE_EQ(latency_percentile_ms(t, 0.95), 95.0);  // linear inside (50, 100]
  EXPECT_DOUBLE_EQ(latency_percentile_ms(t, 1.0), 100.0);
  EXPECT_EQ(latency_percentile_ms(UsageTotals{}, 0.5), 0.0);
}

}  // namespace
}  // namespace ondo::store
