// Every per-row metric on hand-made outputs: exact, json, schema, fields, contains, regex,
// numeric, custom scorer expressions; each check must both pass and fail.
#include <gtest/gtest.h>

#include "ondo/eval/dataset.h"
#include "ondo/eval/metrics.h"

namespace ondo::eval {
namespace {

Row row(const std::string& json) {
  auto r = parse_row(json, 1);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r).value() : Row{};
}

double metric(const RowScore& s, const std::string& name) {
  for (const Metric& m : s.metrics) {
    if (m.name == name) return m.value;
  }
  ADD_FAILURE() << "no metric " << name;
  return -1;
}

bool has_metric(const RowScore& s, const std::string& name) {
  for (const Metric& m : s.metrics) {
    if (m.name == name) return true;
  }
  return false;
}

TEST(EvalMetrics, ExactMatchOnTextTrimsWhitespaceOnly) {
  const Row r = row(R"({"prompt":"2+2?","expected":"4"})");
  EXPECT_EQ(metric(score_output(r, "4"), "exact"), 1.0);
  EXPECT_EQ(metric(score_output(r, "  4\n"), "exact"), 1.0);
  EXPECT_EQ(metric(score_output(r, "4."), "exact"), 0.0);
  EXPECT_EQ(metric(score_output(r, "four"), "exact"), 0.0);
  EXPECT_FALSE(has_metric(score_output(r, "4"), "json"));  // a string expected asks for exact only
}

TEST(EvalMetrics, ExactMatchOnJsonIgnoresKeyOrderAndSpacing) {
  const Row r = row(R"({"prompt":"p","expected":{"a":1,"b":[1,2]}})");
  EXPECT_EQ(metric(score_output(r, R"({"b": [1, 2], "a": 1.0})"), "exact"), 1.0);
  EXPECT_EQ(metric(score_output(r, R"({"a":1,"b":[2,1]})"), "exact"), 0.0);
  EXPECT_EQ(metric(score_output(r, R"({"a":1})"), "exact"), 0.0);
}

TEST(EvalMetrics, JsonValidity) {
  const Row r = row(R"({"prompt":"p","checks":{"json":true}})");
  EXPECT_EQ(metric(score_output(r, R"({"x": [1, "two", null]})"), "json"), 1.0);
  EXPECT_EQ(metric(score_output(r, "null"), "json"), 1.0);
  EXPECT_EQ(metric(score_output(r, R"({"x": 1)"), "json"), 0.0);
  EXPECT_EQ(metric(score_output(r, R"({"x": 1} trailing)"), "json"), 0.0);
  EXPECT_EQ(metric(score_output(r, ""), "json"), 0.0);
  EXPECT_EQ(metric(score_output(r, std::string(5000, '[') + std::string(5000, ']')), "json"), 0.0);  // too deep
}

TEST(EvalMetrics, SchemaValidityUsesTheFailClosedCompiler) {
  const Row r = row(R"({"prompt":"p","schema":{"type":"object","properties":{"name":{"type":"string","maxLength":5},
      "n":{"type":"integer","minimum":0}},"required":["name"],"additionalProperties":false}})");
  EXPECT_EQ(metric(score_output(r, R"({"name":"egg","n":3})"), "schema"), 1.0);
  EXPECT_EQ(metric(score_output(r, R"({ "n" : 3, "name" : "egg" })"), "schema"), 1.0);  // key order, spacing
  EXPECT_EQ(metric(score_output(r, R"({"name":"toolong"})"), "schema"), 0.0);
  EXPECT_EQ(metric(score_output(r, R"({"name":"egg","n":-1})"), "schema"), 0.0);
  EXPECT_EQ(metric(score_output(r, R"({"n":1})"), "schema"), 0.0);
  EXPECT_EQ(metric(score_output(r, R"({"name":"egg","other":1})"), "schema"), 0.0);
  EXPECT_EQ(metric(score_output(r, "not json"), "schema"), 0.0);
  // nested objects through a local $ref are reordered too
  const Row nested = row(R"({"prompt":"p","schema":{"$defs":{"p":{"type":"object","properties":{"x":{"type":"integer"},
      "y":{"type":"integer"}},"required":["x","y"]}},"type":"array","items":{"$ref":"#/$defs/p"}}})");
  EXPECT_EQ(metric(score_output(nested, R"([{"y":2,"x":1},{"x":3,"y":4}])"), "schema"), 1.0);
  EXPECT_EQ(metric(score_output(nested, R"([{"y":2}])"), "schema"), 0.0);
}

TEST(EvalMetrics, PerFieldAccuracy) {
  const Row r = row(R"({"prompt":"p","expected":{"name":"egg toast","count":2,"tags":["a"]}})");
  const RowScore s = score_output(r, R"({"name":"egg toast","count":3,"tags":["a"],"extra":1})");
  EXPECT_NEAR(metric(s, "fields"), 2.0 / 3.0, 1e-12);
  EXPECT_EQ(metric(s, "field.name"), 1.0);
  EXPECT_EQ(metric(s, "field.count"), 0.0);
  EXPECT_EQ(metric(s, "field.tags"), 1.0);
  EXPECT_EQ(metric(s, "exact"), 0.0);
  EXPECT_EQ(metric(score_output(r, "not json"), "fields"), 0.0);
  const Row only = row(R"({"prompt":"p","expected":{"name":"egg","count":2},"checks":{"fields":["name"]}})");
  const RowScore s2 = score_output(only, R"({"name":"egg","count":9})");
  EXPECT_EQ(metric(s2, "fields"), 1.0);
  EXPECT_FALSE(has_metric(s2, "field.count"));
}

TEST(EvalMetrics, ContainsAndRegex) {
  const Row r = row(R"({"prompt":"p","checks":{"contains":["egg","토마토"],"regex":["^\\{","\"recipes\"\\s*:\\s*\\["]}})");
  EXPECT_EQ(metric(score_output(r, R"({"egg":1,"토마토":2,"recipes": ["x"]})"), "contains"), 1.0);
  EXPECT_EQ(metric(score_output(r, R"({"egg":1,"토마토":2,"recipes": ["x"]})"), "regex"), 1.0);
  EXPECT_EQ(metric(score_output(r, R"({"egg":1,"recipes":"x"})"), "contains"), 0.0);
  EXPECT_EQ(metric(score_output(r, R"({"egg":1,"recipes":"x"})"), "regex"), 0.0);
  EXPECT_EQ(metric(score_output(r, R"(x{"recipes":["x"]})"), "regex"), 0.0);
  // a pathological pattern hits the match limit and fails instead of hanging
  const Row slow = row(R"({"prompt":"p","checks":{"regex":"^(a+)+$"}})");
  const RowScore s = score_output(slow, std::string(40, 'a') + "b");
  EXPECT_EQ(metric(s, "regex"), 0.0);
  ASSERT_FALSE(s.notes.empty());
  EXPECT_NE(s.notes[0].find("limit"), std::string::npos) << s.notes[0];
}

TEST(EvalMetrics, NumericTolerance) {
  const Row whole = row(R"({"prompt":"p","expected":3.14,"checks":{"numeric":0.01}})");
  EXPECT_EQ(metric(score_output(whole, "3.141"), "numeric"), 1.0);
  EXPECT_EQ(metric(score_output(whole, " 3.15 "), "numeric"), 1.0);
  EXPECT_EQ(metric(score_output(whole, "3.2"), "numeric"), 0.0);
  EXPECT_EQ(metric(score_output(whole, "about 3.14"), "numeric"), 0.0);
  const Row at = row(R"({"prompt":"p","expected":{"total":{"won":[10,25]}},"checks":{"numeric":{"pointer":"/total/won/1","tolerance":0}}})");
  EXPECT_EQ(metric(score_output(at, R"({"total":{"won":[0,25]}})"), "numeric"), 1.0);
  EXPECT_EQ(metric(score_output(at, R"({"total":{"won":[0,25.5]}})"), "numeric"), 0.0);
  EXPECT_EQ(metric(score_output(at, R"({"total":{"won":[0,"25"]}})"), "numeric"), 0.0);
  EXPECT_EQ(metric(score_output(at, R"({"total":{}})"), "numeric"), 0.0);
}

TEST(EvalMetrics, ScorerExpressions) {
  const Row r = row(R"({"prompt":"p","meta":{"ingredients":["egg","tomato"],"except":["omelette"]},
      "expected":{"n":2},"checks":{"expr":{
        "uses":"output is mapping and meta.ingredients|reject('in', output.ingredients)|list|length == 0",
        "avoids":"output is mapping and output.name not in meta.except",
        "count":"output.ingredients|length if output is mapping else 0",
        "same_n":"output is mapping and output.n == expected.n",
        "text_len":"text|length"}}})");
  const RowScore good = score_output(r, R"({"name":"egg tomato stir-fry","ingredients":["egg","tomato","oil"],"n":2})");
  EXPECT_EQ(metric(good, "expr.uses"), 1.0);
  EXPECT_EQ(metric(good, "expr.avoids"), 1.0);
  EXPECT_EQ(metric(good, "expr.count"), 3.0);
  EXPECT_EQ(metric(good, "expr.same_n"), 1.0);
  const RowScore bad = score_output(r, R"({"name":"omelette","ingredients":["egg"],"n":1})");
  EXPECT_EQ(metric(bad, "expr.uses"), 0.0);
  EXPECT_EQ(metric(bad, "expr.avoids"), 0.0);
  EXPECT_EQ(metric(bad, "expr.count"), 1.0);
  EXPECT_EQ(metric(bad, "expr.same_n"), 0.0);
  const RowScore text = score_output(r, "plain");
  EXPECT_EQ(metric(text, "expr.uses"), 0.0);
  EXPECT_EQ(metric(text, "expr.text_len"), 5.0);
}

TEST(EvalMetrics, AScorerThatRaisesOrGivesTextScoresZeroWithANote) {
  const Row r = row(R"({"prompt":"p","checks":{"expr":{"boom":"output.a.b.c","word":"'yes'"}}})");
  const RowScore s = score_output(r, R"({"a":1})");
  EXPECT_EQ(metric(s, "expr.boom"), 0.0);
  EXPECT_EQ(metric(s, "expr.word"), 0.0);
  ASSERT_EQ(s.notes.size(), 2u);
  EXPECT_NE(s.notes[1].find("not a boolean or a number"), std::string::npos) << s.notes[1];
}

TEST(EvalMetrics, JsonPointers) {
  const nlohmann::ordered_json v = nlohmann::ordered_json::parse(R"({"a/b":{"~x":[5,6]}})");
  ASSERT_NE(at_pointer(v, "/a~1b/~0x/1"), nullptr);
  EXPECT_EQ(*at_pointer(v, "/a~1b/~0x/1"), 6);
  EXPECT_EQ(at_pointer(v, "/a~1b/~0x/2"), nullptr);
  EXPECT_EQ(at_pointer(v, "/a~1b/~0x/01"), nullptr);
  EXPECT_EQ(at_pointer(v, "/nope"), nullptr);
  EXPECT_FALSE(valid_pointer("a"));
  EXPECT_FALSE(valid_pointer("/a~2"));
  EXPECT_TRUE(valid_pointer(""));
}

}  // namespace
}  // namespace ondo::eval
