// Anthropic Messages request parsing (serve/anthropic_request.h): data-file cases
// (tests/serve/cases/anthropic/requests.json: body -> status, error substring, param), the
// translation into chat messages, tools, tool_choice and generation fields, count_tokens
// bodies, error renaming, and a seeded mutation fuzz over malformed bodies.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "ondo/serve/anthropic_request.h"
#include "ondo/serve/error_map.h"
#include "support/mutate_body.h"

namespace ondo::serve {
namespace {

using nlohmann::json;

struct Outcome {
  int status = 200;
  std::string message;
  std::string param;
};

Outcome run(const std::string& body, AnthropicCall call = AnthropicCall::Messages) {
  auto r = parse_anthropic_request(body, call);
  if (r.ok()) return {};
  const ApiError e = to_api_error(r.error());
  return {e.status, e.message, e.param};
}

AnthropicRequest parse_ok(const std::string& body, AnthropicCall call = AnthropicCall::Messages) {
  auto r = parse_anthropic_request(body, call);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? std::move(*r) : AnthropicRequest{};
}

TEST(AnthropicRequest, DataFileCases) {
  const auto path = std::filesystem::path(ONDO_SOURCE_DIR) / "tests" / "serve" / "cases" / "anthropic" / "requests.json";
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  const json file = json::parse(in);
  int n = 0;
  for (const json& c : file.at("cases")) {
    const std::string name = c.at("name");
    const std::string body = c.contains("raw") ? c.at("raw").get<std::string>() : c.at("body").dump();
    const Outcome o = run(body);
    EXPECT_EQ(o.status, c.at("status").get<int>()) << name << ": " << o.message;
    if (c.contains("error")) {
      EXPECT_NE(o.message.find(c.at("error").get<std::string>()), std::string::npos) << name << ": " << o.message;
    }
    if (c.contains("param")) {
      const std::string want = c.at("param").is_null() ? "" : c.at("param").get<std::string>();
      EXPECT_EQ(o.param, want) << name << ": " << o.message;
      // The message starts with the Anthropic path, never with a chat path.
      if (!want.empty()) {
        EXPECT_EQ(o.message.rfind(want + ": ", 0), 0u) << name << ": " << o.message;
      }
    }
    ++n;
  }
  EXPECT_GE(n, 70);
}

TEST(AnthropicRequest, BlocksBecomeChatMessages) {
  const AnthropicRequest r = parse_ok(R"({"model":"m","max_tokens":8,
    "system":[{"type":"text","text":"rule one"},{"type":"text","text":"rule two"}],
    "messages":[
      {"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},
      {"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"s"},{"type":"text","text":"calling"},
        {"type":"tool_use","id":"toolu_1","name":"f","input":{"x":1}},{"type":"tool_use","id":"toolu_2","name":"g","input":{}}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"3"}]},
        {"type":"tool_result","tool_use_id":"toolu_2","content":"boom","is_error":true},{"type":"text","text":"and?"}]}]})");
  const json want = json::parse(R"([
    {"role":"system","content":"rule one\n\nrule two"},
    {"role":"user","content":"a\n\nb"},
    {"role":"assistant","content":"calling","tool_calls":[
      {"id":"toolu_1","type":"function","function":{"name":"f","arguments":{"x":1}}},
      {"id":"toolu_2","type":"function","function":{"name":"g","arguments":{}}}]},
    {"role":"tool","tool_call_id":"toolu_1","name":"f","content":"3"},
    {"role":"tool","tool_call_id":"toolu_2","name":"g","content":"Error: boom"},
    {"role":"user","content":"and?"}])");
  EXPECT_EQ(json::parse(r.chat.messages.dump()), want) << r.chat.messages.dump(1);
}

TEST(AnthropicRequest, StringSystemAndContent) {
  const AnthropicRequest r = parse_ok(R"({"model":"m","max_tokens":8,"system":"sys","messages":[{"role":"user","content":"hi"}]})");
  EXPECT_EQ(json::parse(r.chat.messages.dump()),
            json::parse(R"([{"role":"system","content":"sys"},{"role":"user","content":"hi"}])"));
  EXPECT_EQ(r.chat.gen.model, "m");
  ASSERT_TRUE(r.chat.gen.max_tokens.has_value());
  EXPECT_EQ(*r.chat.gen.max_tokens, 8);
  EXPECT_FALSE(r.chat.gen.stream);
  EXPECT_TRUE(r.chat.gen.stop.empty());
  EXPECT_TRUE(r.chat.tool_specs.empty());
}

TEST(AnthropicRequest, GenerationFields) {
  const AnthropicRequest r = parse_ok(R"({"model":"m","max_tokens":100,"stream":true,"temperature":0.25,"top_p":0.5,
    "top_k":7,"stop_sequences":["END","\n\n"],"metadata":{"user_id":"u"},"messages":[{"role":"user","content":"x"}]})");
  EXPECT_TRUE(r.chat.gen.stream);
  EXPECT_EQ(*r.chat.gen.max_tokens, 100);
  EXPECT_FLOAT_EQ(r.chat.gen.sampling.temperature, 0.25f);
  EXPECT_FLOAT_EQ(r.chat.gen.sampling.top_p, 0.5f);
  EXPECT_EQ(r.chat.gen.sampling.top_k, 7);
  EXPECT_EQ(r.chat.gen.stop, (std::vector<std::string>{"END", "\n\n"}));
  // More than chat's 4 stop strings are fine here.
  const AnthropicRequest many = parse_ok(R"({"model":"m","max_tokens":1,"stop_sequences":["a","b","c","d","e","f"],
    "messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(many.chat.gen.stop.size(), 6u);
}

// llama-server's "lora" as chat completions read it; its errors keep the field's name.
TEST(AnthropicRequest, LoraPicksAdapters) {
  const AnthropicRequest r = parse_ok(R"({"model":"m","max_tokens":4,"lora":[{"name":"tuned","scale":0.5},{"id":2}],
    "messages":[{"role":"user","content":"x"}]})");
  ASSERT_EQ(r.chat.gen.lora.size(), 2u);
  EXPECT_EQ(r.chat.gen.lora[0].name, "tuned");
  EXPECT_FLOAT_EQ(*r.chat.gen.lora[0].scale, 0.5f);
  EXPECT_EQ(r.chat.gen.lora[1].id, 2);
  EXPECT_FALSE(r.chat.gen.lora[1].scale.has_value());
  const Outcome bad = run(R"({"model":"m","max_tokens":4,"lora":[{"scale":1}],"messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.param, "lora[0]");
}

TEST(AnthropicRequest, ToolsAndToolChoice) {
  const std::string tools = R"("tools":[{"name":"get_weather","description":"Weather","input_schema":{"type":"object",
    "properties":{"city":{"type":"string"}},"required":["city"]},"cache_control":{"type":"ephemeral"}},
    {"type":"custom","name":"t2","input_schema":{"type":"object"}}])";
  auto with_choice = [&](const std::string& choice) {
    return parse_ok(R"({"model":"m","max_tokens":8,"messages":[{"role":"user","content":"x"}],)" + tools +
                    (choice.empty() ? "" : ",\"tool_choice\":" + choice) + "}");
  };
  const AnthropicRequest a = with_choice("");
  ASSERT_EQ(a.chat.tool_specs.size(), 2u);
  EXPECT_EQ(a.chat.tool_specs[0].name, "get_weather");
  EXPECT_EQ(a.chat.tool_specs[0].parameters["required"], json::array({"city"}));
  EXPECT_EQ(a.chat.tools[0]["function"]["description"], "Weather");
  EXPECT_EQ(a.chat.tool_choice, ToolChoice::Auto);
  EXPECT_TRUE(a.chat.parallel_tool_calls);
  EXPECT_EQ(with_choice(R"({"type":"auto"})").chat.tool_choice, ToolChoice::Auto);
  EXPECT_EQ(with_choice(R"({"type":"any"})").chat.tool_choice, ToolChoice::Required);
  EXPECT_EQ(with_choice(R"({"type":"none"})").chat.tool_choice, ToolChoice::None);
  const AnthropicRequest named = with_choice(R"({"type":"tool","name":"t2","disable_parallel_tool_use":true})");
  EXPECT_EQ(named.chat.tool_choice, ToolChoice::Named);
  EXPECT_EQ(named.chat.tool_choice_name, "t2");
  EXPECT_FALSE(named.chat.parallel_tool_calls);
}

TEST(AnthropicRequest, CountTokensBodies) {
  // count_tokens: no max_tokens; a stream flag is ignored.
  const std::string body = R"({"model":"m","system":"s","messages":[{"role":"user","content":"x"}],"stream":true})";
  EXPECT_EQ(run(body, AnthropicCall::CountTokens).status, 200);
  EXPECT_FALSE(parse_ok(body, AnthropicCall::CountTokens).chat.gen.stream);
  EXPECT_FALSE(parse_ok(body, AnthropicCall::CountTokens).chat.gen.max_tokens.has_value());
  EXPECT_EQ(run(body).param, "max_tokens");
  const Outcome bad = run(R"({"model":"m","messages":[{"role":"user","content":[{"type":"image","source":{}}]}]})",
                          AnthropicCall::CountTokens);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.param, "messages[0].content[0].type");
}

TEST(AnthropicRequest, LaterChatErrorsAreRenamed) {
  // prepare_chat reports chat paths (a tool's parameters schema, the template's messages);
  // the renames take them back to the Anthropic request.
  const AnthropicRequest r = parse_ok(R"({"model":"m","max_tokens":8,"system":"s","tools":[{"name":"f","input_schema":{"type":"object"}}],
    "messages":[{"role":"user","content":"x"},{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","input":{}}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":"1"}]}]})");
  auto renamed = [&](const std::string& field) {
    return rename_chat_error(r.renames, field_error(ErrorCode::InvalidArgument, field, "bad"));
  };
  EXPECT_EQ(renamed("tools[0].function.parameters").field, "tools[0].input_schema");
  EXPECT_EQ(renamed("tools[0].function.parameters").message, "tools[0].input_schema: bad");
  EXPECT_EQ(renamed("messages[0].content").field, "system");
  EXPECT_EQ(renamed("messages[2].tool_calls[0].function.arguments").field, "messages[1].content[0].input");
  EXPECT_EQ(renamed("messages[3].content").field, "messages[2].content[0].content");
  EXPECT_EQ(renamed("messages").field, "messages");
  EXPECT_EQ(renamed("max_tokens").field, "max_tokens");
}

TEST(AnthropicRequest, MalformedBodiesFuzz) {
  const std::vector<std::string> seeds = {
      R"({"model":"m","max_tokens":9,"system":[{"type":"text","text":"s"}],"messages":[{"role":"user","content":"x"},{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","input":{"a":[1]}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"text","text":"2"}]}]}]})",
      R"({"model":"m","max_tokens":9,"messages":[{"role":"user","content":"x"}],"tools":[{"name":"f","input_schema":{"type":"object"}}],"tool_choice":{"type":"tool","name":"f"}})",
      R"({"model":"m","max_tokens":9,"messages":[{"role":"user","content":"x"}],"stop_sequences":["a"],"temperature":0.1,"metadata":{"user_id":"u"}})",
  };
  std::mt19937 rng(8642);
  int errors = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string s = testing::mutate_body(seeds, rng, testing::kJsonMutationBytesWithNul);
    const Outcome o = run(s, rng() % 2 ? AnthropicCall::Messages : AnthropicCall::CountTokens);
    EXPECT_TRUE(o.status == 200 || o.status == 400) << o.status << " for " << s;
    errors += o.status != 200;
  }
  EXPECT_GT(errors, 1000);
  EXPECT_EQ(run(std::string(100000, '[') + std::string(100000, ']')).status, 400);
}

}  // namespace
}  // namespace ondo::serve
