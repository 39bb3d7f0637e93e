// Evaluation of policies: block wins, redactions replace
// byte spans (UTF-8 around them intact), flags are recorded, blocklists are whole-word and
// case-insensitive, length limits count characters or tokens.
#include "ondo/serve/guardrails/evaluate.h"

#include <gtest/gtest.h>

namespace ondo::serve::guardrails {
namespace {

using json = nlohmann::json;

std::shared_ptr<const CompiledPolicy> compiled(const std::string& body) {
  auto p = parse_policy(json::parse(body));
  EXPECT_TRUE(p.ok()) << p.error().message;
  if (!p.ok()) return nullptr;
  auto c = CompiledPolicy::compile(*p);
  EXPECT_TRUE(c.ok()) << c.error().message;
  return c.ok() ? *c : nullptr;
}

Evaluation eval(const std::string& body, const std::string& text, Stage stage = Stage::Input) {
  auto c = compiled(body);
  if (!c) return {};
  auto e = evaluate(*c, text, stage);
  EXPECT_TRUE(e.ok()) << e.error().message;
  return e.ok() ? *e : Evaluation{};
}

TEST(GuardrailEvaluate, RedactsEmailsKeepingTheTextAround) {
  const std::string text = "제 메일은 bob@example.com 이고 alice@example.org 도 있어요";
  const Evaluation e = eval(R"({"name":"mail","rules":[{"type":"pii","detector":"email","action":"redact"}]})", text);
  EXPECT_EQ(e.text, "제 메일은 [EMAIL] 이고 [EMAIL] 도 있어요");
  ASSERT_EQ(e.decisions.size(), 2u);
  EXPECT_EQ(e.decisions[0].reason, "guardrail.pii.email");
  EXPECT_EQ(e.decisions[0].action, Action::Redact);
  EXPECT_EQ(text.substr(e.decisions[0].span.begin, e.decisions[0].span.end - e.decisions[0].span.begin), "bob@example.com");
  EXPECT_EQ(e.block(), nullptr);
}

TEST(GuardrailEvaluate, BlockWinsAndLeavesTheTextAlone) {
  const std::string body = R"({"name":"kr","rules":[
      {"type":"pii","detector":"email","action":"redact"},
      {"type":"pii","detector":"kr_rrn","action":"block"}]})";
  const Evaluation e = eval(body, "메일 bob@example.com 주민번호 900101-1234568");
  ASSERT_NE(e.block(), nullptr);
  EXPECT_EQ(e.block()->reason, "guardrail.pii.kr_rrn");
  EXPECT_EQ(e.text, "메일 bob@example.com 주민번호 900101-1234568");
  // The same number with a wrong check digit passes (the e-mail is still redacted).
  const Evaluation ok = eval(body, "메일 bob@example.com 주민번호 900101-1234567");
  EXPECT_EQ(ok.block(), nullptr);
  EXPECT_EQ(ok.text, "메일 [EMAIL] 주민번호 900101-1234567");
}

TEST(GuardrailEvaluate, FlagsAreRecordedOnly) {
  const Evaluation e = eval(R"({"name":"f","rules":[{"type":"pii","detector":"ipv4","action":"flag"}]})",
                            "host 10.1.2.3 up");
  EXPECT_EQ(e.text, "host 10.1.2.3 up");
  ASSERT_EQ(e.decisions.size(), 1u);
  EXPECT_EQ(e.decisions[0].action, Action::Flag);
  EXPECT_EQ(e.decisions[0].span, (Span{5, 13}));
}

TEST(GuardrailEvaluate, BlocklistIsWholeWordAndCaseInsensitive) {
  const std::string body = R"({"name":"b","rules":[{"type":"blocklist","words":["darn","foo bar","바보"],"action":"redact"}]})";
  EXPECT_EQ(eval(body, "Darn it, DARN! darned adarn").text, "[REDACTED] it, [REDACTED]! darned adarn");
  EXPECT_EQ(eval(body, "say FOO   Bar now").text, "say [REDACTED] now");
  EXPECT_EQ(eval(body, "너 바보 아니야, 바보야").text, "너 [REDACTED] 아니야, 바보야");
  EXPECT_EQ(eval(body, "a.b (c) [d]").decisions.size(), 0u);
}

TEST(GuardrailEvaluate, RegexRulesAndStages) {
  const std::string body = R"({"name":"r","rules":[{"type":"regex","pattern":"sk-[A-Za-z0-9]{8,}","action":"redact",
      "replacement":"[KEY]","stages":["output"]}]})";
  EXPECT_EQ(eval(body, "key sk-abcdefgh12 here", Stage::Output).text, "key [KEY] here");
  EXPECT_EQ(eval(body, "key sk-abcdefgh12 here", Stage::Input).text, "key sk-abcdefgh12 here");  // output only
}

TEST(GuardrailEvaluate, LengthLimitsCountCharactersAndTokens) {
  const std::string body = R"({"name":"l","rules":[{"type":"max_chars","limit":5,"action":"block"},
      {"type":"max_tokens","limit":2,"action":"flag","stages":["input"]}]})";
  auto c = compiled(body);
  ASSERT_TRUE(c);
  auto words = [](std::string_view t) { return int64_t(std::count(t.begin(), t.end(), ' ') + 1); };
  auto short_text = evaluate(*c, "한국어다", Stage::Input, words);  // 4 characters, 12 bytes
  ASSERT_TRUE(short_text.ok());
  EXPECT_TRUE(short_text->decisions.empty());
  auto long_text = evaluate(*c, "a b c d e f", Stage::Input, words);
  ASSERT_TRUE(long_text.ok());
  ASSERT_EQ(long_text->decisions.size(), 2u);
  EXPECT_EQ(long_text->block()->reason, "guardrail.length.chars");
  EXPECT_EQ(long_text->decisions[1].reason, "guardrail.length.tokens");
}

TEST(GuardrailEvaluate, OverlappingRedactionsMergeAndInvalidUtf8FailsClosed) {
  const std::string body = R"({"name":"o","rules":[{"type":"pii","detector":"card","action":"redact"},
      {"type":"regex","pattern":"1111 1111","action":"redact","replacement":"[X]"}]})";
  EXPECT_EQ(eval(body, "pay 4111 1111 1111 1111 ok").text, "pay [CARD] ok");
  auto c = compiled(body);
  ASSERT_TRUE(c);
  EXPECT_FALSE(evaluate(*c, "bad \xff utf8", Stage::Input).ok());
}

TEST(GuardrailEvaluate, CatastrophicRegexFailsInsteadOfHanging) {
  auto c = compiled(R"({"name":"x","rules":[{"type":"regex","pattern":"(a+)+$","action":"flag"}]})");
  ASSERT_TRUE(c);
  auto e = evaluate(*c, std::string(40, 'a') + "!", Stage::Input);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("matching failed"), std::string::npos) << e.error().message;
}

}  // namespace
}  // namespace ondo::serve::guardrails
