// Reports: the summary JSON round-trips, the table shows each metric, and two runs compare
// row by row (changed rows, metric deltas, rows only in one run).
#include <gtest/gtest.h>

#include "ondo/eval/report.h"

namespace ondo::eval {
namespace {

RowResult r(const std::string& id, const std::string& out, double exact, double json, double lat = 10) {
  RowResult x;
  x.id = id;
  x.output = out;
  x.metrics = {{"exact", exact}, {"json", json}};
  x.latency_ms = lat;
  x.n_generated = 10;
  x.tokens_per_s = 100;
  x.stop = "eos";
  return x;
}

TargetResult target(const std::string& label, std::vector<RowResult> rows) {
  TargetResult t;
  t.label = label;
  t.model = label + ".gguf";
  t.rows = std::move(rows);
  summarize(t);
  return t;
}

TEST(EvalReport, SummaryMeansLatencyAndTokensPerSecond) {
  TargetResult t = target("a", {r("1", "x", 1, 1, 10), r("2", "y", 0, 1, 30), r("3", "z", 0, 0, 20)});
  ASSERT_EQ(t.metrics.size(), 2u);
  EXPECT_EQ(t.metrics[0].name, "exact");
  EXPECT_NEAR(t.metrics[0].mean, 1.0 / 3, 1e-12);
  EXPECT_NEAR(t.metrics[1].mean, 2.0 / 3, 1e-12);
  EXPECT_EQ(t.metrics[1].n, 3u);
  EXPECT_DOUBLE_EQ(t.latency_ms_mean, 20);
  EXPECT_DOUBLE_EQ(t.latency_ms_p50, 20);
  EXPECT_DOUBLE_EQ(t.latency_ms_p95, 30);
  EXPECT_NEAR(t.tokens_per_s, 100, 1e-9);
  EXPECT_EQ(t.n_generated, 30);
}

TEST(EvalReport, SummaryJsonRoundTripsAndTheTableShowsEveryMetric) {
  EvalSummary s;
  s.dataset = "d.jsonl";
  s.n_rows = 2;
  s.targets.push_back(target("model-a", {r("1", "x", 1, 1), r("2", "y", 0, 1)}));
  s.targets.push_back(target("model-b", {r("1", "x", 1, 1), r("2", "{}", 1, 1)}));
  const auto j = summary_json(s);
  EXPECT_EQ(j["targets"][0]["metrics"]["exact"]["mean"], 0.5);
  EXPECT_EQ(j["targets"][1]["rows"][1]["output"], "{}");
  auto back = summary_from_json(nlohmann::ordered_json::parse(j.dump()), "run.json");
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_EQ(back->targets.size(), 2u);
  EXPECT_EQ(back->targets[1].label, "model-b");
  EXPECT_DOUBLE_EQ(back->targets[1].metrics[0].mean, 1.0);
  EXPECT_EQ(back->targets[0].rows[1].id, "2");
  const std::string table = summary_table(s);
  EXPECT_NE(table.find("exact"), std::string::npos) << table;
  EXPECT_NE(table.find("50.0%"), std::string::npos) << table;
  EXPECT_NE(table.find("100.0%"), std::string::npos) << table;
  EXPECT_NE(table.find("model-b"), std::string::npos) << table;
}

TEST(EvalReport, ABadSummaryFileNamesTheField) {
  auto a = summary_from_json(nlohmann::ordered_json::parse(R"({"targets":[]})"), "a.json");
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().message.find("a.json: targets: missing or empty"), std::string::npos) << a.error().message;
  auto b = summary_from_json(
      nlohmann::ordered_json::parse(R"({"targets":[{"rows":[{"id":"1","metrics":{"exact":"yes"}}]}]})"), "b.json");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().message, "b.json: targets[0].rows[0].metrics.exact: not a number");
}

TEST(EvalReport, CompareTwoRunsRowByRow) {
  const TargetResult a = target("base", {r("1", "x", 1, 1), r("2", "y", 0, 0), r("3", "z", 1, 1), r("4", "w", 0, 1)});
  const TargetResult b = target("tuned", {r("1", "x", 1, 1), r("2", "{}", 1, 1), r("3", "zz", 0, 1), r("5", "v", 1, 1)});
  const Comparison c = compare_runs(a, b);
  EXPECT_EQ(c.n_common, 3u);
  EXPECT_EQ(c.only_a, std::vector<std::string>{"4"});
  EXPECT_EQ(c.only_b, std::vector<std::string>{"5"});
  ASSERT_EQ(c.changed.size(), 2u);
  EXPECT_EQ(c.changed[0].id, "2");
  ASSERT_EQ(c.changed[0].metrics.size(), 2u);
  EXPECT_EQ(c.changed[0].metrics[0].first, "exact");
  EXPECT_EQ(c.changed[0].metrics[0].second, std::make_pair(0.0, 1.0));
  EXPECT_EQ(c.changed[1].id, "3");
  EXPECT_TRUE(c.changed[1].output_changed);
  ASSERT_EQ(c.metrics.size(), 2u);
  EXPECT_EQ(c.metrics[0].name, "exact");
  EXPECT_NEAR(c.metrics[0].a, 2.0 / 3, 1e-12);
  EXPECT_NEAR(c.metrics[0].b, 2.0 / 3, 1e-12);
  EXPECT_EQ(c.metrics[0].improved, 1u);
  EXPECT_EQ(c.metrics[0].regressed, 1u);
  EXPECT_NEAR(c.metrics[1].b - c.metrics[1].a, 1.0 / 3, 1e-12);
  const auto j = comparison_json(c);
  EXPECT_EQ(j["changed"][0]["metrics"]["exact"]["b"], 1.0);
  EXPECT_EQ(j["metrics"]["json"]["improved"], 1);
  const std::string text = comparison_text(c);
  EXPECT_NE(text.find("2: exact 0 -> 1 json 0 -> 1 (output changed)"), std::string::npos) << text;
  EXPECT_NE(text.find("1 only in A, 1 only in B; 2 changed"), std::string::npos) << text;
}

TEST(EvalReport, SameRunComparesUnchanged) {
  const TargetResult a = target("a", {r("1", "x", 1, 1), r("2", "y", 0, 0)});
  const Comparison c = compare_runs(a, a);
  EXPECT_TRUE(c.changed.empty());
  EXPECT_EQ(c.metrics[0].improved + c.metrics[0].regressed, 0u);
}

}  // namespace
}  // namespace ondo::eval
