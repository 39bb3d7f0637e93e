// Guardrail policies: parsing (every error names its field path), defaults, and the JSON form
// read back to the same policy.
#include "ondo/serve/guardrails/policy.h"

#include <gtest/gtest.h>

#include "ondo/serve/guardrails/evaluate.h"

namespace ondo::serve::guardrails {
namespace {

using json = nlohmann::json;

TEST(GuardrailPolicy, ParseErrorsNameTheField) {
  const std::pair<std::string, std::string> cases[] = {
      {R"({"name":"p","rules":[{"type":"pii","detector":"ssn","action":"block"}]})", "rules[0].detector"},
      {R"({"name":"p","rules":[{"type":"pii","detector":"email"}]})", "rules[0].action"},
      {R"({"name":"p","rules":[{"type":"regex","action":"flag"}]})", "rules[0].pattern"},
      {R"({"name":"p","rules":[{"type":"max_chars","limit":5,"action":"redact"}]})", "rules[0].action"},
      {R"({"name":"p","rules":[{"type":"max_tokens","limit":5,"action":"block"}]})", "rules[0].stages"},
      {R"({"name":"p","rules":[{"type":"blocklist","words":[],"action":"flag"}]})", "rules[0].words"},
      {R"({"name":"p","rules":[{"type":"pii","detector":"email","action":"flag","reason":"Bad Reason"}]})", "rules[0].reason"},
      {R"({"name":"p","rules":[{"type":"pii","detector":"email","action":"flag","colour":1}]})", "rules[0].colour"},
      {R"({"name":"p","rules":[{"id":"a","type":"pii","detector":"email","action":"flag"},{"id":"a","type":"pii","detector":"card","action":"flag"}]})", "rules[1].id"},
      {R"({"name":"decisions","rules":[]})", "name"},
      {R"({"name":"a b","rules":[]})", "name"},
      {R"({"name":"p"})", "rules"},
  };
  for (const auto& [body, field] : cases) {
    auto p = parse_policy(json::parse(body));
    ASSERT_FALSE(p.ok()) << body;
    EXPECT_EQ(p.error().field, field) << body << " -> " << p.error().message;
    EXPECT_EQ(p.error().message.rfind(field + ":", 0), 0u) << p.error().message;
  }
  auto bad_regex = parse_policy(json::parse(R"({"name":"p","rules":[{"type":"regex","pattern":"(a","action":"flag"}]})"));
  ASSERT_TRUE(bad_regex.ok());
  auto c = CompiledPolicy::compile(*bad_regex);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("rules[0].pattern: invalid regular expression"), std::string::npos) << c.error().message;
}

TEST(GuardrailPolicy, DefaultsAreFilledAndRoundTrip) {
  auto p = parse_policy(json::parse(R"({"name":"p","rules":[{"type":"pii","detector":"kr_rrn","action":"block"},
      {"id":"Secret-Word","type":"regex","pattern":"s3cr3t","action":"redact","stages":["output"]}]})"));
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->rules[0].id, "pii-kr_rrn-0");
  EXPECT_EQ(p->rules[0].reason, "guardrail.pii.kr_rrn");
  EXPECT_EQ(p->rules[1].reason, "guardrail.regex.secret_word");
  EXPECT_EQ(p->rules[1].replacement, "[REDACTED]");
  EXPECT_FALSE(p->rules[1].on_input);
  auto again = parse_policy(policy_json(*p));
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(policy_json(*again), policy_json(*p));
}

}  // namespace
}  // namespace ondo::serve::guardrails
