// The usage row of a finished request (key, tokens, times, cost from the price table) and the
// usage API's parameters and answers (JSON, CSV), without a server.
#include "ondo/serve/usage.h"

#include <gtest/gtest.h>

namespace ondo::serve {
namespace {

RequestRecord generated_record() {
  RequestRecord r;
  r.context.id = "req_1";
  r.context.caller = "key:kabc";
  r.context.model = "qwen";
  r.context.adapter = "lora";
  r.route = "/v1/chat/completions";
  r.status = 200;
  r.generated = true;
  r.prompt_tokens = 100;
  r.cached_tokens = 40;
  r.completion_tokens = 10;
  r.first_token_s = 0.0125;
  r.total_s = 0.5;
  r.finish_reason = "disconnected";
  return r;
}

TEST(UsageRow, FromTheFinalRecordWithItsCost) {
  PriceTable prices;
  prices.models["qwen"] = ModelPrice{1.0, 0.5, 2.0};  // USD per 1M tokens
  const auto row = usage_row(generated_record(), &prices, 1700000000123);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->time_ms, 1700000000123);
  EXPECT_EQ(row->request_id, "req_1");
  EXPECT_EQ(row->key_id, "kabc");
  EXPECT_EQ(row->model, "qwen");
  EXPECT_EQ(row->adapter, "lora");
  EXPECT_EQ(row->prompt, "");
  EXPECT_EQ(row->route, "/v1/chat/completions");
  EXPECT_EQ(row->prompt_tokens, 100);
  EXPECT_EQ(row->cached_tokens, 40);
  EXPECT_EQ(row->completion_tokens, 10);
  EXPECT_EQ(row->ttft_us, 12500);
  EXPECT_EQ(row->duration_us, 500000);
  EXPECT_EQ(row->cost_nano_usd, 60 * 1000 + 40 * 500 + 10 * 2000);  // 1 USD/1M = 1000 nano-USD per token
  EXPECT_EQ(row->finish_reason, "disconnected");

  RequestRecord no_token = generated_record();
  no_token.first_token_s = -1;
  no_token.context.caller = "admin";
  const auto free_row = usage_row(no_token, nullptr, 1);
  ASSERT_TRUE(free_row);
  EXPECT_EQ(free_row->ttft_us, -1);
  EXPECT_EQ(free_row->key_id, "admin");
  EXPECT_EQ(free_row->cost_nano_usd, 0);

  RequestRecord health;
  health.route = "/health";
  EXPECT_FALSE(usage_row(health, &prices, 1));  // never reached a model
}

// A response cache hit ran no model (generated is false) but is a row: its tokens as served, at
// zero cost, and with the registry prompt that served it.
TEST(UsageRow, CacheHitsAreRowsAtZeroCost) {
  PriceTable prices;
  prices.models["qwen"] = ModelPrice{1.0, 0.5, 2.0};
  RequestRecord hit = generated_record();
  hit.generated = false;
  hit.cache_hit = true;
  hit.prompt_ref = "recipes@3";
  const auto row = usage_row(hit, &prices, 5);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->completion_tokens, 10);
  EXPECT_EQ(row->cost_nano_usd, 0);
  EXPECT_EQ(row->prompt, "recipes@3");
}

TEST(UsageQuery, ParametersAreCheckedByName) {
  const int64_t today = 20000;
  auto q = parse_usage_query({}, today);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->to_day, today);
  EXPECT_EQ(q->from_day, today - 29);
  EXPECT_TRUE(q->group_by.empty());
  auto g = parse_usage_query({{"group_by", "key,day"}, {"from", "2024-10-01"}, {"to", "2024-10-04"}, {"key", "k1"}}, today);
  ASSERT_TRUE(g.ok()) << g.error().message;
  EXPECT_EQ(g->from_day, 19997);
  EXPECT_EQ(g->to_day, 20000);
  EXPECT_EQ(g->group_by, (std::vector<store::UsageGroup>{store::UsageGroup::Key, store::UsageGroup::Day}));
  EXPECT_EQ(g->key_id, std::optional<std::string>("k1"));
  const std::pair<QueryParams, std::string> bad[] = {
      {{{"group_by", "team"}}, "group_by: unknown group 'team'"},
      {{{"from", "2024-10-05"}, {"to", "2024-10-04"}}, "from: is after to (2024-10-05 > 2024-10-04)"},
      {{{"to", "tomorrow"}}, "to: 'tomorrow' is not a date"},
      {{{"limit", "5"}}, "limit: unknown query parameter"},
      {{{"key", "a"}, {"key", "b"}}, "key: given more than once"},
      {{{"format", "xml"}}, "format: expected json or csv"},
  };
  for (const auto& [params, text] : bad) {
    auto r = parse_usage_query(params, today);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(r.error().message.find(text), std::string::npos) << r.error().message;
  }
  auto rows = parse_usage_rows_query({{"limit", "10"}, {"after", "7"}, {"model", "m"}}, today);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->limit, 11);  // one more: has_more
  EXPECT_EQ(rows->after_seq, 7);
  EXPECT_EQ(rows->from_ms, (today - 29) * 86400000);
  EXPECT_EQ(rows->to_ms, (today + 1) * 86400000);
  EXPECT_FALSE(parse_usage_rows_query({{"limit", "1001"}}, today).ok());
  EXPECT_FALSE(parse_usage_rows_query({{"after", "-1"}}, today).ok());
  EXPECT_TRUE(wants_csv({{"format", "csv"}}, ""));
  EXPECT_FALSE(wants_csv({{"format", "json"}}, "text/csv"));
  EXPECT_TRUE(wants_csv({}, "text/csv, */*"));
}

TEST(UsageAnswer, JsonAndCsvCarryTheSums) {
  store::UsageQuery q;
  q.from_day = q.to_day = 20000;
  q.group_by = {store::UsageGroup::Model};
  store::UsageTotals a, b;
  a.model = "m,1";  // quoted in CSV
  b.model = "m2";
  const auto row = usage_row(generated_record(), nullptr, 0);
  a.add(*row);
  b.add(*row);
  b.add(*row);
  b.cost_nano_usd = 1500000000;
  const auto j = usage_totals_json(q, {a, b});
  EXPECT_EQ(j["data"].size(), 2u);
  EXPECT_EQ(j["data"][1]["model"], "m2");
  EXPECT_EQ(j["data"][1]["requests"], 2);
  EXPECT_EQ(j["data"][1]["cost_usd"], "1.500000");
  EXPECT_EQ(j["total"]["requests"], 3);
  EXPECT_EQ(j["total"]["prompt_tokens"], 300);
  EXPECT_EQ(j["from"], "2024-10-04");
  const std::string csv = usage_totals_csv(q, {a, b});
  EXPECT_EQ(csv.substr(0, csv.find("\r\n")),
            "model,requests,errors,prompt_tokens,cached_tokens,completion_tokens,total_tokens,cost_usd,"
            "latency_p50_ms,latency_p95_ms,latency_p99_ms,latency_max_ms");
  EXPECT_NE(csv.find("\r\n\"m,1\",1,0,100,40,10,110,0.000000,"), std::string::npos) << csv;

  std::vector<store::UsageRow> rows(3, *row);
  for (int i = 0; i < 3; ++i) rows[size_t(i)].seq = 10 + i;
  const auto page = usage_rows_json(rows, 2);
  EXPECT_EQ(page["data"].size(), 2u);
  EXPECT_EQ(page["has_more"], true);
  EXPECT_EQ(page["next_after"], 11);
  EXPECT_EQ(page["data"][0]["ttft_ms"], 12.5);
  const auto last = usage_rows_json(rows, 5);
  EXPECT_EQ(last["has_more"], false);
  EXPECT_TRUE(last["next_after"].is_null());
  const std::string rcsv = usage_rows_csv(rows, 2);
  EXPECT_EQ(std::count(rcsv.begin(), rcsv.end(), '\n'), 3);
  EXPECT_NE(rcsv.find("\r\n10,req_1,"), std::string::npos) << rcsv;
}

}  // namespace
}  // namespace ondo::serve
