// The Ollama API over HTTP against the scripted fake scheduler: blocking bodies, NDJSON
// streams (on by default; every line an object; the last with done, done_reason, counts and
// durations), tool calls with object arguments (blocking and streamed), num_predict, a stream
// cut by the timeout (an {"error"} line), errors in Ollama's shape naming Ollama fields, and
// the model routes (version, tags, show, ps) for a model without a card.
#include <gtest/gtest.h>

#include <regex>

#include "ondo/core/version.h"
#include "serve/http_fixture.h"

namespace ondo::serve {
namespace {

using nlohmann::json;
using testing::FakeScheduler;

// A server with one fake model "fake" (chatml, 2048 positions: room for tool definitions).
struct OllamaFixture {
  explicit OllamaFixture(const std::string& script, int timeout_s = 600)
      : tok(testing::byte_tokenizer()), sched(testing::byte_ids(script), 2048) {
    std::signal(SIGPIPE, SIG_IGN);
    ServerOptions o;
    o.port = 0;
    o.access_log = false;
    o.request_timeout_s = timeout_s;
    server = Server::create(o).value();
    EXPECT_TRUE(server->start().ok());
    auto t = text::ChatTemplate::parse(*text::builtin_chat_template("chatml"), "chatml");
    EXPECT_TRUE(t.ok());
    ServedModel m;
    m.alias = "fake";
    m.tokenizer = tok.get();
    m.chat_template = std::make_shared<const text::ChatTemplate>(*t);
    m.scheduler = &sched;
    m.created = 1700000000;
    server->set_models({m});
  }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", server->port());
    c.set_read_timeout(30, 0);
    return c;
  }
  httplib::Result post(const std::string& path, const json& body) const {
    return client().Post(path.c_str(), body.dump(), "application/json");
  }
  std::unique_ptr<text::Tokenizer> tok;
  FakeScheduler sched;
  std::unique_ptr<Server> server;
};

// The NDJSON lines of a body, each parsed (a line that is not JSON fails the test).
std::vector<json> lines_of(const std::string& body) {
  std::vector<json> out;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t end = body.find('\n', pos);
    EXPECT_NE(end, std::string::npos) << "unterminated line";
    if (end == std::string::npos) end = body.size();
    const std::string l = body.substr(pos, end - pos);
    pos = end + 1;
    EXPECT_FALSE(l.empty()) << "blank line";
    json j = json::parse(l, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << l;
    out.push_back(std::move(j));
  }
  return out;
}

void expect_final(const json& j, int eval_count, const std::string& reason) {
  EXPECT_EQ(j["done"], true);
  EXPECT_EQ(j["done_reason"], reason);
  EXPECT_EQ(j["eval_count"], eval_count);
  EXPECT_GT(j["prompt_eval_count"].get<int>(), 0);
  for (const char* k : {"total_duration", "load_duration", "prompt_eval_duration", "eval_duration"}) {
    ASSERT_TRUE(j[k].is_number_integer()) << k << " " << j.dump();
    EXPECT_GE(j[k].get<int64_t>(), 0) << k;
  }
  EXPECT_GT(j["total_duration"].get<int64_t>(), 0);
  EXPECT_TRUE(std::regex_match(j["created_at"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z)"))) << j["created_at"];
}

TEST(OllamaHttp, GenerateBlocking) {
  OllamaFixture f("Hello there");
  auto r = f.post("/api/generate", {{"model", "fake"}, {"prompt", "hi"}, {"stream", false}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  const json b = json::parse(r->body);
  EXPECT_EQ(b["model"], "fake");
  EXPECT_EQ(b["response"], "Hello there");
  expect_final(b, 11, "stop");
  EXPECT_FALSE(b.contains("context"));
}

TEST(OllamaHttp, StreamIsTheDefaultAndNdjson) {
  OllamaFixture f("Hi \xC3\xA9\xE2\x82\xAC!");  // multi-byte characters arrive one byte token at a time
  auto r = f.post("/api/chat", {{"model", "fake:latest"}, {"messages", json::array({{{"role", "user"}, {"content", "hi"}}})}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/x-ndjson");
  const std::vector<json> lines = lines_of(r->body);
  ASSERT_GE(lines.size(), 3u);
  std::string text;
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    EXPECT_EQ(lines[i]["done"], false);
    EXPECT_EQ(lines[i]["model"], "fake:latest");  // the name the client sent
    EXPECT_EQ(lines[i]["message"]["role"], "assistant");
    text += lines[i]["message"]["content"].get<std::string>();
  }
  EXPECT_EQ(text, "Hi \xC3\xA9\xE2\x82\xAC!");
  expect_final(lines.back(), 9, "stop");
  EXPECT_EQ(lines.back()["message"]["content"], "");
}

TEST(OllamaHttp, NumPredictEndsWithLength) {
  OllamaFixture f("Hello there");
  auto r = f.post("/api/generate", {{"model", "fake"}, {"prompt", "hi"}, {"stream", false}, {"options", {{"num_predict", 3}}}});
  ASSERT_TRUE(r);
  const json b = json::parse(r->body);
  EXPECT_EQ(b["response"], "Hel");
  expect_final(b, 3, "length");
  EXPECT_EQ(f.sched.last()->request().max_tokens, 3);
}

TEST(OllamaHttp, RawPromptSkipsTheTemplate) {
  OllamaFixture f("ok");
  auto raw = f.post("/api/generate", {{"model", "fake"}, {"prompt", "abc"}, {"raw", true}, {"stream", false}});
  ASSERT_TRUE(raw);
  ASSERT_EQ(raw->status, 200) << raw->body;
  const auto raw_prompt = f.sched.last()->request().prompt;
  auto templated = f.post("/api/generate", {{"model", "fake"}, {"prompt", "abc"}, {"system", "s"}, {"stream", false}});
  ASSERT_EQ(templated->status, 200) << templated->body;
  EXPECT_LT(raw_prompt.size(), f.sched.last()->request().prompt.size());
  EXPECT_EQ(json::parse(raw->body)["prompt_eval_count"], raw_prompt.size());
}

const json kTools = json::array({{{"type", "function"},
                                  {"function", {{"name", "get_weather"},
                                                {"parameters", {{"type", "object"},
                                                                {"properties", {{"city", {{"type", "string"}}}}},
                                                                {"required", {"city"}}}}}}}});
const char* kCall = R"({"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]})";

TEST(OllamaHttp, ToolCallsHaveObjectArguments) {
  OllamaFixture f(kCall);
  const json body = {{"model", "fake"}, {"tools", kTools}, {"messages", json::array({{{"role", "user"}, {"content", "weather?"}}})}};
  json blocking = body;
  blocking["stream"] = false;
  auto r = f.post("/api/chat", blocking);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const json b = json::parse(r->body);
  EXPECT_EQ(b["message"]["content"], "");
  ASSERT_EQ(b["message"]["tool_calls"].size(), 1u) << b.dump();
  const json& call = b["message"]["tool_calls"][0];
  EXPECT_EQ(call["function"]["name"], "get_weather");
  EXPECT_EQ(call["function"]["arguments"], json({{"city", "Paris"}}));  // an object, not a string
  EXPECT_EQ(b["done_reason"], "stop");

  auto s = f.post("/api/chat", body);
  ASSERT_TRUE(s);
  const std::vector<json> lines = lines_of(s->body);
  ASSERT_EQ(lines.size(), 2u) << s->body;  // the calls in one line, then the last
  EXPECT_EQ(lines[0]["done"], false);
  EXPECT_EQ(lines[0]["message"]["tool_calls"], b["message"]["tool_calls"]);
  expect_final(lines[1], int(std::string(kCall).size()), "stop");

  // The call and its result go back in Ollama's shape.
  json turn2 = blocking;
  turn2["messages"].push_back(b["message"]);
  turn2["messages"].push_back({{"role", "tool"}, {"content", "sunny"}, {"tool_name", "get_weather"}});
  auto r2 = f.post("/api/chat", turn2);
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 200) << r2->body;
}

TEST(OllamaHttp, StreamCutByTimeoutEndsWithAnErrorLine) {
  OllamaFixture f("abcdef", 1);
  f.sched.hold_after = 2;
  auto r = f.post("/api/generate", {{"model", "fake"}, {"prompt", "hi"}});
  ASSERT_TRUE(r);
  const std::vector<json> lines = lines_of(r->body);
  ASSERT_GE(lines.size(), 2u) << r->body;
  const json& last = lines.back();
  ASSERT_TRUE(last.contains("error")) << last.dump();
  EXPECT_EQ(last.size(), 1u);
  EXPECT_FALSE(last["error"].get<std::string>().empty());
  EXPECT_EQ(lines[0]["response"].get<std::string>() + lines[1]["response"].get<std::string>(), "ab");
}

// {"error": "<field>: ..."} and the status.
void expect_refused(const httplib::Result& r, int status, const std::string& field) {
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, status) << r->body;
  const json b = json::parse(r->body, nullptr, false);
  ASSERT_TRUE(b.is_object()) << r->body;
  EXPECT_EQ(b.size(), 1u) << r->body;
  ASSERT_TRUE(b["error"].is_string()) << r->body;
  EXPECT_EQ(b["error"].get<std::string>().rfind(field + ": ", 0), 0u) << r->body;
}

TEST(OllamaHttp, ErrorsInOllamasShape) {
  OllamaFixture f("x");
  const json msgs = json::array({{{"role", "user"}, {"content", "hi"}}});
  expect_refused(f.post("/api/generate", {{"model", "nope"}, {"prompt", "hi"}}), 404, "model");
  expect_refused(f.post("/api/chat", {{"model", "nope"}, {"messages", msgs}}), 404, "model");
  expect_refused(f.post("/api/show", {{"model", "nope"}}), 404, "model");
  expect_refused(f.post("/api/generate", {{"model", "fake"}, {"prompt", "hi"}, {"options", {{"top_p", 3}}}}), 400, "options.top_p");
  expect_refused(f.post("/api/generate", {{"model", "fake"}, {"prompt", "hi"}, {"suffix", "x"}}), 400, "suffix");
  expect_refused(f.post("/api/chat", {{"model", "fake"}, {"messages", msgs}, {"format", {{"type", "object"}, {"properties", {{"a", {{"not", json::object()}}}}}}}}),
                 400, "format");
  expect_refused(f.post("/api/generate", {{"model", "fake"}, {"prompt", std::string(3000, 'a')}}), 400, "prompt");
  expect_refused(f.post("/api/generate", {{"model", "fake"}, {"prompt", "hi"}, {"options", {{"num_predict", 4000}}}}), 400,
                 "options.num_predict");
  auto bad = f.client().Post("/api/chat", "{not json", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_TRUE(json::parse(bad->body)["error"].is_string()) << bad->body;
  auto method = f.client().Get("/api/chat");
  ASSERT_TRUE(method);
  EXPECT_EQ(method->status, 405);
  EXPECT_TRUE(json::parse(method->body)["error"].is_string()) << method->body;
}

TEST(OllamaHttp, LoadRequestsAnswerAtOnce) {
  OllamaFixture f("x");
  auto g = f.post("/api/generate", {{"model", "fake"}});
  ASSERT_TRUE(g);
  const json b = json::parse(g->body);
  EXPECT_EQ(b["done"], true);
  EXPECT_EQ(b["done_reason"], "load");
  EXPECT_EQ(b["response"], "");
  auto c = f.post("/api/chat", {{"model", "fake"}, {"messages", json::array()}});
  EXPECT_EQ(json::parse(c->body)["message"]["role"], "assistant");
  EXPECT_TRUE(f.sched.handles.empty());  // nothing was generated
}

TEST(OllamaHttp, ModelRoutes) {
  OllamaFixture f("x");
  auto v = f.client().Get("/api/version");
  ASSERT_TRUE(v);
  EXPECT_EQ(json::parse(v->body), json({{"version", ondo_version()}}));

  auto t = f.client().Get("/api/tags");
  ASSERT_TRUE(t);
  const json tags = json::parse(t->body);
  ASSERT_EQ(tags["models"].size(), 1u);
  const json& m = tags["models"][0];
  EXPECT_EQ(m["name"], "fake:latest");
  EXPECT_EQ(m["model"], "fake:latest");
  EXPECT_EQ(m["modified_at"], "2023-11-14T22:13:20Z");  // no card: the publication time
  EXPECT_EQ(m["details"]["format"], "gguf");
  for (const char* k : {"size", "digest"}) EXPECT_TRUE(m.contains(k)) << k;

  auto s = f.post("/api/show", {{"model", "fake:latest"}});
  ASSERT_TRUE(s);
  ASSERT_EQ(s->status, 200) << s->body;
  const json show = json::parse(s->body);
  EXPECT_EQ(show["capabilities"], json::array({"completion"}));
  EXPECT_TRUE(show["model_info"].is_object());
  EXPECT_EQ(show["details"]["format"], "gguf");
  EXPECT_NE(show["parameters"].get<std::string>().find("num_ctx 2048"), std::string::npos) << show["parameters"];

  auto p = f.client().Get("/api/ps");
  ASSERT_TRUE(p);
  const json ps = json::parse(p->body);
  ASSERT_EQ(ps["models"].size(), 1u);
  EXPECT_EQ(ps["models"][0]["name"], "fake:latest");
  EXPECT_EQ(ps["models"][0]["expires_at"], "9999-12-31T23:59:59Z");
  EXPECT_EQ(ps["models"][0]["context_length"], 2048);
}

}  // namespace
}  // namespace ondo::serve
