// The prompt registry's pure logic (serve/prompt_registry.h): version and label bodies,
// variables (types, defaults, missing, unknown), rendering through the chat-template engine,
// the merge into a chat body, weighted A/B picks (deterministic and sticky) and the diff.
#include "ondo/serve/prompt_registry.h"

#include <gtest/gtest.h>

#include <map>

namespace ondo::serve {
namespace {

using ojson = nlohmann::ordered_json;

store::PromptVersion make_version(const char* body) {
  auto v = prompt_version_from_json(ojson::parse(body), "translate", 100);
  EXPECT_TRUE(v.ok()) << v.error().message;
  store::PromptVersion out = v.ok() ? *v : store::PromptVersion{};
  out.version = 3;
  return out;
}

constexpr const char* kVersion = R"J({
  "system": "You translate into {{ lang }}{% if formal %}, formally{% endif %}.",
  "messages": [{"role": "user", "content": "{{ text }} (x{{ n * 2 }})"}],
  "variables": {"lang": {"type": "string", "default": "French"}, "text": "string",
                "formal": {"type": "boolean", "default": false}, "n": {"type": "integer", "default": 1},
                "t": {"type": "number", "default": 0.5}},
  "examples": [{"role": "user", "content": "{{ not rendered }}"}, {"role": "assistant", "content": "ok"}],
  "params": {"temperature": 0.1, "max_tokens": 12, "stop": ["\n"]},
  "response_schema": {"type": "object"},
  "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
  "guardrail": "pii", "note": "v3"
})J";

TEST(PromptRegistry, VersionBodyReadsEveryField) {
  const store::PromptVersion v = make_version(kVersion);
  EXPECT_EQ(v.prompt, "translate");
  EXPECT_EQ(v.created_at, 100);
  ASSERT_EQ(v.variables.size(), 5u);
  EXPECT_EQ(v.variables[1].type, "string");  // the short form
  EXPECT_FALSE(v.variables[1].default_json);
  EXPECT_EQ(*v.variables[0].default_json, "\"French\"");
  EXPECT_EQ(v.examples.size(), 2u);
  EXPECT_EQ(v.guardrail, "pii");
  const ojson shown = prompt_version_json(v);
  EXPECT_EQ(shown["variables"]["n"]["default"], 1);
  EXPECT_EQ(shown["params"]["max_tokens"], 12);
  EXPECT_EQ(shown["tools"][0]["function"]["name"], "f");
}

TEST(PromptRegistry, BadVersionBodiesNameTheField) {
  const std::map<std::string, std::string> cases = {
      {R"({"system": "hi {{ x "})", "system"},
      {R"({"messages": [{"role": "robot", "content": "x"}]})", "messages[0].role"},
      {R"({"messages": [{"role": "user", "content": "{% for %}"}]})", "messages[0].content"},
      {R"({"system": "x", "variables": {"a": "float"}})", "variables.a.type"},
      {R"({"system": "x", "variables": {"a": {"type": "integer", "default": "one"}}})", "variables.a.default"},
      {R"({"system": "x", "variables": {"a": {"type": "integer", "default": 1.5}}})", "variables.a.default"},
      {R"({"system": "x", "variables": {"1a": "string"}})", "variables.1a"},
      {R"({"system": "x", "params": {"temperature": "hot"}})", "params.temperature"},
      {R"({"system": "x", "params": {"top_k": 2.5}})", "params.top_k"},
      {R"({"system": "x", "params": {"best_of": 2}})", "params.best_of"},
      {R"({"system": "x", "response_schema": []})", "response_schema"},
      {R"({"system": "x", "tools": {}})", "tools"},
      {R"({"system": "x", "colour": 1})", "colour"},
  };
  for (const auto& [body, field] : cases) {
    auto v = prompt_version_from_json(ojson::parse(body), "p", 1);
    ASSERT_FALSE(v.ok()) << body;
    EXPECT_EQ(v.error().code, ErrorCode::InvalidArgument) << body;
    EXPECT_EQ(v.error().field, field) << body << " -> " << v.error().message;
  }
  EXPECT_FALSE(prompt_version_from_json(ojson::parse("{}"), "p", 1).ok());  // nothing to render
}

TEST(PromptRegistry, NamesAreChecked) {
  EXPECT_TRUE(check_prompt_name("support.triage-v2_x", "name").ok());
  for (const char* bad : {"", "-x", "a b", "a/b", "é"}) {
    auto st = check_prompt_name(bad, "name");
    ASSERT_FALSE(st.ok()) << bad;
    EXPECT_EQ(st.error().field, "name");
  }
  EXPECT_FALSE(check_prompt_name(std::string(129, 'a'), "name").ok());
}

TEST(PromptRegistry, RendersSystemExamplesThenTemplates) {
  const store::PromptVersion v = make_version(kVersion);
  auto r = render_prompt(v, ojson{{"text", "good day"}, {"formal", true}, {"n", 4}}, "prompt");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0], (store::PromptMessage{"system", "You translate into French, formally."}));
  EXPECT_EQ((*r)[1], (store::PromptMessage{"user", "{{ not rendered }}"}));  // examples stay verbatim
  EXPECT_EQ((*r)[2], (store::PromptMessage{"assistant", "ok"}));
  EXPECT_EQ((*r)[3], (store::PromptMessage{"user", "good day (x8)"}));
  // An integral float is an integer.
  auto f = render_prompt(v, ojson{{"text", "a"}, {"n", 2.0}}, "prompt");
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->back().content, "a (x4)");
}

TEST(PromptRegistry, VariableErrorsNameTheVariable) {
  const store::PromptVersion v = make_version(kVersion);
  struct Case {
    ojson vars;
    const char* field;
    const char* words;
  };
  const Case cases[] = {
      {ojson::object(), "prompt.variables.text", "missing"},
      {ojson{{"text", 3}}, "prompt.variables.text", "expected string (seen integer)"},
      {ojson{{"text", "x"}, {"n", 1.5}}, "prompt.variables.n", "expected integer (seen number)"},
      {ojson{{"text", "x"}, {"formal", "yes"}}, "prompt.variables.formal", "expected boolean"},
      {ojson{{"text", "x"}, {"t", "1"}}, "prompt.variables.t", "expected number"},
      {ojson{{"text", "x"}, {"colour", "red"}}, "prompt.variables.colour", "no such variable"},
  };
  for (const Case& c : cases) {
    auto r = render_prompt(v, c.vars, "prompt");
    ASSERT_FALSE(r.ok()) << c.vars.dump();
    EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(r.error().field, c.field) << r.error().message;
    EXPECT_NE(r.error().message.find(c.words), std::string::npos) << r.error().message;
  }
}

TEST(PromptRegistry, TemplatesRunSandboxed) {
  // A template that raises, and one that would run away, are errors, not crashes or hangs.
  auto raising = make_version(R"({"system": "{{ raise_exception('no ' ~ who) }}", "variables": {"who": "string"}})");
  auto r = render_prompt(raising, ojson{{"who", "way"}}, "prompt");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("no way"), std::string::npos) << r.error().message;
  auto big = make_version(R"({"system": "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}"})");
  auto b = render_prompt(big, ojson::object(), "prompt");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, ErrorCode::ResourceExhausted) << b.error().message;
}

TEST(PromptRegistry, AppliesToAChatBodyWhereTheRequestSetsNothing) {
  const store::PromptVersion v = make_version(kVersion);
  const std::vector<store::PromptMessage> rendered = {{"system", "S"}, {"user", "U"}};
  ojson body = ojson::parse(R"({"model": "m", "prompt": {"name": "translate"}, "temperature": 0.9,
                                "max_completion_tokens": 5, "messages": [{"role": "user", "content": "mine"}]})");
  apply_prompt_to_chat(body, v, rendered);
  EXPECT_FALSE(body.contains("prompt"));
  ASSERT_EQ(body["messages"].size(), 3u);
  EXPECT_EQ(body["messages"][0]["content"], "S");
  EXPECT_EQ(body["messages"][2]["content"], "mine");
  EXPECT_EQ(body["temperature"], 0.9);          // the request's own
  EXPECT_FALSE(body.contains("max_tokens"));    // max_completion_tokens counts as set
  EXPECT_EQ(body["stop"], ojson::array({"\n"}));  // the version's default
  EXPECT_EQ(body["response_format"]["type"], "json_schema");
  EXPECT_EQ(body["tools"][0]["function"]["name"], "f");

  ojson own = ojson::parse(R"({"model": "m", "response_format": {"type": "text"}, "tools": [{"type": "function", "function": {"name": "g"}}]})");
  apply_prompt_to_chat(own, v, rendered);
  EXPECT_EQ(own["response_format"]["type"], "text");
  EXPECT_EQ(own["tools"][0]["function"]["name"], "g");
  EXPECT_EQ(own["messages"].size(), 2u);  // no messages of its own: the prompt's only
  EXPECT_EQ(own["max_tokens"], 12);
}

TEST(PromptRegistry, AppliesToAnAnthropicBody) {
  const store::PromptVersion v = make_version(kVersion);
  const std::vector<store::PromptMessage> rendered = {{"system", "S"}, {"user", "U"}, {"assistant", "A"}};
  ojson body = ojson::parse(R"({"model": "m", "prompt": {"name": "t"}, "system": "mine", "top_k": 5,
                                "messages": [{"role": "user", "content": "q"}]})");
  apply_prompt_to_anthropic(body, v, rendered);
  EXPECT_FALSE(body.contains("prompt"));
  EXPECT_EQ(body["system"], "S\n\nmine");
  ASSERT_EQ(body["messages"].size(), 3u);
  EXPECT_EQ(body["messages"][1]["content"], "A");
  EXPECT_EQ(body["messages"][2]["content"], "q");
  EXPECT_EQ(body["max_tokens"], 12);
  EXPECT_EQ(body["temperature"], 0.1);
  EXPECT_EQ(body["top_k"], 5);
  EXPECT_EQ(body["stop_sequences"], ojson::array({"\n"}));
  EXPECT_FALSE(body.contains("response_format"));
  EXPECT_EQ(body["tools"][0], (ojson{{"name", "f"}, {"input_schema", {{"type", "object"}}}}));
  ojson blocks = ojson::parse(R"({"system": [{"type": "text", "text": "mine"}]})");
  apply_prompt_to_anthropic(blocks, v, rendered);
  EXPECT_EQ(blocks["system"][0]["text"], "S");
  EXPECT_EQ(blocks["system"][1]["text"], "mine");
}

TEST(PromptRegistry, WeightedPickIsDeterministicStickyAndFollowsWeights) {
  const store::PromptLabel label{"translate", "production", {{1, 90}, {2, 10}}, 0};
  std::map<int64_t, int> counts;
  for (int i = 0; i < 2000; ++i) {
    const std::string who = "key:k" + std::to_string(i);
    const int64_t v = pick_version(label, who);
    EXPECT_EQ(v, pick_version(label, who));  // sticky
    ++counts[v];
  }
  EXPECT_EQ(counts.size(), 2u);
  EXPECT_GT(counts[1], 1650);  // about 1800 of 2000
  EXPECT_LT(counts[1], 1950);
  // A single target always wins; another prompt name is hashed apart.
  EXPECT_EQ(pick_version({"translate", "p", {{7, 1}}, 0}, "anyone"), 7);
  int differs = 0;
  for (int i = 0; i < 200; ++i) {
    const std::string who = "user:" + std::to_string(i);
    const store::PromptLabel half{"a", "x", {{1, 1}, {2, 1}}, 0}, other{"b", "x", {{1, 1}, {2, 1}}, 0};
    differs += pick_version(half, who) != pick_version(other, who);
  }
  EXPECT_GT(differs, 50);
}

TEST(PromptRegistry, LabelBodies) {
  auto one = label_targets_from_json(ojson::parse(R"({"version": 2})"));
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one, (std::vector<store::LabelTarget>{{2, 1}}));
  auto split = label_targets_from_json(ojson::parse(R"({"versions": [{"version": 1, "weight": 90}, {"version": 2}]})"));
  ASSERT_TRUE(split.ok());
  EXPECT_EQ(*split, (std::vector<store::LabelTarget>{{1, 90}, {2, 1}}));
  for (const char* bad : {R"({})", R"({"version": 0})", R"({"version": 1, "versions": []})", R"({"versions": []})",
                          R"({"versions": [{"version": 1, "weight": 0}]})", R"({"version": "1"})"}) {
    auto r = label_targets_from_json(ojson::parse(bad));
    EXPECT_FALSE(r.ok()) << bad;
  }
}

TEST(PromptRegistry, PromptRefNamesItsFields) {
  auto ok = parse_prompt_ref(ojson::parse(R"({"name": "t", "label": "staging", "variables": {"a": 1}})"), "prompt");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(*ok->label, "staging");
  const std::map<std::string, std::string> cases = {
      {R"("t")", "prompt"},
      {R"({"label": "x"})", "prompt.name"},
      {R"({"name": "t", "label": "a", "version": 1})", "prompt.version"},
      {R"({"name": "t", "version": 0})", "prompt.version"},
      {R"({"name": "t", "variables": [1]})", "prompt.variables"},
      {R"({"name": "t", "vars": {}})", "prompt.vars"},
  };
  for (const auto& [body, field] : cases) {
    auto r = parse_prompt_ref(ojson::parse(body), "prompt");
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().field, field) << r.error().message;
  }
}

TEST(PromptRegistry, DiffShowsChangedLines) {
  store::PromptVersion a = make_version(R"({"system": "line one\nline two", "note": "a"})");
  store::PromptVersion b = make_version(R"({"system": "line one\nline 2", "params": {"temperature": 0}, "note": "a"})");
  const std::string d = diff_prompt_versions(a, b);
  EXPECT_NE(d.find("      line one\n"), std::string::npos) << d;
  EXPECT_NE(d.find("-     line two\n+     line 2\n"), std::string::npos) << d;
  EXPECT_NE(d.find("-     none\n"), std::string::npos) << d;
  EXPECT_NE(d.find("+       \"temperature\": 0\n"), std::string::npos) << d;
  EXPECT_EQ(diff_prompt_versions(a, a).find("\n- "), std::string::npos);
}

}  // namespace
}  // namespace ondo::serve
