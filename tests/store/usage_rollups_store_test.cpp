// The narrow usage rollups day x key x model and day x key x prompt (store/usage_rollups.h) on
// both engines: every grouping they answer, with and without a key filter, over short and
// month-spanning ranges, equals the sums of the rows it covers (rows written in one batch and
// one per transaction); and which daily table each query reads.
#include <gtest/gtest.h>

#include <map>
#include <tuple>

#include "ondo/store/store.h"
#include "ondo/store/usage_rollups.h"
#include "store/engine_test.h"

namespace ondo::store {
namespace {

constexpr int64_t kDay = 20000;  // 2024-10-04

class UsageRollupsStoreTest : public testing_support::EngineTest {};

using G = UsageGroup;

TEST(UsageRollups, EachQueryReadsTheNarrowestTableThatHoldsItsGroups) {
  auto table = [](std::vector<G> g, bool key_filter) {
    UsageQuery q;
    q.group_by = std::move(g);
    if (key_filter) q.key_id = "k1";
    return std::string(usage_daily_table(q));
  };
  EXPECT_EQ(table({}, false), "usage_daily_model");
  EXPECT_EQ(table({G::Model, G::Day}, false), "usage_daily_model");
  EXPECT_EQ(table({G::Key}, false), "usage_daily_key_model");
  EXPECT_EQ(table({G::Key, G::Model}, false), "usage_daily_key_model");
  EXPECT_EQ(table({G::Model}, true), "usage_daily_key_model");
  EXPECT_EQ(table({G::Day}, true), "usage_daily_key_model");
  EXPECT_EQ(table({G::Prompt}, false), "usage_daily_key_prompt");
  EXPECT_EQ(table({G::Key, G::Prompt, G::Day}, true), "usage_daily_key_prompt");
  EXPECT_EQ(table({G::Prompt, G::Model}, false), "usage_daily");
}

TEST_P(UsageRollupsStoreTest, KeyModelAndKeyPromptGroupsEqualTheRowSums) {
  const int64_t first = kDay - 40;
  std::vector<UsageRow> rows;
  for (int i = 0; i < 400; ++i) {
    UsageRow r;
    r.time_ms = (first + (i * 7) % 110) * 86400000 + i;
    r.request_id = "req" + std::to_string(i);
    r.key_id = "k" + std::to_string(i % 3);
    r.model = i % 4 ? "tiny" : "big";
    r.prompt = i % 5 == 0 ? "" : "p" + std::to_string(i % 2) + "@" + std::to_string(1 + i % 3);
    r.route = i % 2 ? "/v1/responses" : "/v1/chat/completions";
    r.status = i % 17 ? 200 : 500;
    r.prompt_tokens = 10 + i;
    r.completion_tokens = 1 + i % 9;
    r.ttft_us = i % 6 ? 1000 * i : -1;
    r.duration_us = 40000 * (i % 50) + 7;
    r.cost_nano_usd = 3 * i;
    r.finish_reason = "stop";
    rows.push_back(r);
  }
  ASSERT_TRUE(store_->record_usage({rows.data(), 300}).ok());
  for (size_t i = 300; i < rows.size(); ++i) ASSERT_TRUE(store_->record_usage({&rows[i], 1}).ok());

  const std::vector<std::vector<G>> groupings = {{G::Key},           {G::Key, G::Model}, {G::Model, G::Key, G::Day},
                                                 {G::Prompt},        {G::Key, G::Prompt}, {G::Prompt, G::Day},
                                                 {G::Day},           {}};
  const std::pair<int64_t, int64_t> ranges[] = {{first, first + 109}, {first + 3, first + 95}, {kDay, kDay + 2}};
  for (const auto& [from, to] : ranges) {
    for (const auto& g : groupings) {
      for (const std::optional<std::string> key : {std::optional<std::string>(), std::optional<std::string>("k1")}) {
        UsageQuery q;
        q.from_day = from;
        q.to_day = to;
        q.group_by = g;
        q.key_id = key;
        using K = std::vector<std::string>;
        std::map<K, UsageTotals> want;  // by the grouped values in group order
        for (const UsageRow& r : rows) {
          const int64_t d = day_of_ms(r.time_ms);
          if (d < from || d > to || (key && r.key_id != *key)) continue;
          K k;
          UsageTotals proto;
          for (G x : g) {
            switch (x) {
              case G::Day: k.push_back(std::to_string(1000000 + d)); proto.day = d; break;
              case G::Key: k.push_back(r.key_id); proto.key_id = r.key_id; break;
              case G::Model: k.push_back(r.model); proto.model = r.model; break;
              case G::Prompt: k.push_back(r.prompt); proto.prompt = r.prompt; break;
            }
          }
          auto [it, fresh] = want.try_emplace(k, proto);
          it->second.add(r);
        }
        std::vector<UsageTotals> expect;
        for (auto& [k, t] : want) expect.push_back(t);
        if (g.empty() && expect.empty()) expect.push_back(UsageTotals{});
        auto got = store_->usage_totals(q);
        ASSERT_TRUE(got.ok()) << got.error().message;
        const std::string where = format_day(from) + ".." + format_day(to) + " groups " + std::to_string(g.size()) +
                                  " key " + key.value_or("-") + " table " + std::string(usage_daily_table(q));
        ASSERT_EQ(got->size(), expect.size()) << where;
        for (size_t i = 0; i < expect.size(); ++i) EXPECT_EQ((*got)[i], expect[i]) << where << " group " << i;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, UsageRollupsStoreTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace ondo::store
