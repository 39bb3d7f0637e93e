// Depth bounds of chat-template values: request JSON converts up to core::kMaxRequestJsonDepth
// levels and no further (messages, tools, extra keys); values a template builds stop at
// kMaxValueDepth; and at both limits every recursive walk (tojson, repr, str, ==, <, in,
// destruction) runs on a thread with a 1 MB stack, an eighth of an HTTP thread's.
// Layer: text tests (unit label).
#include <gtest/gtest.h>
#include <pthread.h>

#include <functional>
#include <string>

#include "ondo/core/limits.h"
#include "ondo/text/chat_template/chat_template.h"
#include "ondo/text/chat_template/value.h"

namespace ondo::text {
namespace {

// `levels` arrays nested around 1: [[...[1]...]].
nlohmann::ordered_json nested(int levels) {
  return nlohmann::ordered_json::parse(std::string(size_t(levels), '[') + "1" + std::string(size_t(levels), ']'));
}

// Runs `fn` on a thread with a `stack_bytes` stack (a deep recursion there crashes the test).
void on_small_stack(size_t stack_bytes, const std::function<void()>& fn) {
  pthread_attr_t attr;
  ASSERT_EQ(pthread_attr_init(&attr), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&attr, stack_bytes), 0);
  pthread_t t;
  auto thunk = [](void* p) -> void* {
    (*static_cast<const std::function<void()>*>(p))();
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&t, &attr, thunk, const_cast<std::function<void()>*>(&fn)), 0);
  pthread_join(t, nullptr);
  pthread_attr_destroy(&attr);
}

Result<std::string> render(std::string_view src, const ChatTemplateInputs& in) {
  auto t = ChatTemplate::parse(src, "t");
  if (!t.ok()) return t.error();
  return t->render(in);
}

constexpr int kLimit = int(core::kMaxRequestJsonDepth);

TEST(ChatTemplateValueDepth, InputsConvertUpToTheRequestLimit) {
  ChatTemplateInputs in;
  in.messages = nlohmann::ordered_json::array();
  in.messages.push_back(nested(kLimit - 1));  // the messages array adds one level
  auto out = render("{{ messages|tojson|length }}", in);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(*out, std::to_string(2 * kLimit + 1));
  in.messages[0] = nested(kLimit);
  out = render("{{ messages }}", in);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(out.error().message.find("messages: chat template input: JSON nested too deeply (more than 64 levels)"),
            std::string::npos)
      << out.error().message;
  // tools and extra keys go through the same conversion.
  ChatTemplateInputs tools;
  tools.tools = nlohmann::ordered_json::array({nested(kLimit)});
  EXPECT_FALSE(render("{{ tools }}", tools).ok());
  ChatTemplateInputs extra;
  extra.extra_context = {{"deep", nested(kLimit + 1)}};
  EXPECT_FALSE(render("{{ deep }}", extra).ok());
  extra.extra_context = {{"deep", nested(kLimit - 1)}};
  EXPECT_TRUE(render("{{ deep }}", extra).ok());
}

// Every recursive walk over a value of the deepest kind a template may hold.
constexpr const char* kWalks =
    "{{ v|tojson|length }} {{ v|string|length }} {{ (v == v) }} {{ (v < v) }} {{ (v in [v]) }} "
    "{{ v|tojson(indent=1)|length }} {{ (v|list == v|list) }}";

TEST(ChatTemplateValueDepth, WalksAtTheLimitsFitASmallStack) {
  // A built value at kMaxValueDepth - 1 (the literal [v] in the walks adds the last level).
  const std::string build = "{% set ns = namespace(v=1) %}{% for i in range(" + std::to_string(jinja::kMaxValueDepth - 1) +
                            ") %}{% set ns.v = [ns.v] %}{% endfor %}{% set v = ns.v %}";
  ChatTemplateInputs in;
  in.extra_context = {{"inp", nested(kLimit - 1)}};
  std::string built, input;
  on_small_stack(1u << 20, [&] {
    auto a = render(build + kWalks, in);
    built = a.ok() ? *a : a.error().message;
    auto b = render(std::string("{% set v = [inp] %}") + kWalks, in);
    input = b.ok() ? *b : b.error().message;
  });
  // d lists around 1: "[[...1...]]" has 2d + 1 characters; with indent=1, line k of the d
  // opening and d closing lines has k spaces: d^2 + 4d + 1 characters in all.
  const int d = jinja::kMaxValueDepth - 1;
  EXPECT_EQ(built, std::to_string(2 * d + 1) + " " + std::to_string(2 * d + 1) + " True False True " +
                       std::to_string(d * d + 4 * d + 1) + " True")
      << built.substr(0, 300);
  EXPECT_EQ(input.substr(0, 4), std::to_string(2 * kLimit + 1) + " ") << input.substr(0, 300);
  // One more level is refused, not walked.
  auto over = render(build + "{{ [[v]] }}", in);
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.error().message.find("nested too deeply"), std::string::npos) << over.error().message;
}

}  // namespace
}  // namespace ondo::text
