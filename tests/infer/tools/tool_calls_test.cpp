// Tool calls: grammars accept exactly conforming calls in each format, the incremental
// parser recovers names and argument text however the output is split, and the format is
// detected from real chat templates (ONDO_TESTDATA/templates).
#include <gtest/gtest.h>

#include <random>

#include "ondo/infer/grammar/grammar.h"
#include "ondo/infer/grammar/matcher.h"
#include "ondo/infer/tools/tool_calls.h"
#include "support/testdata.h"

namespace ondo::infer::tools {
namespace {

using ojson = nlohmann::ordered_json;

std::vector<ToolSpec> weather_tools() {
  ToolSpec w{"get_weather", ojson::parse(R"({"type":"object","properties":{"city":{"type":"string","maxLength":12},
      "unit":{"enum":["c","f"]}},"required":["city"],"additionalProperties":false})")};
  // recursive parameters through their own $defs (rebased under the combined schema)
  ToolSpec t{"tree", ojson::parse(R"({"$defs":{"node":{"type":"object","properties":{"v":{"type":"integer",
      "minimum":0,"maximum":9},"next":{"anyOf":[{"$ref":"#/$defs/node"},{"type":"null"}]}},"required":["v","next"]}},
      "$ref":"#/$defs/node"})")};
  return {w, t};
}

// Whether the grammar accepts `text` as a whole sentence.
bool accepts(const std::string& gbnf, const std::string& text) {
  auto g = grammar::parse_gbnf(gbnf, kToolGrammarRoot);
  EXPECT_TRUE(g.ok()) << (g.ok() ? "" : g.error().message);
  if (!g.ok()) return false;
  auto table = grammar::TokenTable::from_entries({{"a", grammar::TokenTable::Kind::Normal}});
  grammar::Matcher m(*g, table);
  return m.accept_bytes(text).ok() && m.can_stop();
}

TEST(ToolGrammar, GenericAcceptsConformingCallsOnly) {
  auto tools = weather_tools();
  auto req = tool_call_gbnf(tools, ToolMode::Required, ToolFormat::Generic, true);
  ASSERT_TRUE(req.ok()) << req.error().message;
  EXPECT_TRUE(accepts(*req, R"({"tool_calls":[{"name":"get_weather","arguments":{"city":"Seoul"}}]})"));
  EXPECT_TRUE(accepts(*req, R"({"tool_calls":[{"name":"tree","arguments":{"v":1,"next":{"v":2,"next":null}}},{"name":"get_weather","arguments":{"city":"X","unit":"f"}}]})"));
  EXPECT_FALSE(accepts(*req, R"({"tool_calls":[{"name":"get_weather","arguments":{"city":"Seoul","unit":"k"}}]})"));
  EXPECT_FALSE(accepts(*req, R"({"tool_calls":[{"name":"nope","arguments":{}}]})"));
  EXPECT_FALSE(accepts(*req, R"({"tool_calls":[]})"));
  EXPECT_FALSE(accepts(*req, "hello"));
  auto single = tool_call_gbnf(tools, ToolMode::Required, ToolFormat::Generic, false);
  ASSERT_TRUE(single.ok());
  EXPECT_FALSE(accepts(*single, R"({"tool_calls":[{"name":"tree","arguments":{"v":1,"next":null}},{"name":"tree","arguments":{"v":1,"next":null}}]})"));
  auto aut = tool_call_gbnf(tools, ToolMode::Auto, ToolFormat::Generic, true);
  ASSERT_TRUE(aut.ok());
  EXPECT_TRUE(accepts(*aut, "Just text, with {braces} later."));
  EXPECT_TRUE(accepts(*aut, ""));
  // a plain answer may start with "{" (a JSON-speaking model), only not with the call wrapper
  EXPECT_TRUE(accepts(*aut, R"({"not":"a call"})"));
  EXPECT_TRUE(accepts(*aut, R"({"recipe_name": "egg toast"})"));
  EXPECT_TRUE(accepts(*aut, "{"));
  EXPECT_TRUE(accepts(*aut, R"({"tool_call)"));
  EXPECT_FALSE(accepts(*aut, R"({"tool_calls": "text"})"));
  EXPECT_FALSE(accepts(*aut, R"({"tool_calls")"));
  // the JSON of a call: one space after ':' and ',' (the layout templates render) or none;
  // nothing after '{', so the marker {"tool_calls" still decides a call at once
  EXPECT_TRUE(accepts(*req, R"({"tool_calls": [{"name": "get_weather", "arguments": {"city": "Seoul"}}]})"));
  EXPECT_FALSE(accepts(*req, R"({ "tool_calls": [{"name": "get_weather", "arguments": {"city": "Seoul"}}]})"));
  EXPECT_FALSE(accepts(*req, R"({"tool_calls":  [{"name":"get_weather","arguments":{"city":"Seoul"}}]})"));
}

TEST(ToolGrammar, ParallelCallListsEnd) {
  auto tools = weather_tools();
  const std::string call = R"({"name":"tree","arguments":{"v":1,"next":null}})";
  auto list = [&](int n) {
    std::string s = R"({"tool_calls":[)";
    for (int i = 0; i < n; ++i) s += (i ? "," : "") + call;
    return s + "]}";
  };
  auto generic = tool_call_gbnf(tools, ToolMode::Required, ToolFormat::Generic, true);
  ASSERT_TRUE(generic.ok());
  EXPECT_TRUE(accepts(*generic, list(kMaxParallelCalls)));
  EXPECT_FALSE(accepts(*generic, list(kMaxParallelCalls + 1)));
  auto hermes = tool_call_gbnf(tools, ToolMode::Required, ToolFormat::Hermes, true);
  ASSERT_TRUE(hermes.ok());
  auto blocks = [&](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += (i ? "\n" : "") + std::string("<tool_call>\n") + call + "\n</tool_call>";
    return s;
  };
  EXPECT_TRUE(accepts(*hermes, blocks(kMaxParallelCalls)));
  EXPECT_FALSE(accepts(*hermes, blocks(kMaxParallelCalls + 1)));
}

TEST(ToolGrammar, ModelFormats) {
  auto tools = weather_tools();
  auto llama = tool_call_gbnf(tools, ToolMode::Required, ToolFormat::Llama3Json, true);
  ASSERT_TRUE(llama.ok()) << llama.error().message;
  EXPECT_TRUE(accepts(*llama, R"({"name":"get_weather","parameters":{"city":"Seoul"}})"));
  EXPECT_FALSE(accepts(*llama, R"({"name":"get_weather","arguments":{"city":"Seoul"}})"));
  EXPECT_TRUE(accepts(*llama, R"({"name": "get_weather", "parameters": {"city": "Seoul"}})"));  // the template's layout
  EXPECT_FALSE(accepts(*llama, R"({"name" : "get_weather", "parameters": {"city": "Seoul"}})"));
  auto hermes = tool_call_gbnf(tools, ToolMode::Auto, ToolFormat::Hermes, true);
  ASSERT_TRUE(hermes.ok()) << hermes.error().message;
  const std::string call = "<tool_call>\n{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Seoul\"}}\n</tool_call>";
  EXPECT_TRUE(accepts(*hermes, call));
  EXPECT_TRUE(accepts(*hermes, call + "\n" + call));
  EXPECT_TRUE(accepts(*hermes, "No call needed."));
  EXPECT_TRUE(accepts(*hermes, "<b>bold</b>"));  // text may start with "<", not with "<tool_call>"
  EXPECT_FALSE(accepts(*hermes, "<tool_call>oops"));
}

TEST(ToolGrammar, UnsupportedKeywordIsRefused) {
  std::vector<ToolSpec> tools = {{"f", ojson::parse(R"({"type":"object","patternProperties":{"x":{}}})")}};
  auto g = tool_call_gbnf(tools, ToolMode::Required, ToolFormat::Generic, true);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code, ErrorCode::Unsupported);
  EXPECT_NE(g.error().message.find("patternProperties"), std::string::npos) << g.error().message;
}

// Feeds `text` in random pieces; returns the concatenated argument pieces per call.
std::vector<std::string> feed_split(ToolCallParser& p, const std::string& text, uint32_t seed, std::string* content) {
  std::mt19937 rng(seed);
  std::vector<std::string> args;
  for (size_t i = 0; i < text.size();) {
    const size_t n = std::min<size_t>(text.size() - i, 1 + rng() % 7);
    ParseStep s = p.feed(std::string_view(text).substr(i, n));
    *content += s.content;
    for (const auto& piece : s.calls) {
      if (piece.started) EXPECT_EQ(piece.index, args.size());
      if (piece.index >= args.size()) args.resize(piece.index + 1);
      args[piece.index] += piece.arguments;
    }
    i += n;
  }
  return args;
}

TEST(ToolCallParser, RecoversCallsFromAnySplit) {
  struct Case {
    ToolFormat format;
    std::string text;
  };
  const std::vector<Case> cases = {
      {ToolFormat::Generic, R"({"tool_calls": [{"name": "a", "arguments": {"x": "}\"{", "y": [1, {"z": null}]}},
 {"name": "b", "arguments": {}}]})"},
      {ToolFormat::Llama3Json, R"({"name": "a", "parameters": {"x": "}\"{", "y": [1, {"z": null}]}})"},
      {ToolFormat::Hermes, "<tool_call>\n{\"name\": \"a\", \"arguments\": {\"x\": \"}\\\"{\", \"y\": [1, {\"z\": null}]}}\n"
                           "</tool_call>\n<tool_call>\n{\"name\": \"b\", \"arguments\": {}}\n</tool_call>"},
  };
  for (const Case& c : cases) {
    for (uint32_t seed = 0; seed < 20; ++seed) {
      ToolCallParser p(c.format);
      std::string content;
      auto args = feed_split(p, c.text, seed, &content);
      EXPECT_EQ(p.mode(), ToolCallParser::Mode::Calls);
      EXPECT_TRUE(content.empty());
      ASSERT_TRUE(p.calls_complete()) << c.text;
      ASSERT_GE(p.calls().size(), 1u);
      EXPECT_EQ(p.calls()[0].name, "a");
      EXPECT_EQ(p.calls()[0].arguments, R"({"x": "}\"{", "y": [1, {"z": null}]})");
      ASSERT_EQ(args.size(), p.calls().size());
      for (size_t i = 0; i < args.size(); ++i) EXPECT_EQ(args[i], p.calls()[i].arguments);
      if (c.format != ToolFormat::Llama3Json) {
        ASSERT_EQ(p.calls().size(), 2u);
        EXPECT_EQ(p.calls()[1].name, "b");
        EXPECT_EQ(p.calls()[1].arguments, "{}");
      }
    }
  }
}

TEST(ToolCallParser, PlainTextAndIncompleteCalls) {
  ToolCallParser text(ToolFormat::Generic);
  std::string content;
  feed_split(text, "Hello {not a call}", 1, &content);
  EXPECT_EQ(text.mode(), ToolCallParser::Mode::Text);
  EXPECT_EQ(content, "Hello {not a call}");
  EXPECT_FALSE(text.calls_complete());
  ToolCallParser cut(ToolFormat::Generic);
  cut.feed(R"({"tool_calls": [{"name": "a", "arguments": {"x": 1)");
  EXPECT_EQ(cut.mode(), ToolCallParser::Mode::Calls);
  EXPECT_FALSE(cut.calls_complete());
  ToolCallParser hermes_text(ToolFormat::Hermes);
  EXPECT_EQ(hermes_text.feed("{\"a\": 1}").content, "{\"a\": 1}");
}

TEST(ToolCallParser, TextStartingLikeACallIsText) {
  // a JSON answer is text: held back only while it could still become the call wrapper
  for (uint32_t seed = 0; seed < 10; ++seed) {
    ToolCallParser p(ToolFormat::Generic);
    std::string content;
    feed_split(p, R"({"recipe_name":"egg toast","recipes":["toast"]})", seed, &content);
    EXPECT_EQ(p.mode(), ToolCallParser::Mode::Text);
    EXPECT_EQ(content, R"({"recipe_name":"egg toast","recipes":["toast"]})");
    EXPECT_TRUE(p.calls().empty());
  }
  ToolCallParser held(ToolFormat::Generic);
  EXPECT_EQ(held.feed(R"({"tool)").content, "");
  EXPECT_EQ(held.mode(), ToolCallParser::Mode::Undecided);
  EXPECT_EQ(held.finish(), R"({"tool)");  // the output ended there: it was text
  EXPECT_EQ(held.mode(), ToolCallParser::Mode::Text);
  ToolCallParser hermes(ToolFormat::Hermes);
  std::string content;
  feed_split(hermes, "<b>bold</b> text", 3, &content);
  EXPECT_EQ(content, "<b>bold</b> text");
  ToolCallParser call(ToolFormat::Generic);
  EXPECT_EQ(call.feed(R"({"tool_calls":[{"name":"a","arguments":{}}]})").content, "");
  EXPECT_TRUE(call.calls_complete());
  EXPECT_EQ(call.finish(), "");
}

TEST(ToolFormatDetection, RealTemplates) {
  std::string why;
  auto dir = testing::testdata_dir(&why);
  if (!dir) GTEST_SKIP() << why;
  const std::vector<std::pair<std::string, ToolFormat>> cases = {
      {"meta-llama-Llama-3.1-8B-Instruct", ToolFormat::Llama3Json},
      {"meta-llama-Llama-3.2-3B-Instruct", ToolFormat::Llama3Json},
      {"Qwen-Qwen2.5-7B-Instruct", ToolFormat::Hermes},
      {"NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use", ToolFormat::Hermes},
      {"google-gemma-2-2b-it", ToolFormat::Generic},
      {"microsoft-Phi-3.5-mini-instruct", ToolFormat::Generic},
  };
  for (const auto& [name, want] : cases) {
    const auto path = *dir / "templates" / (name + ".jinja");
    if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " missing";
    auto tmpl = text::ChatTemplate::parse(testing::read_file(path), name);
    ASSERT_TRUE(tmpl.ok()) << tmpl.error().message;
    EXPECT_EQ(tool_format_name(detect_tool_format(*tmpl)), tool_format_name(want)) << name;
  }
}

}  // namespace
}  // namespace ondo::infer::tools
