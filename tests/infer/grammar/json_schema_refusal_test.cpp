// compile_json_schema() fails closed: unsupported keywords and values are refused with the
// keyword and its JSON pointer; malformed and unsatisfiable schemas are errors; integer
// ranges accept exactly the integers in range. Layer: tests of infer/grammar.
#include <gtest/gtest.h>

#include "grammar_test_util.h"
#include "ondo/infer/grammar/json_schema.h"

namespace ondo::infer::grammar {
namespace {

std::string refusal(std::string_view schema, ErrorCode code = ErrorCode::Unsupported) {
  auto g = compile_json_schema_text(schema);
  EXPECT_FALSE(g.ok()) << schema;
  if (g.ok()) return "";
  EXPECT_EQ(g.error().code, code) << g.error().message;
  return g.error().message;
}

TEST(JsonSchemaRefusal, KeywordAndPath) {
  EXPECT_EQ(refusal(R"({"type":"object","properties":{"tags":{"type":"object","patternProperties":{"a":{}}}}})"),
            "schema: keyword 'patternProperties' at /properties/tags is not supported");
  EXPECT_EQ(refusal(R"({"type":"array","items":{"type":"number","multipleOf":2}})"),
            "schema: keyword 'multipleOf' at /items is not supported");
  for (const char* kw : {"not", "if", "minProperties", "propertyNames", "contains", "dependentRequired",
                         "unevaluatedProperties", "$anchor"}) {
    const std::string s = std::string(R"({"properties":{"a/b":{")") + kw + R"(":{}}}})";
    EXPECT_EQ(refusal(s), std::string("schema: keyword '") + kw + "' at /properties/a~1b is not supported");
  }
  EXPECT_NE(refusal(R"({"type":"array","uniqueItems":true})").find("'uniqueItems' at /"), std::string::npos);
  EXPECT_NE(refusal(R"({"type":"number","minimum":0.12345678901234567})").find("'minimum' at /"), std::string::npos);
  EXPECT_NE(refusal(R"({"type":"string","format":"hostname"})").find("'format' at /"), std::string::npos);
  EXPECT_NE(refusal(R"({"type":"string","pattern":"^(?=a)b$"})").find("lookaround"), std::string::npos);
  EXPECT_NE(refusal(R"({"type":"string","pattern":"(a)\\1"})").find("backreferences"), std::string::npos);
  EXPECT_NE(refusal(R"({"type":"string","pattern":"a\\bc"})").find("word-boundary"), std::string::npos);
  EXPECT_NE(refusal(R"({"type":"string","pattern":"^a|b$"})").find("top-level '|'"), std::string::npos);
  EXPECT_NE(refusal(R"({"type":"string","pattern":"a","maxLength":3})").find("'maxLength'"), std::string::npos);
  EXPECT_NE(refusal(R"({"$ref":"https://example.com/s.json"})").find("'$ref'"), std::string::npos);
  EXPECT_NE(refusal(R"({"$ref":"#/$defs/missing"})").find("'$ref'"), std::string::npos);
  EXPECT_NE(refusal(R"({"type":"integer","anyOf":[{"minimum":1}]})").find("combined with 'anyOf'"), std::string::npos);
  EXPECT_NE(refusal(R"({"type":"object","properties":{"a":{}},"required":["b"]})").find("'required'"), std::string::npos);
}

TEST(JsonSchemaRefusal, OneOfNeedsDisjointBranches) {
  EXPECT_NE(refusal(R"({"oneOf":[{"type":"integer"},{"type":"number"}]})").find("'oneOf' at /oneOf"), std::string::npos);
  EXPECT_NE(refusal(R"({"oneOf":[{"type":"string"},{"type":"string","maxLength":2}]})").find("overlap"), std::string::npos);
  EXPECT_TRUE(compile_json_schema_text(R"({"oneOf":[{"const":"a"},{"enum":["b","c"]}]})").ok());
  refusal(R"({"oneOf":[{"const":"a"},{"enum":["a","c"]}]})");
}

TEST(JsonSchemaRefusal, AllOfOnlyWhenMergeable) {
  EXPECT_NE(refusal(R"({"allOf":[{"type":"string","maxLength":2},{"maxLength":3}]})").find("'maxLength'"), std::string::npos);
  EXPECT_NE(refusal(R"({"allOf":[{"properties":{"a":{}},"additionalProperties":false},{"properties":{"b":{}}}]})")
                .find("does not declare property 'b'"),
            std::string::npos);
}

TEST(JsonSchemaRefusal, MalformedAndUnsatisfiable) {
  refusal("not json", ErrorCode::InvalidArgument);
  refusal(R"({"type":"strng"})", ErrorCode::InvalidArgument);
  refusal(R"({"type":"string","minLength":5,"maxLength":2})", ErrorCode::InvalidArgument);
  refusal(R"({"type":"integer","minimum":5,"maximum":4})", ErrorCode::InvalidArgument);
  refusal(R"({"type":"array","minItems":3,"items":false})", ErrorCode::InvalidArgument);
  refusal("false", ErrorCode::InvalidArgument);
  refusal(R"({"$ref":"#"})", ErrorCode::InvalidArgument);  // a rule that never finishes
  refusal(R"({"type":"string","maxLength":100000})", ErrorCode::TooLarge);
  SchemaOptions small;
  small.max_grammar_bytes = 200;
  auto g = compile_json_schema_text(R"({"type":"object","properties":{"a":{"type":"string"}}})", small);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code, ErrorCode::TooLarge);
}

// {"$defs": {"a0": {"$ref": "#/$defs/a1"}, ..., "a{n}": {"type": "integer"}}, "$ref": "#/$defs/a0"}
std::string ref_chain(int n) {
  nlohmann::ordered_json defs = nlohmann::ordered_json::object();
  for (int i = 0; i < n; ++i) defs["a" + std::to_string(i)] = {{"$ref", "#/$defs/a" + std::to_string(i + 1)}};
  defs["a" + std::to_string(n)] = {{"type", "integer"}};
  return nlohmann::ordered_json{{"$defs", defs}, {"$ref", "#/$defs/a0"}}.dump();
}

TEST(JsonSchemaDepth, RefChainsCountTowardTheDepthLimit) {
  auto g = compile_json_schema_text(ref_chain(20));
  ASSERT_TRUE(g.ok()) << g.error().message;
  EXPECT_TRUE(testing::accepts(*g, "42"));
  // Each link used to restart the depth count: a 5,000-link chain overflowed the stack.
  for (int n : {70, 5000}) {
    EXPECT_EQ(refusal(ref_chain(n), ErrorCode::TooLarge), "schema: nested deeper than 64 at /$defs/a64") << n;
  }
  // Recursive references still compile (each target once) and nest at run time.
  auto tree = compile_json_schema_text(
      R"({"type":"object","properties":{"kids":{"type":"array","items":{"$ref":"#"}}},"required":["kids"],"additionalProperties":false})");
  ASSERT_TRUE(tree.ok()) << tree.error().message;
  EXPECT_TRUE(testing::accepts(*tree, R"({"kids":[{"kids":[{"kids":[]}]}]})"));
}

TEST(JsonSchemaDepth, DeepDocumentsAreRefusedBeforeAnyRecursiveWalk) {
  // 100,000 nested arrays inside "const": dumping or comparing it would recurse per level.
  const std::string deep = R"({"const":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  EXPECT_EQ(refusal(deep, ErrorCode::TooLarge), "schema: JSON nested deeper than 64 levels (limit max_json_depth)");
  nlohmann::json schema = nlohmann::json::object();  // built without copies (a copy recurses)
  schema["const"] = nlohmann::json::parse(std::string(100000, '[') + std::string(100000, ']'));
  auto g = compile_json_schema(schema);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code, ErrorCode::TooLarge);
  // Within the limit a nested const compiles.
  auto ok = compile_json_schema_text(R"({"const":[[[1]]]})");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_TRUE(testing::accepts(*ok, "[[[1]]]"));
}

TEST(JsonSchemaDepth, ManyOneOfConstantsCompileInLinearTime) {
  // 50,000 distinct constants: the distinctness check compared each with all earlier ones.
  nlohmann::ordered_json branches = nlohmann::ordered_json::array();
  for (int i = 0; i < 50000; ++i) branches.push_back({{"const", "v" + std::to_string(i)}});
  auto g = compile_json_schema(nlohmann::ordered_json{{"oneOf", branches}});
  ASSERT_TRUE(g.ok()) << g.error().message;
  // (Only early constants: a matcher state keeps at most Engine::kMaxStacks parse stacks.)
  EXPECT_TRUE(testing::accepts(*g, "\"v17\""));
  EXPECT_FALSE(testing::accepts(*g, "\"w17\""));
  branches.push_back({{"const", "v7"}});  // a repeated constant: the branches overlap
  auto dup = compile_json_schema(nlohmann::ordered_json{{"oneOf", branches}});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::Unsupported);
}

void expect_exact_range(const std::string& schema, int64_t lo, int64_t hi, int64_t from, int64_t to) {
  auto g = compile_json_schema_text(schema);
  ASSERT_TRUE(g.ok()) << g.error().message;
  for (int64_t v = from; v <= to; ++v) {
    EXPECT_EQ(testing::accepts(*g, std::to_string(v)), v >= lo && v <= hi) << schema << " value " << v;
  }
  EXPECT_FALSE(testing::accepts(*g, "-0"));
  EXPECT_FALSE(testing::accepts(*g, "01"));
}

TEST(JsonSchemaIntegerRange, ExactAroundBounds) {
  expect_exact_range(R"({"type":"integer","minimum":-17,"maximum":1234})", -17, 1234, -1300, 1300);
  expect_exact_range(R"({"type":"integer","exclusiveMinimum":-17,"exclusiveMaximum":1234})", -16, 1233, -40, 1300);
  expect_exact_range(R"({"type":"integer","minimum":100,"maximum":100})", 100, 100, 0, 1000);
  expect_exact_range(R"({"type":"integer","minimum":-1000,"maximum":-999})", -1000, -999, -1100, 10);
  expect_exact_range(R"({"type":"integer","minimum":2.5,"maximum":19.9})", 3, 19, -5, 120);
  expect_exact_range(R"({"type":"integer","minimum":90})", 90, INT64_MAX, -10, 2000);
  expect_exact_range(R"({"type":"integer","maximum":-5})", INT64_MIN, -5, -2000, 50);
  auto big = compile_json_schema_text(R"({"type":"integer","minimum":0})");
  ASSERT_TRUE(big.ok());
  EXPECT_TRUE(testing::accepts(*big, "123456789012345678901234567890"));
}

}  // namespace
}  // namespace ondo::infer::grammar
