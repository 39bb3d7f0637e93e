// POST /v1/responses over HTTP against the scripted fake scheduler: the Response object, the
// event stream's framing and order (every event an "event:" line whose data carries the same
// type and the next sequence number), multi-byte text split over tokens, a stream cut by the
// request timeout (error event, then response.failed), errors found after parsing renamed to
// Responses paths, and GET / DELETE of a response id.
#include <gtest/gtest.h>

#include "serve/http_fixture.h"
#include "serve/named_events.h"

namespace ondo::serve {
namespace {

using nlohmann::json;
using testing::Fixture;

json responses_body(json extra = json::object()) {
  json b = {{"model", "fake"}, {"input", "hi"}};
  for (auto& [k, v] : extra.items()) b[k] = v;
  return b;
}

// The events of a Responses stream (framing checked by named_events), with sequence numbers
// 0, 1, 2, ...
std::vector<json> events_of(const std::string& body) {
  std::vector<json> out = testing::named_events(body);
  for (size_t i = 0; i < out.size(); ++i) EXPECT_EQ(out[i]["sequence_number"], i);
  return out;
}

std::vector<std::string> types_of(const std::vector<json>& events) { return testing::event_types(events); }

TEST(ResponsesHttp, ResponseObject) {
  Fixture f("Hello there");
  auto r = f.post("/v1/responses", responses_body({{"instructions", "be nice"}, {"metadata", {{"k", "v"}}}}));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const json b = json::parse(r->body);
  EXPECT_EQ(b["object"], "response");
  EXPECT_EQ(b["id"].get<std::string>().rfind("resp_", 0), 0u);
  EXPECT_EQ(b["status"], "completed");
  EXPECT_TRUE(b["incomplete_details"].is_null());
  EXPECT_TRUE(b["error"].is_null());
  EXPECT_EQ(b["model"], "fake");
  EXPECT_EQ(b["instructions"], "be nice");
  EXPECT_EQ(b["metadata"]["k"], "v");
  ASSERT_EQ(b["output"].size(), 1u);
  const json& msg = b["output"][0];
  EXPECT_EQ(msg["type"], "message");
  EXPECT_EQ(msg["role"], "assistant");
  EXPECT_EQ(msg["status"], "completed");
  EXPECT_EQ(msg["id"].get<std::string>().rfind("msg_", 0), 0u);
  EXPECT_EQ(msg["content"][0]["type"], "output_text");
  EXPECT_EQ(msg["content"][0]["text"], "Hello there");
  EXPECT_TRUE(msg["content"][0]["annotations"].empty());
  EXPECT_EQ(b["usage"]["output_tokens"], 11);
  EXPECT_GT(b["usage"]["input_tokens"].get<int>(), 0);
  EXPECT_EQ(b["usage"]["total_tokens"], b["usage"]["input_tokens"].get<int>() + 11);
  EXPECT_EQ(b["usage"]["output_tokens_details"]["reasoning_tokens"], 0);
  EXPECT_FALSE(b.contains("output_text"));  // a convenience of the SDKs, not of the API

  auto cut = f.post("/v1/responses", responses_body({{"max_output_tokens", 3}}));
  ASSERT_TRUE(cut);
  const json c = json::parse(cut->body);
  EXPECT_EQ(c["status"], "incomplete");
  EXPECT_EQ(c["incomplete_details"]["reason"], "max_output_tokens");
  EXPECT_EQ(c["output"][0]["status"], "incomplete");
  EXPECT_EQ(c["output"][0]["content"][0]["text"], "Hel");
  EXPECT_EQ(c["max_output_tokens"], 3);
}

TEST(ResponsesHttp, StreamEventsInOrder) {
  Fixture f("Hi \xC3\xA9\xE2\x82\xAC!");  // multi-byte characters arrive one byte token at a time
  auto r = f.post("/v1/responses", responses_body({{"stream", true}}));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/event-stream");
  const std::vector<json> ev = events_of(r->body);
  const std::vector<std::string> t = types_of(ev);
  ASSERT_GE(t.size(), 9u);
  const std::vector<std::string> head = {"response.created", "response.in_progress", "response.output_item.added",
                                         "response.content_part.added"};
  const std::vector<std::string> tail = {"response.output_text.done", "response.content_part.done",
                                         "response.output_item.done", "response.completed"};
  EXPECT_EQ(std::vector<std::string>(t.begin(), t.begin() + 4), head);
  EXPECT_EQ(std::vector<std::string>(t.end() - 4, t.end()), tail);
  std::string text;
  const std::string item_id = ev[2]["item"]["id"];
  for (size_t i = 4; i + 4 < ev.size(); ++i) {
    EXPECT_EQ(t[i], "response.output_text.delta");
    EXPECT_EQ(ev[i]["item_id"], item_id);
    EXPECT_EQ(ev[i]["output_index"], 0);
    EXPECT_EQ(ev[i]["content_index"], 0);
    text += ev[i]["delta"].get<std::string>();
  }
  EXPECT_EQ(text, "Hi \xC3\xA9\xE2\x82\xAC!");
  EXPECT_EQ(ev[ev.size() - 4]["text"], text);
  EXPECT_EQ(ev[0]["response"]["status"], "in_progress");
  EXPECT_TRUE(ev[0]["response"]["output"].empty());
  const json& done = ev.back()["response"];
  EXPECT_EQ(done["id"], ev[0]["response"]["id"]);
  EXPECT_EQ(done["status"], "completed");
  EXPECT_EQ(done["output"][0]["content"][0]["text"], text);
  EXPECT_EQ(done["output"][0]["id"], item_id);
  EXPECT_EQ(done["usage"]["output_tokens"], 9);
}

TEST(ResponsesHttp, StreamCutByTimeoutEndsFailed) {
  Fixture f("abcdef", "", true, [](ServerOptions& o) { o.request_timeout_s = 1; });
  f.sched.hold_after = 2;
  auto r = f.post("/v1/responses", responses_body({{"stream", true}}));
  ASSERT_TRUE(r);
  const std::vector<json> ev = events_of(r->body);
  ASSERT_GE(ev.size(), 4u);
  const json& err = ev[ev.size() - 2];
  EXPECT_EQ(err["type"], "error");
  EXPECT_FALSE(err["message"].get<std::string>().empty());
  const json& failed = ev.back();
  EXPECT_EQ(failed["type"], "response.failed");
  EXPECT_EQ(failed["response"]["status"], "failed");
  EXPECT_EQ(failed["response"]["error"]["code"], "server_error");
  EXPECT_EQ(failed["response"]["output"][0]["content"][0]["text"], "ab");
}

TEST(ResponsesHttp, ErrorsNameResponsesFields) {
  Fixture f("x");
  auto tool = f.post("/v1/responses", responses_body({{"tool_choice", "required"},
      {"tools", json::array({{{"type", "function"}, {"name", "f"},
                              {"parameters", {{"type", "object"}, {"properties", {{"a", {{"not", json::object()}}}}}}}}})}}));
  ASSERT_TRUE(tool);
  EXPECT_EQ(tool->status, 400);
  EXPECT_EQ(json::parse(tool->body)["error"]["param"], "tools[0].parameters") << tool->body;  // found by prepare_chat
  auto model = f.post("/v1/responses", responses_body({{"model", "nope"}}));
  EXPECT_EQ(model->status, 404);
  EXPECT_EQ(json::parse(model->body)["error"]["code"], "model_not_found");
  auto prev = f.post("/v1/responses", responses_body({{"previous_response_id", "resp_1"}}));
  EXPECT_EQ(prev->status, 400);
  EXPECT_EQ(json::parse(prev->body)["error"]["param"], "previous_response_id");
  for (const bool del : {false, true}) {
    auto c = f.client();
    auto g = del ? c.Delete("/v1/responses/resp_abc") : c.Get("/v1/responses/resp_abc");
    ASSERT_TRUE(g);
    EXPECT_EQ(g->status, 404);
    const json e = json::parse(g->body)["error"];
    EXPECT_NE(e["message"].get<std::string>().find("'resp_abc': not found (responses are not stored on this server"),
              std::string::npos) << e;
  }
  EXPECT_EQ(f.client().Post("/v1/responses/resp_abc", "{}", "application/json")->status, 405);
}

}  // namespace
}  // namespace ondo::serve
