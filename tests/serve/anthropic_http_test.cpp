// POST /v1/messages and /v1/messages/count_tokens over HTTP against the scripted fake
// scheduler: the Message object (text, stop_reason end_turn / max_tokens / stop_sequence,
// usage), tool_use blocks from a generic tool-call wrapper, the event stream's framing and
// order (message_start, ping, content blocks, message_delta, message_stop), a stream cut by
// the request timeout (event: error), count_tokens, and errors in Anthropic's shape (field
// paths, unknown model, wrong method, x-api-key).
#include <gtest/gtest.h>

#include "serve/http_fixture.h"
#include "serve/named_events.h"

namespace ondo::serve {
namespace {

using nlohmann::json;
using testing::Fixture;

json messages_body(json extra = json::object()) {
  json b = {{"model", "fake"}, {"max_tokens", 60}, {"messages", json::array({{{"role", "user"}, {"content", "hi"}}})}};
  for (auto& [k, v] : extra.items()) b[k] = v;
  return b;
}

const json kTools = json::array({{{"name", "f"},
                                  {"description", "a tool"},
                                  {"input_schema", {{"type", "object"}, {"properties", {{"a", {{"type", "integer"}}}}}}}}});

// The events of an Anthropic stream (framing checked by named_events); it has no comment
// lines (its keep-alive is the ping event).
std::vector<json> events_of(const std::string& body) {
  EXPECT_TRUE(body.rfind(":", 0) != 0 && body.find("\n\n:") == std::string::npos) << body;
  return testing::named_events(body);
}

std::vector<std::string> types_of(const std::vector<json>& events) { return testing::event_types(events); }

void expect_anthropic_error(const httplib::Result& r, int status, const std::string& type, const std::string& text) {
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, status) << r->body;
  const json b = json::parse(r->body);
  EXPECT_EQ(b["type"], "error") << r->body;
  EXPECT_EQ(b["error"]["type"], type) << r->body;
  EXPECT_NE(b["error"]["message"].get<std::string>().find(text), std::string::npos) << r->body;
}

TEST(AnthropicHttp, MessageObject) {
  Fixture f("Hello there");
  auto r = f.post("/v1/messages", messages_body({{"system", "be nice"}, {"max_tokens", 20}}));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const json b = json::parse(r->body);
  EXPECT_EQ(b["id"].get<std::string>().rfind("msg_", 0), 0u);
  EXPECT_EQ(b["type"], "message");
  EXPECT_EQ(b["role"], "assistant");
  EXPECT_EQ(b["model"], "fake");
  EXPECT_EQ(b["content"], json::parse(R"([{"type":"text","text":"Hello there"}])"));
  EXPECT_EQ(b["stop_reason"], "end_turn");
  EXPECT_TRUE(b["stop_sequence"].is_null());
  EXPECT_EQ(b["usage"]["output_tokens"], 11);
  EXPECT_GT(b["usage"]["input_tokens"].get<int>() + b["usage"]["cache_read_input_tokens"].get<int>(), 0);
  EXPECT_EQ(b["usage"]["cache_creation_input_tokens"], 0);

  auto cut = f.post("/v1/messages", messages_body({{"max_tokens", 3}}));
  const json c = json::parse(cut->body);
  EXPECT_EQ(c["stop_reason"], "max_tokens");
  EXPECT_EQ(c["content"][0]["text"], "Hel");

  auto stop = f.post("/v1/messages", messages_body({{"stop_sequences", {"zz", "o t", "er"}}}));
  const json s = json::parse(stop->body);
  EXPECT_EQ(s["stop_reason"], "stop_sequence") << stop->body;
  EXPECT_EQ(s["stop_sequence"], "o t");
  EXPECT_EQ(s["content"][0]["text"], "Hell");
}

TEST(AnthropicHttp, ToolUseBlocks) {
  Fixture f(R"({"tool_calls": [{"name": "f", "arguments": {"a": 7}}]})");
  auto r = f.post("/v1/messages", messages_body({{"tools", kTools}, {"tool_choice", {{"type", "any"}}}}));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const json b = json::parse(r->body);
  EXPECT_EQ(b["stop_reason"], "tool_use") << r->body;
  ASSERT_EQ(b["content"].size(), 1u) << r->body;
  const json& call = b["content"][0];
  EXPECT_EQ(call["type"], "tool_use");
  EXPECT_EQ(call["id"].get<std::string>().rfind("toolu_", 0), 0u);
  EXPECT_EQ(call["name"], "f");
  EXPECT_EQ(call["input"], json::parse(R"({"a": 7})"));

  auto s = f.post("/v1/messages", messages_body({{"tools", kTools}, {"tool_choice", {{"type", "any"}}}, {"stream", true}}));
  ASSERT_TRUE(s);
  const std::vector<json> ev = events_of(s->body);
  std::string partial;
  int starts = 0;
  for (const json& e : ev) {
    if (e["type"] == "content_block_start") {
      ++starts;
      EXPECT_EQ(e["content_block"]["type"], "tool_use");
      EXPECT_EQ(e["content_block"]["name"], "f");
      EXPECT_EQ(e["content_block"]["input"], json::object());
    }
    if (e["type"] == "content_block_delta") {
      EXPECT_EQ(e["delta"]["type"], "input_json_delta");
      partial += e["delta"]["partial_json"].get<std::string>();
    }
  }
  EXPECT_EQ(starts, 1);
  EXPECT_EQ(json::parse(partial), json::parse(R"({"a": 7})"));
  EXPECT_EQ(ev[ev.size() - 2]["delta"]["stop_reason"], "tool_use");
}

TEST(AnthropicHttp, StreamEventsInOrder) {
  Fixture f("Hi \xC3\xA9\xE2\x82\xAC!");  // multi-byte characters arrive one byte token at a time
  auto r = f.post("/v1/messages", messages_body({{"stream", true}}));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/event-stream");
  const std::vector<json> ev = events_of(r->body);
  const std::vector<std::string> t = types_of(ev);
  ASSERT_GE(t.size(), 7u);
  const std::vector<std::string> head = {"message_start", "ping", "content_block_start"};
  const std::vector<std::string> tail = {"content_block_stop", "message_delta", "message_stop"};
  EXPECT_EQ(std::vector<std::string>(t.begin(), t.begin() + 3), head);
  EXPECT_EQ(std::vector<std::string>(t.end() - 3, t.end()), tail);
  const json& start = ev[0]["message"];
  EXPECT_EQ(start["id"].get<std::string>().rfind("msg_", 0), 0u);
  EXPECT_TRUE(start["content"].empty());
  EXPECT_TRUE(start["stop_reason"].is_null());
  EXPECT_GT(start["usage"]["input_tokens"].get<int>(), 0);
  EXPECT_EQ(ev[2]["index"], 0);
  EXPECT_EQ(ev[2]["content_block"], json::parse(R"({"type":"text","text":""})"));
  std::string text;
  for (size_t i = 3; i + 3 < ev.size(); ++i) {
    EXPECT_EQ(t[i], "content_block_delta");
    EXPECT_EQ(ev[i]["index"], 0);
    EXPECT_EQ(ev[i]["delta"]["type"], "text_delta");
    text += ev[i]["delta"]["text"].get<std::string>();
  }
  EXPECT_EQ(text, "Hi \xC3\xA9\xE2\x82\xAC!");
  const json& delta = ev[ev.size() - 2];
  EXPECT_EQ(delta["delta"]["stop_reason"], "end_turn");
  EXPECT_TRUE(delta["delta"]["stop_sequence"].is_null());
  EXPECT_EQ(delta["usage"]["output_tokens"], 9);
  EXPECT_EQ(delta["usage"]["input_tokens"].get<int>() + delta["usage"]["cache_read_input_tokens"].get<int>(),
            start["usage"]["input_tokens"].get<int>());

  auto stop = f.post("/v1/messages", messages_body({{"stream", true}, {"stop_sequences", {"\xE2\x82\xAC"}}}));
  const std::vector<json> sev = events_of(stop->body);
  EXPECT_EQ(sev[sev.size() - 2]["delta"]["stop_reason"], "stop_sequence");
  EXPECT_EQ(sev[sev.size() - 2]["delta"]["stop_sequence"], "\xE2\x82\xAC");
}

TEST(AnthropicHttp, StreamCutByTimeoutEndsWithErrorEvent) {
  Fixture f("abcdef", "", true, [](ServerOptions& o) { o.request_timeout_s = 1; });
  f.sched.hold_after = 2;
  auto r = f.post("/v1/messages", messages_body({{"stream", true}}));
  ASSERT_TRUE(r);
  const std::vector<json> ev = events_of(r->body);
  ASSERT_GE(ev.size(), 3u);
  const json& err = ev.back();
  EXPECT_EQ(err["type"], "error");
  EXPECT_FALSE(err["error"]["type"].get<std::string>().empty());
  EXPECT_NE(err["error"]["message"].get<std::string>().find("timed out"), std::string::npos) << err;
}

TEST(AnthropicHttp, CountTokens) {
  Fixture f("x");
  const json msgs = json::array({{{"role", "user"}, {"content", "hello"}}});
  auto a = f.post("/v1/messages/count_tokens", {{"model", "fake"}, {"messages", msgs}});
  ASSERT_TRUE(a);
  ASSERT_EQ(a->status, 200) << a->body;
  const int n = json::parse(a->body)["input_tokens"];
  EXPECT_GT(n, 5);
  auto b = f.post("/v1/messages/count_tokens", {{"model", "fake"}, {"messages", msgs}, {"system", "abc"}});
  EXPECT_GT(json::parse(b->body)["input_tokens"].get<int>(), n);
  // The message route reads the same prompt.
  auto m = json::parse(f.post("/v1/messages", messages_body({{"messages", msgs}}))->body);
  EXPECT_EQ(m["usage"]["input_tokens"].get<int>() + m["usage"]["cache_read_input_tokens"].get<int>(), n);
  expect_anthropic_error(f.post("/v1/messages/count_tokens", {{"model", "nope"}, {"messages", msgs}}), 404,
                         "not_found_error", "model: 'nope' is not served here");
}

TEST(AnthropicHttp, ErrorsInAnthropicShape) {
  Fixture f("x", "k3y");
  const httplib::Headers key = {{"x-api-key", "k3y"}};
  expect_anthropic_error(f.post("/v1/messages", messages_body()), 401, "authentication_error", "missing API key");
  expect_anthropic_error(f.post("/v1/messages", messages_body(), {{"x-api-key", "bad"}}), 401, "authentication_error",
                         "incorrect API key");
  ASSERT_EQ(f.post("/v1/messages", messages_body(), key)->status, 200);
  expect_anthropic_error(f.post("/v1/messages", messages_body({{"model", "nope"}}), key), 404, "not_found_error",
                         "model: 'nope' is not served here");
  json no_max = messages_body();
  no_max.erase("max_tokens");
  expect_anthropic_error(f.post("/v1/messages", no_max, key), 400, "invalid_request_error", "max_tokens: missing");
  expect_anthropic_error(
      f.post("/v1/messages", messages_body({{"messages", json::parse(R"([{"role":"user","content":[{"type":"image","source":{}}]}])")}}), key),
      400, "invalid_request_error", "messages[0].content[0].type: 'image' blocks are not supported");
  // Found by prepare_chat, renamed to the Anthropic field.
  json bad_schema = kTools;
  bad_schema[0]["input_schema"]["properties"]["a"] = {{"not", json::object()}};
  expect_anthropic_error(f.post("/v1/messages", messages_body({{"tools", bad_schema}, {"tool_choice", {{"type", "any"}}}}), key),
                         400, "invalid_request_error", "tools[0].input_schema");
  expect_anthropic_error(f.post("/v1/messages", messages_body({{"max_tokens", 100000}}), key), 400, "invalid_request_error",
                         "max_tokens: 100000 completion tokens");
  auto c = f.client();
  expect_anthropic_error(c.Get("/v1/messages", key), 405, "invalid_request_error", "not allowed");
}

}  // namespace
}  // namespace ondo::serve
