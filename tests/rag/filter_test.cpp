// Filter parsing (JSON-path errors) and evaluation tables. Layer: rag tests.
#include "ondo/rag/filter.h"

#include <gtest/gtest.h>

#include <string>

namespace ondo::rag {
namespace {

using nlohmann::json;

Filter parse_ok(const std::string& text) {
  auto f = parse_filter(json::parse(text));
  EXPECT_TRUE(f.ok()) << text << " -> " << (f.ok() ? "" : f.error().message);
  return f.ok() ? *f : Filter{};
}

struct BadCase {
  const char* body;
  const char* field;
  const char* message;
};

TEST(FilterParse, ErrorsNameTheJsonPath) {
  const BadCase cases[] = {
      {R"("x")", "filters", "filters: must be an object (seen string)"},
      {R"({})", "filters.type", "filters.type: missing (expected a comparison or and/or)"},
      {R"({"type": 3})", "filters.type", "filters.type: must be a string (seen number)"},
      {R"({"type": "and", "filters": [{"type": "eq", "key": "a", "value": 1},
                                      {"type": "eqq", "key": "b", "value": 2}]})",
       "filters.filters[1].type",
       "filters.filters[1].type: unknown comparison 'eqq' (expected eq, ne, gt, gte, lt, lte, "
       "in, nin, and, or)"},
      {R"({"type": "eq", "value": 1})", "filters.key", "filters.key: missing (a comparison needs a key)"},
      {R"({"type": "eq", "key": 5, "value": 1})", "filters.key", "filters.key: must be a string (seen number)"},
      {R"({"type": "eq", "key": "a"})", "filters.value", "filters.value: missing (a comparison needs a value)"},
      {R"({"type": "eq", "key": "a", "value": null})", "filters.value",
       "filters.value: must be a string, number or boolean (seen null)"},
      {R"({"type": "eq", "key": "a", "value": [1]})", "filters.value",
       "filters.value: must be a string, number or boolean (seen array)"},
      {R"({"type": "in", "key": "a", "value": 1})", "filters.value",
       "filters.value: must be an array for 'in' (seen number)"},
      {R"({"type": "nin", "key": "a", "value": [1, {}]})", "filters.value[1]",
       "filters.value[1]: must be a string, number or boolean (seen object)"},
      {R"({"type": "gt", "key": "a", "value": true})", "filters.value",
       "filters.value: 'gt' needs a number or a string (seen boolean)"},
      {R"({"type": "or"})", "filters.filters", "filters.filters: missing (a compound filter needs filters)"},
      {R"({"type": "or", "filters": {}})", "filters.filters", "filters.filters: must be an array (seen object)"},
      {R"({"type": "and", "filters": []})", "filters.filters", "filters.filters: must hold at least one filter"},
  };
  for (const auto& c : cases) {
    auto f = parse_filter(json::parse(c.body));
    ASSERT_FALSE(f.ok()) << c.body;
    EXPECT_EQ(f.error().code, ErrorCode::InvalidArgument) << c.body;
    EXPECT_EQ(f.error().field, c.field) << c.body;
    EXPECT_EQ(f.error().message, c.message) << c.body;
  }
}

TEST(FilterParse, CustomPathPrefix) {
  auto f = parse_filter(json::parse(R"({"type": "and", "filters": [{"type": "x"}]})"),
                        "tools[0].filters");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().field, "tools[0].filters.filters[0].type");
}

json nested(int depth) {
  json leaf = {{"type", "eq"}, {"key", "a"}, {"value", 1}};
  for (int i = 1; i < depth; ++i) leaf = {{"type", "and"}, {"filters", json::array({leaf})}};
  return leaf;
}

TEST(FilterParse, DepthLimit) {
  // kMaxFilterDepth compound levels hold a comparison at depth kMaxFilterDepth: fine.
  EXPECT_TRUE(parse_filter(nested(kMaxFilterDepth)).ok());
  auto deep = parse_filter(nested(kMaxFilterDepth + 1));
  ASSERT_FALSE(deep.ok());
  EXPECT_NE(deep.error().message.find("nest too deep"), std::string::npos) << deep.error().message;
  // Much deeper input is refused at the limit, without descending further.
  EXPECT_FALSE(parse_filter(nested(300)).ok());
}

TEST(FilterParse, ListLimits) {
  json many = json::array();
  for (size_t i = 0; i <= kMaxFilterItems; ++i) many.push_back(static_cast<int>(i));
  auto f = parse_filter({{"type", "in"}, {"key", "a"}, {"value", many}});
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().field, "filters.value");
}

TEST(FilterParse, RoundTrip) {
  const char* text = R"({"type": "or", "filters": [
      {"type": "and", "filters": [{"type": "gte", "key": "year", "value": 2020},
                                  {"type": "ne", "key": "draft", "value": true}]},
      {"type": "in", "key": "author", "value": ["ann", "bo", 3]},
      {"type": "lt", "key": "score", "value": 0.5}]})";
  Filter f = parse_ok(text);
  EXPECT_EQ(filter_to_json(f), json::parse(text));
  auto again = parse_filter(filter_to_json(f));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(filter_to_json(*again), filter_to_json(f));
}

struct MatchCase {
  const char* filter;
  bool expect;
};

TEST(FilterMatch, ComparisonTable) {
  const Attributes attrs = {{"author", std::string("ann")},
                            {"year", 2021.0},
                            {"score", 0.25},
                            {"draft", false},
                            {"lang", std::string("en")}};
  const MatchCase cases[] = {
      {R"({"type": "eq", "key": "author", "value": "ann"})", true},
      {R"({"type": "eq", "key": "author", "value": "Ann"})", false},
      {R"({"type": "eq", "key": "year", "value": 2021})", true},
      {R"({"type": "eq", "key": "year", "value": "2021"})", false},  // types differ
      {R"({"type": "ne", "key": "year", "value": "2021"})", true},   // key present, types differ
      {R"({"type": "ne", "key": "author", "value": "bo"})", true},
      {R"({"type": "ne", "key": "author", "value": "ann"})", false},
      {R"({"type": "gt", "key": "year", "value": 2020})", true},
      {R"({"type": "gt", "key": "year", "value": 2021})", false},
      {R"({"type": "gte", "key": "year", "value": 2021})", true},
      {R"({"type": "lt", "key": "score", "value": 0.5})", true},
      {R"({"type": "lte", "key": "score", "value": 0.25})", true},
      {R"({"type": "lt", "key": "score", "value": 0.25})", false},
      {R"({"type": "gt", "key": "author", "value": "al"})", true},   // strings: byte order
      {R"({"type": "lt", "key": "author", "value": "al"})", false},
      {R"({"type": "gt", "key": "author", "value": 5})", false},     // string vs number
      {R"({"type": "eq", "key": "draft", "value": false})", true},
      {R"({"type": "ne", "key": "draft", "value": true})", true},
      {R"({"type": "in", "key": "lang", "value": ["de", "en"]})", true},
      {R"({"type": "in", "key": "lang", "value": ["de", "fr"]})", false},
      {R"({"type": "in", "key": "lang", "value": []})", false},
      {R"({"type": "nin", "key": "lang", "value": ["de", "fr"]})", true},
      {R"({"type": "nin", "key": "lang", "value": ["en"]})", false},
      {R"({"type": "nin", "key": "lang", "value": []})", true},
      {R"({"type": "in", "key": "year", "value": [2020, 2021]})", true},
      // A key the attributes lack never matches, ne and nin included.
      {R"({"type": "eq", "key": "missing", "value": 1})", false},
      {R"({"type": "ne", "key": "missing", "value": 1})", false},
      {R"({"type": "nin", "key": "missing", "value": [1]})", false},
      {R"({"type": "lt", "key": "missing", "value": 1})", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(matches(parse_ok(c.filter), attrs), c.expect) << c.filter;
  }
}

TEST(FilterMatch, CompoundTable) {
  const Attributes attrs = {{"a", 1.0}, {"b", std::string("x")}};
  const MatchCase cases[] = {
      {R"({"type": "and", "filters": [{"type": "eq", "key": "a", "value": 1},
                                      {"type": "eq", "key": "b", "value": "x"}]})", true},
      {R"({"type": "and", "filters": [{"type": "eq", "key": "a", "value": 1},
                                      {"type": "eq", "key": "b", "value": "y"}]})", false},
      {R"({"type": "or", "filters": [{"type": "eq", "key": "a", "value": 2},
                                     {"type": "eq", "key": "b", "value": "x"}]})", true},
      {R"({"type": "or", "filters": [{"type": "eq", "key": "a", "value": 2},
                                     {"type": "eq", "key": "c", "value": "x"}]})", false},
      // Including files without a key takes an explicit or.
      {R"({"type": "or", "filters": [{"type": "ne", "key": "c", "value": 1},
                                     {"type": "nin", "key": "c", "value": []}]})", false},
      {R"({"type": "and", "filters": [{"type": "or", "filters": [
            {"type": "gt", "key": "a", "value": 0}]}]})", true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(matches(parse_ok(c.filter), attrs), c.expect) << c.filter;
  }
  EXPECT_FALSE(matches(parse_ok(R"({"type": "eq", "key": "a", "value": 1})"), Attributes{}));
}

}  // namespace
}  // namespace ondo::rag
