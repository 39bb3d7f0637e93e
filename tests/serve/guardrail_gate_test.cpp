// The guardrails' request-path pieces that need no server: a block becomes a 400 whose
// OpenAI error "code" is the reason, and the output guard filters each choice's stream and
// checks a whole answer.
#include "ondo/serve/guardrail_gate.h"

#include <gtest/gtest.h>

#include "ondo/serve/error_map.h"

namespace ondo::serve {
namespace {

namespace gr = guardrails;

gr::PolicySet policies(const std::string& body) {
  auto p = gr::parse_policy(nlohmann::json::parse(body));
  EXPECT_TRUE(p.ok()) << p.error().message;
  auto c = gr::CompiledPolicy::compile(*p);
  EXPECT_TRUE(c.ok()) << c.error().message;
  return {*c};
}

TEST(GuardrailGate, BlockIsA400CarryingTheReasonCode) {
  gr::Decision d{"kr", "rrn", "guardrail.pii.kr_rrn", gr::Action::Block, gr::Stage::Input, {3, 17}};
  const ApiError e = to_api_error(guardrail_error(d, "messages[0].content"));
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(e.type, "invalid_request_error");
  EXPECT_EQ(e.code, "guardrail.pii.kr_rrn");
  EXPECT_EQ(e.param, "messages[0].content");
  EXPECT_EQ(e.message, "guardrail.pii.kr_rrn: the input was blocked by guardrail policy 'kr' (rule 'rrn')");
  // Only an InvalidArgument whose message starts with a reason code gets one.
  EXPECT_EQ(to_api_error(make_error(ErrorCode::Internal, "guardrail.x: boom")).code, "internal_error");
  EXPECT_EQ(to_api_error(make_error(ErrorCode::InvalidArgument, "guardrail.X Y: no")).code, "");
}

TEST(GuardrailGate, OutputGuardFiltersEachChoice) {
  OutputGuard guard(policies(R"({"name":"p","rules":[{"type":"pii","detector":"email","action":"redact",
      "stages":["output"]}]})"), 2);
  ASSERT_TRUE(guard.active());
  std::string sent[2];
  const std::vector<std::pair<size_t, std::string>> pieces = {
      {0, "Mail bo"}, {1, "Hi a"}, {0, "b@exa"}, {1, "@b.example"}, {0, "mple.com now."}, {1, " ok"}};
  for (size_t i = 0; i < pieces.size(); ++i) {
    std::string text = pieces[i].second;
    EXPECT_FALSE(guard.filter(pieces[i].first, text, i >= 4));
    sent[pieces[i].first] += text;
  }
  EXPECT_EQ(sent[0], "Mail [EMAIL] now.");
  EXPECT_EQ(sent[1], "Hi [EMAIL] ok");
  EXPECT_EQ(guard.decisions().size(), 2u);
}

TEST(GuardrailGate, OutputGuardBlocksAndChecksWholeAnswers) {
  const gr::PolicySet set = policies(R"({"name":"p","rules":[{"type":"pii","detector":"kr_rrn","action":"block"},
      {"type":"pii","detector":"card","action":"redact"}]})");
  OutputGuard streamed(set, 1);
  std::string piece = "번호 900101-1234568";
  auto err = streamed.filter(0, piece, true);
  ASSERT_TRUE(err);
  EXPECT_EQ(to_api_error(*err).code, "guardrail.pii.kr_rrn");
  OutputGuard whole(set, 1);
  std::string answer = "card 4111 1111 1111 1111.";
  EXPECT_FALSE(whole.check(answer));
  EXPECT_EQ(answer, "card [CARD].");
  std::string bad = "900101-1234568";
  EXPECT_TRUE(whole.check(bad));
  // Input-only policies leave the output alone.
  OutputGuard none(policies(R"({"name":"i","rules":[{"type":"pii","detector":"email","action":"block","stages":["input"]}]})"), 1);
  EXPECT_FALSE(none.active());
}

}  // namespace
}  // namespace ondo::serve
