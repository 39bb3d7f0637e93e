// Syntax errors name their line; render errors name the line that raised; every render
// limit (steps, output and intermediate size, recursion, nesting) ends in a clear error;
// one parsed template renders concurrently. Layer: text tests (unit label).
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "ondo/text/chat_template/chat_template.h"

namespace ondo::text {
namespace {

Error parse_error(std::string_view src) {
  auto t = ChatTemplate::parse(src, "t");
  return t.ok() ? Error{} : t.error();
}

Error render_error(std::string_view src, const RenderLimits& lim = {}) {
  auto t = ChatTemplate::parse(src, "t");
  if (!t.ok()) return t.error();
  auto out = t->render(ChatTemplateInputs{}, lim);
  return out.ok() ? Error{ErrorCode::Internal, "rendered: " + *out} : out.error();
}

bool has(const Error& e, std::string_view part) { return e.message.find(part) != std::string::npos; }

TEST(ChatTemplateErrors, SyntaxErrorsNameTheLine) {
  Error e = parse_error("a\nb\n{{ x | nofilter }}");
  EXPECT_EQ(e.code, ErrorCode::InvalidFile);
  EXPECT_TRUE(has(e, "chat template 't': line 3: no filter named 'nofilter'")) << e.message;
  e = parse_error("\n{% foo %}");
  EXPECT_TRUE(has(e, "line 2: unknown tag 'foo'")) << e.message;
  e = parse_error("{% if x %}\n\nno end");
  EXPECT_TRUE(has(e, "line 3: unexpected end of template (expected 'elif' or 'else' or 'endif')"))
      << e.message;
  e = parse_error("\n\n\n{{ 1 + }}");
  EXPECT_TRUE(has(e, "line 4:")) << e.message;
  e = parse_error("{{ x is nosuchtest }}");
  EXPECT_TRUE(has(e, "no test named 'nosuchtest'")) << e.message;
  e = parse_error("{{ 'unterminated }}");
  EXPECT_TRUE(has(e, "line 1:")) << e.message;
  e = parse_error("{% break %}");
  EXPECT_TRUE(has(e, "'break' outside of a loop")) << e.message;
  e = parse_error("{# never closed");
  EXPECT_TRUE(has(e, "missing end of comment tag")) << e.message;
}

TEST(ChatTemplateErrors, RenderErrorsNameTheLine) {
  Error e = render_error("a\n\n{{ raise_exception('boom') }}");
  EXPECT_EQ(e.code, ErrorCode::InvalidArgument);
  EXPECT_EQ(e.message, "chat template 't': line 3: boom");
  e = render_error("{% macro m() %}\n{{ 1 + 'x' }}{% endmacro %}{{ m() }}");
  EXPECT_TRUE(has(e, "line 2: unsupported operand type(s) for +: 'int' and 'str'")) << e.message;
}

TEST(ChatTemplateLimits, Steps) {
  RenderLimits lim;
  lim.max_steps = 100000;
  Error e = render_error("{% for i in range(100000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}", lim);
  EXPECT_EQ(e.code, ErrorCode::ResourceExhausted) << e.message;
  EXPECT_TRUE(has(e, "too many steps")) << e.message;
}

TEST(ChatTemplateLimits, OutputAndIntermediateSize) {
  RenderLimits lim;
  lim.max_output_bytes = 1000;
  Error e = render_error("{% for i in range(1000) %}xxxxxxxxxx{% endfor %}", lim);
  EXPECT_EQ(e.code, ErrorCode::ResourceExhausted) << e.message;
  e = render_error("{% set ns = namespace(s='ab') %}{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}"
                   "{% endfor %}");
  EXPECT_EQ(e.code, ErrorCode::ResourceExhausted) << e.message;
  e = render_error("{{ 'x' * 1000000000000 }}");
  EXPECT_EQ(e.code, ErrorCode::ResourceExhausted) << e.message;
  e = render_error("{{ ([1] * 100000) * 100000 }}");
  EXPECT_EQ(e.code, ErrorCode::ResourceExhausted) << e.message;
}

TEST(ChatTemplateLimits, SharedStructuresAreChargedByTheirSize) {
  // 10^9 leaves through shared sublists: comparing or printing must hit the step limit.
  const std::string build =
      "{% set a = [1] * 1000 %}{% set b = [a] * 1000 %}{% set c = [b] * 1000 %}{{ b|length }}";
  auto t = ChatTemplate::parse(build, "t");
  ASSERT_TRUE(t.ok());
  auto out = t->render(ChatTemplateInputs{});
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(*out, "1000");
  for (const char* use : {"{{ c == c }}", "{{ c }}", "{{ c|tojson|length }}", "{{ 1 in c }}"}) {
    Error e = render_error(build + use);
    EXPECT_EQ(e.code, ErrorCode::ResourceExhausted) << use << ": " << e.message;
  }
}

TEST(ChatTemplateLimits, RecursionAndNesting) {
  Error e = render_error("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}");
  EXPECT_EQ(e.code, ErrorCode::ResourceExhausted) << e.message;
  EXPECT_TRUE(has(e, "recursion too deep")) << e.message;
  e = parse_error("{{ " + std::string(5000, '(') + "1" + std::string(5000, ')') + " }}");
  EXPECT_TRUE(has(e, "nested too deeply")) << e.message;
  std::string chain = "{{ 1";
  for (int i = 0; i < 10000; ++i) chain += " + 1";
  e = parse_error(chain + " }}");
  EXPECT_TRUE(has(e, "expression too deeply nested")) << e.message;
  std::string blocks;
  for (int i = 0; i < 5000; ++i) blocks += "{% if true %}";
  e = parse_error(blocks);
  EXPECT_TRUE(has(e, "nested too deeply")) << e.message;
  e = render_error("{% set ns = namespace(x=[]) %}{% for i in range(1000) %}{% set ns.x = [ns.x] %}"
                   "{% endfor %}");
  EXPECT_TRUE(has(e, "nested too deeply")) << e.message;
}

TEST(ChatTemplateLimits, BadInputs) {
  auto t = ChatTemplate::parse("{{ strftime_now('%Y') }}", "t");
  ASSERT_TRUE(t.ok());
  ChatTemplateInputs in;
  in.date_string = "15/01/2026";
  auto out = t->render(in);
  ASSERT_FALSE(out.ok());
  EXPECT_TRUE(has(out.error(), "seen '15/01/2026', expected YYYY-MM-DD")) << out.error().message;
  in.date_string = "2026-01-15";
  in.messages = nlohmann::ordered_json::array();
  nlohmann::ordered_json deep = 1;
  for (int i = 0; i < 1000; ++i) deep = nlohmann::ordered_json::array({deep});
  in.messages.push_back(deep);
  out = t->render(in);
  ASSERT_FALSE(out.ok());
  EXPECT_TRUE(has(out.error(), "messages: chat template input: JSON nested too deeply")) << out.error().message;
}

TEST(ChatTemplateThreads, ConcurrentRendersAgree) {
  auto t = ChatTemplate::parse(
      "{% for m in messages %}{{ m.role }}: {{ m.content | trim }}{{ loop.index }}\n{% endfor %}"
      "{{ tools | tojson }}",
      "t");
  ASSERT_TRUE(t.ok());
  ChatTemplateInputs in;
  for (int i = 0; i < 50; ++i) in.messages.push_back({{"role", "user"}, {"content", " m" + std::to_string(i)}});
  in.tools = nlohmann::ordered_json::parse(R"([{"type": "function", "function": {"name": "f"}}])");
  const auto expected = t->render(in);
  ASSERT_TRUE(expected.ok());
  std::vector<std::thread> threads;
  std::vector<int> mismatches(8, 0);
  for (int k = 0; k < 8; ++k) {
    threads.emplace_back([&, k] {
      for (int r = 0; r < 50; ++r) {
        auto out = t->render(in);
        if (!out.ok() || *out != *expected) ++mismatches[size_t(k)];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

}  // namespace
}  // namespace ondo::text
