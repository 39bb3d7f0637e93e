// Responses API request parsing (serve/responses_request.h): data-file cases
// (tests/serve/cases/responses/requests.json: body -> status, error substring, param), the
// translation into chat messages, tools and response_format, the echo fields, error renaming,
// and a seeded mutation fuzz over malformed bodies.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "ondo/serve/error_map.h"
#include "ondo/serve/responses_request.h"
#include "support/mutate_body.h"

namespace ondo::serve {
namespace {

using nlohmann::json;

struct Outcome {
  int status = 200;
  std::string message;
  std::string param;
};

Outcome run(const std::string& body) {
  auto r = parse_responses_request(body);
  if (r.ok()) return {};
  const ApiError e = to_api_error(r.error());
  return {e.status, e.message, e.param};
}

TEST(ResponsesRequest, DataFileCases) {
  const auto path = std::filesystem::path(ONDO_SOURCE_DIR) / "tests" / "serve" / "cases" / "responses" / "requests.json";
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  const json file = json::parse(in);
  int n = 0;
  for (const json& c : file.at("cases")) {
    const std::string name = c.at("name");
    const std::string body = c.contains("raw") ? c.at("raw").get<std::string>() : c.at("body").dump();
    const Outcome o = run(body);
    EXPECT_EQ(o.status, c.at("status").get<int>()) << name << ": " << o.message;
    if (c.contains("error")) EXPECT_NE(o.message.find(c.at("error").get<std::string>()), std::string::npos) << name << ": " << o.message;
    if (c.contains("param")) {
      const std::string want = c.at("param").is_null() ? "" : c.at("param").get<std::string>();
      EXPECT_EQ(o.param, want) << name << ": " << o.message;
      // The message starts with the renamed path, never with a chat path.
      if (!want.empty()) EXPECT_EQ(o.message.rfind(want + ": ", 0), 0u) << name << ": " << o.message;
    }
    ++n;
  }
  EXPECT_GE(n, 50);
}

TEST(ResponsesRequest, ItemsBecomeChatMessages) {
  auto r = parse_responses_request(R"({"model":"m","instructions":"sys","input":[
    {"role":"user","content":[{"type":"input_text","text":"a"},{"type":"input_text","text":"b"}]},
    {"type":"message","role":"assistant","id":"msg_1","status":"completed","content":[{"type":"output_text","text":"let me","annotations":[]}]},
    {"type":"function_call","id":"fc_1","call_id":"c1","name":"f","arguments":"{\"x\":1}","status":"completed"},
    {"type":"function_call","call_id":"c2","name":"g","arguments":"not json"},
    {"type":"function_call_output","call_id":"c1","output":"one"},
    {"type":"function_call_output","call_id":"c2","output":[{"type":"input_text","text":"two"}]},
    {"type":"function_call","call_id":"c3","name":"f","arguments":"{}"}]})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& m = r->chat.messages;
  ASSERT_EQ(m.size(), 6u) << m.dump();
  EXPECT_EQ(m[0]["role"], "system");
  EXPECT_EQ(m[0]["content"], "sys");
  EXPECT_EQ(m[1]["role"], "user");
  EXPECT_EQ(m[1]["content"], "ab");
  // The assistant's text and the calls after it are one assistant message.
  EXPECT_EQ(m[2]["role"], "assistant");
  EXPECT_EQ(m[2]["content"], "let me");
  ASSERT_EQ(m[2]["tool_calls"].size(), 2u);
  EXPECT_EQ(m[2]["tool_calls"][0]["id"], "c1");
  EXPECT_EQ(m[2]["tool_calls"][0]["function"]["name"], "f");
  EXPECT_EQ(m[2]["tool_calls"][0]["function"]["arguments"]["x"], 1);  // JSON arguments become an object for templates
  EXPECT_EQ(m[2]["tool_calls"][1]["function"]["arguments"], "not json");
  EXPECT_EQ(m[3]["role"], "tool");
  EXPECT_EQ(m[3]["tool_call_id"], "c1");
  EXPECT_EQ(m[3]["name"], "f");
  EXPECT_EQ(m[3]["content"], "one");
  EXPECT_EQ(m[4]["content"], "two");
  EXPECT_EQ(m[4]["name"], "g");
  // A call after a tool result starts a new assistant message.
  EXPECT_EQ(m[5]["role"], "assistant");
  EXPECT_EQ(m[5]["content"], "");
  EXPECT_EQ(m[5]["tool_calls"][0]["id"], "c3");
}

TEST(ResponsesRequest, FieldsTranslateAndEcho) {
  auto r = parse_responses_request(R"({"model":"m","input":"hi","max_output_tokens":9,"temperature":0.5,"top_p":0.9,
    "stream":true,"seed":7,"parallel_tool_calls":false,"metadata":{"a":"b"},"user":"u",
    "tools":[{"type":"function","name":"f","description":"d","parameters":{"type":"object","properties":{"q":{"type":"string"}}}},
             {"type":"function","name":"g","strict":false}],
    "tool_choice":{"type":"function","name":"g"}})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const ChatRequest& c = r->chat;
  EXPECT_EQ(c.gen.model, "m");
  EXPECT_EQ(*c.gen.max_tokens, 9);
  EXPECT_FLOAT_EQ(c.gen.sampling.temperature, 0.5f);
  EXPECT_FLOAT_EQ(c.gen.sampling.top_p, 0.9f);
  EXPECT_TRUE(c.gen.stream);
  EXPECT_TRUE(c.gen.seed_given);
  EXPECT_FALSE(c.parallel_tool_calls);
  ASSERT_EQ(c.tool_specs.size(), 2u);
  EXPECT_EQ(c.tool_specs[0].name, "f");
  EXPECT_EQ(c.tools[0]["function"]["description"], "d");
  EXPECT_EQ(c.tool_choice, ToolChoice::Named);
  EXPECT_EQ(c.tool_choice_name, "g");
  EXPECT_EQ(c.messages[0]["role"], "user");
  const auto& e = r->echo;
  EXPECT_EQ(e["max_output_tokens"], 9);
  EXPECT_EQ(e["parallel_tool_calls"], false);
  EXPECT_EQ(e["metadata"]["a"], "b");
  EXPECT_EQ(e["user"], "u");
  EXPECT_EQ(e["tools"][0]["strict"], true);  // the API's default
  EXPECT_EQ(e["tools"][1]["strict"], false);
  EXPECT_EQ(e["tools"][0]["name"], "f");
  EXPECT_EQ(e["tool_choice"]["name"], "g");
  EXPECT_EQ(e["text"]["format"]["type"], "text");
  EXPECT_TRUE(e["instructions"].is_null());

  auto s = parse_responses_request(R"({"model":"m","input":"x","text":{"format":{"type":"json_schema","name":"n",
    "schema":{"type":"object","properties":{"b":{"type":"boolean"}},"required":["b"]},"strict":true}}})");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->chat.gen.constraint.kind, OutputConstraint::Kind::JsonSchema);
  EXPECT_EQ(s->chat.gen.constraint.schema["required"][0], "b");
  EXPECT_EQ(s->echo["text"]["format"]["name"], "n");
  EXPECT_EQ(s->echo["tool_choice"], "auto");
  auto o = parse_responses_request(R"({"model":"m","input":"x","text":{"format":{"type":"json_object"}}})");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->chat.gen.constraint.kind, OutputConstraint::Kind::JsonObject);
}

// llama-server's "lora" as chat completions read it; its errors keep the field's name.
TEST(ResponsesRequest, LoraPicksAdapters) {
  auto r = parse_responses_request(R"({"model":"m","input":"hi","lora":[{"id":0,"scale":0.25},{"name":"b"}]})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->chat.gen.lora.size(), 2u);
  EXPECT_EQ(r->chat.gen.lora[0].id, 0);
  EXPECT_FLOAT_EQ(*r->chat.gen.lora[0].scale, 0.25f);
  EXPECT_EQ(r->chat.gen.lora[1].name, "b");
  auto bad = parse_responses_request(R"({"model":"m","input":"hi","lora":{"name":"b"}})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "lora");
}

// Errors found after parsing (prepare_chat: schema compilation, prompt length) are renamed
// with the request's renames.
TEST(ResponsesRequest, LaterChatErrorsAreRenamed) {
  auto r = parse_responses_request(R"({"model":"m","input":[{"role":"user","content":"x"},
    {"type":"function_call","call_id":"c","name":"f","arguments":"{}"}],
    "tools":[{"type":"function","name":"f"}],"max_output_tokens":5})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const std::pair<std::string, std::string> cases[] = {
      {"tools[0].function.parameters", "tools[0].parameters"},
      {"response_format.json_schema.schema", "text.format.schema"},
      {"max_tokens", "max_output_tokens"},
      {"messages", "input"},
      {"messages[1].tool_calls[0].function.arguments", "input[1].arguments"},
      {"messages[0].content", "input[0].content"},
      {"model", "model"},
      {"max_tokensX", "max_tokensX"},  // not a path under "max_tokens"
  };
  for (const auto& [chat, want] : cases) {
    const Error e = rename_chat_error(r->renames, field_error(ErrorCode::InvalidArgument, chat, "bad"));
    EXPECT_EQ(e.field, want) << chat;
    EXPECT_EQ(e.message, want + ": bad") << chat;
  }
  const Error plain = rename_chat_error(r->renames, make_error(ErrorCode::Internal, "no field"));
  EXPECT_EQ(plain.message, "no field");
  EXPECT_TRUE(plain.field.empty());
  // Instructions and a string input are whole fields.
  auto s = parse_responses_request(R"({"model":"m","instructions":"i","input":"x"})");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(rename_chat_error(s->renames, field_error(ErrorCode::InvalidArgument, "messages[0].content", "b")).field, "instructions");
  EXPECT_EQ(rename_chat_error(s->renames, field_error(ErrorCode::InvalidArgument, "messages[1].content", "b")).field, "input");
}

// Seeded mutations of valid bodies: every one is a value or a 400-class error, never a crash.
TEST(ResponsesRequest, FileSearchToolIsSetAside) {
  auto r = parse_responses_request(R"({"model":"m","input":"milk?","include":["file_search_call.results"],
    "tools":[{"type":"function","name":"f"},{"type":"file_search","vector_store_ids":["vs_a"],"max_num_results":2}]})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(r->file_search.has_value());
  EXPECT_EQ(r->file_search_field, "tools[1]");
  EXPECT_EQ((*r->file_search)["vector_store_ids"][0], "vs_a");
  EXPECT_TRUE(r->include_file_search_results);
  ASSERT_EQ(r->chat.tools.size(), 1u);  // only the function reaches the chat request
  EXPECT_EQ(r->echo["tools"].size(), 2u);
  EXPECT_FALSE(r->echo["tools"][1].contains("strict"));  // strict is a function tool's field
  auto alone = parse_responses_request(R"({"model":"m","input":"x","tools":[{"type":"file_search","vector_store_ids":["v"]}]})");
  ASSERT_TRUE(alone.ok()) << alone.error().message;
  EXPECT_TRUE(alone->file_search.has_value());
  EXPECT_FALSE(alone->include_file_search_results);
  auto none = parse_responses_request(R"({"model":"m","input":"x","tool_choice":"none","tools":[{"type":"file_search","vector_store_ids":["v"]}]})");
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_FALSE(none->file_search.has_value());  // tool_choice none: no tool runs
  const Outcome two = run(R"({"model":"m","input":"x","tools":[{"type":"file_search","vector_store_ids":["v"]},{"type":"file_search","vector_store_ids":["w"]}]})");
  EXPECT_EQ(two.status, 400);
  EXPECT_EQ(two.param, "tools[1]");
  const Outcome web = run(R"({"model":"m","input":"x","tools":[{"type":"web_search"}]})");
  EXPECT_NE(web.status, 200);
  EXPECT_EQ(web.param, "tools[0].type");
}

TEST(ResponsesRequest, MalformedBodiesFuzz) {
  const std::vector<std::string> seeds = {
      R"({"model":"m","input":[{"role":"user","content":[{"type":"input_text","text":"hi"}]},{"type":"function_call","call_id":"c","name":"f","arguments":"{\"a\":[1]}"},{"type":"function_call_output","call_id":"c","output":"2"}]})",
      R"({"model":"m","input":"x","tools":[{"type":"function","name":"f","parameters":{"type":"object"}}],"tool_choice":{"type":"function","name":"f"}})",
      R"({"model":"m","input":"x","instructions":"i","text":{"format":{"type":"json_schema","name":"n","schema":{"type":"object"}}},"max_output_tokens":3})",
  };
  std::mt19937 rng(4321);
  int errors = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string s = testing::mutate_body(seeds, rng, testing::kJsonMutationBytes);
    const Outcome o = run(s);
    EXPECT_TRUE(o.status == 200 || o.status == 400) << o.status << " for " << s;
    errors += o.status != 200;
  }
  EXPECT_GT(errors, 1000);
  EXPECT_EQ(run(std::string(100000, '[') + std::string(100000, ']')).status, 400);
}

}  // namespace
}  // namespace ondo::serve
