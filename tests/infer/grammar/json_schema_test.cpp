// compile_json_schema(): each supported keyword with accepted and rejected instances.
// Layer: tests of infer/grammar.
#include <gtest/gtest.h>

#include "grammar_test_util.h"
#include "ondo/infer/grammar/json_schema.h"

namespace ondo::infer::grammar {
namespace {

using testing::accepts;

std::shared_ptr<const Grammar> schema(std::string_view text) {
  auto g = compile_json_schema_text(text);
  EXPECT_TRUE(g.ok()) << text << ": " << g.error().message;
  return g.ok() ? *g : nullptr;
}

#define ACCEPTS(g, s) EXPECT_TRUE(accepts(g, s)) << (s)
#define REJECTS(g, s) EXPECT_FALSE(accepts(g, s)) << (s)

TEST(JsonSchema, Types) {
  auto s = schema(R"({"type":"string"})");
  ACCEPTS(s, R"("hi \"there\" \u00e9\n")");
  REJECTS(s, R"("bad \x")");
  REJECTS(s, "\"raw\ncontrol\"");
  REJECTS(s, R"("lone \ud800")");
  REJECTS(s, "42");
  auto n = schema(R"({"type":"number"})");
  for (auto ok : {"0", "-1.5", "3e10", "2.25E-3", "-0"}) ACCEPTS(n, ok);
  for (auto bad : {"01", "1.", ".5", "+1", "1e"}) REJECTS(n, bad);
  auto i = schema(R"({"type":"integer"})");
  ACCEPTS(i, "-120");
  REJECTS(i, "1.0e2");
  REJECTS(i, "007");
  auto b = schema(R"({"type":["boolean","null"]})");
  ACCEPTS(b, "true");
  ACCEPTS(b, "null");
  REJECTS(b, "\"true\"");
}

TEST(JsonSchema, AnyValueAndJsonObject) {
  auto any = schema("{}");
  ACCEPTS(any, R"({"a":[1,{"b":null}],"c":"x"})");
  REJECTS(any, "[ ]");  // spaced: a space only after ':' and ','
  ACCEPTS(any, "[]");
  ACCEPTS(any, R"({"a": [1, {"b": null}], "c": "x"})");
  REJECTS(any, R"({"a":  1})");  // at most one space
  REJECTS(any, R"({"a" : 1})");
  REJECTS(any, "{,}");
  auto obj = json_object_grammar();
  ASSERT_NE(obj, nullptr);
  ACCEPTS(obj, R"({"k":[true,false]})");
  ACCEPTS(obj, R"({"k": [true, false]})");
  REJECTS(obj, R"({"k":[true ,false]})");
  REJECTS(obj, "{\"k\":\n[true]}");
  ACCEPTS(obj, "{}");
  REJECTS(obj, "[1]");
  REJECTS(obj, "\"s\"");
}

TEST(JsonSchema, ObjectPropertiesOrderAndRequired) {
  auto g = schema(R"({"type":"object","properties":{"b":{"type":"integer"},"a":{"type":"string"},
      "c":{"type":"boolean"}},"required":["a"]})");
  ACCEPTS(g, R"({"a":"x"})");
  ACCEPTS(g, R"({"b":1,"a":"x"})");
  ACCEPTS(g, R"({"b":1,"a":"x","c":true})");
  REJECTS(g, R"({ "a": "x", "c": false })");  // spaced: nothing after '{' or before '}'
  ACCEPTS(g, R"({"a": "x", "c": false})");      // json.dumps's layout
  REJECTS(g, "{\n  \"a\": \"x\"\n}");
  ACCEPTS(g, R"({"a":"x","c":false})");
  REJECTS(g, R"({"a":"x","b":1})");  // declared order
  REJECTS(g, R"({"b":1})");          // required a
  REJECTS(g, R"({"a":"x","d":1})");  // no extras when additionalProperties is absent
  REJECTS(g, R"({"a":"x",})");
  REJECTS(g, "{\"a\":    \"x\"}");
  SchemaOptions tight;
  tight.layout = JsonLayout::Compact;
  auto compact = compile_json_schema_text(R"({"type":"object","properties":{"a":{"type":"array"}}})", tight);
  ASSERT_TRUE(compact.ok());
  ACCEPTS(*compact, R"({"a":[1,"x"]})");
  REJECTS(*compact, R"({"a": [1,"x"]})");
  REJECTS(*compact, R"({"a":[1, "x"]})");
  SchemaOptions loose;
  loose.layout = JsonLayout::Free;
  auto spaced = compile_json_schema_text(R"({"type":"object","properties":{"a":{"type":"string"}}})", loose);
  ASSERT_TRUE(spaced.ok());
  ACCEPTS(*spaced, R"({ "a": "x" })");
  ACCEPTS(*spaced, "{\n  \"a\": \"x\"\n}");
  REJECTS(*spaced, "{\"a\":    \"x\"}");  // bounded whitespace: at most one space
}

TEST(JsonSchema, AdditionalProperties) {
  auto t = schema(R"({"type":"object","properties":{"id":{"type":"integer"}},"additionalProperties":true})");
  ACCEPTS(t, R"({"id":1,"x":[1]})");
  ACCEPTS(t, R"({"other":"v"})");
  REJECTS(t, R"({"id":1,"id":2})");  // extra keys differ from declared ones
  ACCEPTS(t, R"({"id":1,"idx":2})");
  auto s = schema(R"({"type":"object","properties":{"id":{"type":"integer"}},"additionalProperties":{"type":"string"}})");
  ACCEPTS(s, R"({"id":1,"name":"n"})");
  REJECTS(s, R"({"id":1,"name":2})");
  auto f = schema(R"({"type":"object","additionalProperties":false})");
  ACCEPTS(f, "{}");
  REJECTS(f, R"({"a":1})");
}

TEST(JsonSchema, EnumAndConst) {
  auto e = schema(R"({"enum":["red","green",3,null,{"a":1}]})");
  for (auto ok : {"\"red\"", "3", "null", "{\"a\":1}"}) ACCEPTS(e, ok);
  for (auto bad : {"\"blue\"", "4", "\"re\""}) REJECTS(e, bad);
  auto c = schema(R"({"const":"only"})");
  ACCEPTS(c, "\"only\"");
  REJECTS(c, "\"onl\"");
  auto typed = schema(R"({"type":"string","enum":["a",1]})");
  ACCEPTS(typed, "\"a\"");
  REJECTS(typed, "1");
  // floats with no fractional part count as integers, also far beyond int64's range (the
  // check used to cast them to int64_t, which is undefined there)
  auto ints = schema(R"({"type":"integer","enum":[2.0,2.5,1e300,-1e300]})");
  ACCEPTS(ints, "2.0");
  ACCEPTS(ints, "1e+300");
  ACCEPTS(ints, "-1e+300");
  REJECTS(ints, "2.5");
}

TEST(JsonSchema, Combinators) {
  auto any = schema(R"({"anyOf":[{"type":"integer","minimum":5},{"type":"string","maxLength":1}]})");
  ACCEPTS(any, "7");
  ACCEPTS(any, "\"x\"");
  REJECTS(any, "4");
  REJECTS(any, "\"xy\"");
  auto one = schema(R"({"oneOf":[{"type":"null"},{"type":"array","items":{"type":"integer"}}]})");
  ACCEPTS(one, "null");
  ACCEPTS(one, "[1,2]");
  REJECTS(one, "[\"a\"]");
  auto all = schema(R"({"allOf":[{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]},
      {"properties":{"b":{"type":"string"}},"required":["b"]}]})");
  ACCEPTS(all, R"({"a":1,"b":"x"})");
  REJECTS(all, R"({"a":1})");
}

TEST(JsonSchema, Arrays) {
  auto g = schema(R"({"type":"array","items":{"type":"integer"},"minItems":2,"maxItems":3})");
  REJECTS(g, "[1]");
  ACCEPTS(g, "[1,2]");
  ACCEPTS(g, "[1,2,3]");
  REJECTS(g, "[1,2,3,4]");
  REJECTS(g, "[1,\"a\"]");
  auto p = schema(R"({"type":"array","prefixItems":[{"type":"string"},{"type":"boolean"}],"items":false})");
  ACCEPTS(p, "[]");
  ACCEPTS(p, "[\"a\"]");
  ACCEPTS(p, "[\"a\",true]");
  REJECTS(p, "[\"a\",true,1]");
  REJECTS(p, "[true]");
  auto open = schema(R"({"type":"array","prefixItems":[{"type":"string"}],"minItems":2})");
  ACCEPTS(open, "[\"a\",{}]");
  REJECTS(open, "[\"a\"]");
  auto empty = schema(R"({"type":"array","maxItems":0})");
  ACCEPTS(empty, "[]");
  REJECTS(empty, "[1]");
}

TEST(JsonSchema, StringLengthsCountCodePoints) {
  auto g = schema(R"({"type":"string","minLength":2,"maxLength":3})");
  REJECTS(g, "\"a\"");
  ACCEPTS(g, "\"\xC3\xA9\xE2\x82\xAC\"");  // 2 code points, 5 bytes
  ACCEPTS(g, "\"a\\nb\"");                 // an escape is one character
  REJECTS(g, "\"abcd\"");
}

TEST(JsonSchema, Pattern) {
  auto g = schema(R"({"type":"string","pattern":"^[A-Z]{2}-\\d{3,4}$"})");
  ACCEPTS(g, "\"AB-123\"");
  ACCEPTS(g, "\"AB-1234\"");
  REJECTS(g, "\"AB-12\"");
  REJECTS(g, "\"ab-123\"");
  auto u = schema(R"({"type":"string","pattern":"(cat|dog)s?"})");
  ACCEPTS(u, "\"hotdogs!\"");
  REJECTS(u, "\"bird\"");
  auto q = schema(R"({"type":"string","pattern":"^a\"b\\\\c$"})");
  ACCEPTS(q, R"("a\"b\\c")");
  auto dot = schema(R"({"type":"string","pattern":"^.$"})");
  ACCEPTS(dot, "\"\\t\"");
  REJECTS(dot, "\"\\n\"");
  ACCEPTS(dot, "\"\xE4\xB8\xAD\"");
}

TEST(JsonSchema, Formats) {
  auto d = schema(R"({"type":"string","format":"date"})");
  ACCEPTS(d, "\"2024-02-28\"");
  ACCEPTS(d, "\"2024-12-31\"");
  REJECTS(d, "\"2024-02-30\"");
  REJECTS(d, "\"2024-04-31\"");
  REJECTS(d, "\"2024-13-01\"");
  auto t = schema(R"({"type":"string","format":"time"})");
  ACCEPTS(t, "\"23:59:59Z\"");
  ACCEPTS(t, "\"08:00:00.123+09:00\"");
  REJECTS(t, "\"24:00:00Z\"");
  REJECTS(t, "\"08:00:00\"");
  auto dt = schema(R"({"type":"string","format":"date-time"})");
  ACCEPTS(dt, "\"2026-01-15T10:20:30Z\"");
  REJECTS(dt, "\"2026-01-15 10:20:30Z\"");
  auto id = schema(R"({"type":"string","format":"uuid"})");
  ACCEPTS(id, "\"123e4567-e89b-12d3-a456-426614174000\"");
  REJECTS(id, "\"123e4567e89b12d3a456426614174000\"");
  auto e = schema(R"({"type":"string","format":"email"})");
  ACCEPTS(e, "\"first.last@mail.example.com\"");
  REJECTS(e, "\"no-at-sign.example.com\"");
  REJECTS(e, "\"a@-bad.com\"");
  REJECTS(e, "\"a@b.c\"");
}

TEST(JsonSchema, RecursiveRef) {
  auto g = schema(R"({"$defs":{"node":{"type":"object","properties":{"v":{"type":"integer"},
      "kids":{"type":"array","items":{"$ref":"#/$defs/node"}}},"required":["v"]}},"$ref":"#/$defs/node"})");
  ACCEPTS(g, R"({"v":1,"kids":[{"v":2},{"v":3,"kids":[{"v":4,"kids":[]}]}]})");
  REJECTS(g, R"({"v":1,"kids":[{"w":2}]})");
  auto self = schema(R"({"type":"array","items":{"$ref":"#"}})");
  ACCEPTS(self, "[[],[[]]]");
  REJECTS(self, "[1]");
}

TEST(JsonSchema, AnnotationsAreIgnored) {
  auto g = schema(R"({"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"x","title":"t",
      "description":"d","$comment":"c","examples":[1],"default":2,"deprecated":false,"readOnly":true,
      "writeOnly":false,"type":"integer"})");
  ACCEPTS(g, "5");
}

}  // namespace
}  // namespace ondo::infer::grammar
