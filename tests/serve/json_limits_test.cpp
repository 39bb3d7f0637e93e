// Bounded request JSON (depth, keys, values; key order and repeated keys as nlohmann's own
// parser), the checked integer conversion, and the request parsers refusing nesting in every
// place a request can carry it.
#include "ondo/serve/json_limits.h"

#include <gtest/gtest.h>

#include <cmath>

#include "ondo/serve/api_types.h"
#include "ondo/serve/error_map.h"

namespace ondo::serve {
namespace {

using json = nlohmann::ordered_json;

std::string nested(int depth, const std::string& open, const std::string& close) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += open;
  for (int i = 0; i < depth; ++i) s += close;
  return s;
}

Result<json> parse(std::string_view text, const JsonLimits& lim = kRequestJsonLimits, int base = 0) {
  JsonBudget b;
  return parse_request_json(text, "body", b, base, lim);
}

TEST(JsonLimits, SameValueAsNlohmann) {
  const std::string text = R"({"b":1,"a":[true,null,"x",-3,18446744073709551615,2.5,{"z":{}}],"c":{"y":[]}})";
  auto v = parse(text);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(*v, json::parse(text));
  EXPECT_EQ(v->dump(), json::parse(text).dump());  // key order kept
  auto dup = parse(R"({"k":1,"j":2,"k":3})");
  ASSERT_TRUE(dup.ok());
  EXPECT_EQ(dup->dump(), json::parse(R"({"k":1,"j":2,"k":3})").dump());  // last value wins, first position
  EXPECT_EQ(parse("7")->get<int>(), 7);
}

TEST(JsonLimits, DepthIsBoundedAtTheLimit) {
  EXPECT_TRUE(parse(nested(64, "[", "]")).ok());
  auto over = parse(nested(65, "[", "]"));
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().message, "body: nested deeper than 64 levels");
  EXPECT_FALSE(parse(nested(1000000, "{\"a\":", "}")).ok());  // refused without recursion
  EXPECT_TRUE(parse(nested(60, "[", "]"), kRequestJsonLimits, 4).ok());
  EXPECT_FALSE(parse(nested(61, "[", "]"), kRequestJsonLimits, 4).ok());  // base depth counts
}

TEST(JsonLimits, KeysAndValuesAreCountedPerRequest) {
  JsonLimits lim;
  lim.max_keys = 3;
  lim.max_values = 6;
  EXPECT_TRUE(parse(R"({"a":1,"b":2,"c":3})", lim).ok());
  auto keys = parse(R"({"a":1,"b":2,"c":3,"d":4})", lim);
  ASSERT_FALSE(keys.ok());
  EXPECT_NE(keys.error().message.find("more than 3 object keys"), std::string::npos);
  auto values = parse("[1,2,3,4,5,6]", lim);  // the array is a value too
  ASSERT_FALSE(values.ok());
  EXPECT_NE(values.error().message.find("more than 6 JSON values"), std::string::npos);
  JsonBudget shared;  // a second parse of the same request continues the count
  EXPECT_TRUE(parse_request_json(R"({"a":1,"b":2})", "body", shared, 0, lim).ok());
  EXPECT_FALSE(parse_request_json(R"({"c":1,"d":2})", "args", shared, 0, lim).ok());
}

TEST(JsonLimits, MalformedAndInvalidUtf8) {
  for (const std::string bad : {"", "{", "[1,]", "{\"a\" 1}", "\"\xff\"", "1 2", "[1]x"}) {
    auto r = parse(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find("body: malformed JSON"), std::string::npos) << r.error().message;
  }
}

TEST(JsonToInt, RangeIsCheckedBeforeConversion) {
  const int64_t lo = std::numeric_limits<int64_t>::min(), hi = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(*json_to_int(json(-9223372036854775807LL - 1), lo, hi, "seed"), lo);
  EXPECT_EQ(*json_to_int(json(-9223372036854775808.0), lo, hi, "seed"), lo);  // -2^63 is exact
  EXPECT_EQ(*json_to_int(json(uint64_t(hi)), lo, hi, "seed"), hi);
  EXPECT_EQ(*json_to_int(json(3.0), 0, 5, "n"), 3);
  for (const json& bad : {json(9223372036854775808.0), json(1e300), json(-1e300), json(uint64_t(1) << 63)}) {
    auto r = json_to_int(bad, lo, hi, "seed");
    ASSERT_FALSE(r.ok()) << bad.dump();
    EXPECT_EQ(r.error().message.rfind("seed: out of range (seen ", 0), 0u) << r.error().message;
  }
  EXPECT_NE(json_to_int(json(2.5), 0, 5, "n").error().message.find("expected an integer (seen 2.5)"), std::string::npos);
  EXPECT_NE(json_to_int(json(INFINITY), 0, 5, "n").error().message.find("expected an integer"), std::string::npos);
  EXPECT_NE(json_to_int(json("1"), 0, 5, "n").error().message.find("(seen string)"), std::string::npos);
  EXPECT_NE(json_to_int(json(6), 0, 5, "n").error().message.find("out of range (seen 6, expected 0 to 5)"),
            std::string::npos);
  EXPECT_FALSE(json_to_int(json(uint64_t(7)), -5, -1, "n").ok());
}

TEST(JsonLimits, RequestParsersRefuseNestingEverywhere) {
  const std::string deep = nested(200, "[", "]");
  const std::string msgs = R"("messages":[{"role":"user","content":"Hi"}])";
  const std::vector<std::string> chats = {
      "{\"model\":\"m\"," + msgs + R"(,"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"a":)" +
          deep + "}}}}",
      "{\"model\":\"m\"," + msgs + R"(,"tools":[{"type":"function","function":{"name":"f","parameters":{"a":)" + deep + "}}}]}",
      R"({"model":"m","messages":[{"role":"user","content":"Hi","extra":)" + deep + "}]}",
      R"({"model":"m","messages":[{"role":"assistant","tool_calls":[{"type":"function","function":{"name":"f","arguments":)" +
          deep + "}}]}]}",
      R"({"model":"m","messages":[{"role":"assistant","tool_calls":[{"type":"function","function":{"name":"f","arguments":")" +
          deep + "\"}}]}]}",
  };
  for (const std::string& body : chats) {
    auto r = parse_chat_request(body);
    ASSERT_FALSE(r.ok()) << body.substr(0, 120);
    EXPECT_NE(r.error().message.find("nested deeper than 64 levels"), std::string::npos) << r.error().message;
  }
  // Arguments as a string sit 6 levels deep: 58 more levels fit, 59 do not.
  auto args = [&](int depth) {
    return R"({"model":"m","messages":[{"role":"assistant","tool_calls":[{"type":"function","function":{"name":"f","arguments":")" +
           nested(depth, "[", "]") + "\"}}]}]}";
  };
  EXPECT_TRUE(parse_chat_request(args(58)).ok()) << parse_chat_request(args(58)).error().message;
  auto r = parse_chat_request(args(59));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(to_api_error(r.error()).param, "messages[0].tool_calls[0].function.arguments");
  auto c = parse_completion_request(R"({"model":"m","prompt":"a","x":)" + deep + "}");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message, "request body: nested deeper than 64 levels");
}

}  // namespace
}  // namespace ondo::serve
