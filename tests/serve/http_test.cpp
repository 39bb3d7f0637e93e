// The HTTP server in-process over a scripted FakeScheduler, driven with cpp-httplib's
// client and a raw socket: response shapes, SSE framing, stop strings, UTF-8, logprobs,
// limits, errors, auth, readiness and cancellation on disconnect.
#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

#include "ondo/serve/server.h"
#include "serve/http_fixture.h"

namespace ondo::serve {
namespace {

using nlohmann::json;
using testing::chat_body;
using testing::Fixture;
using testing::sse_payloads;
using testing::stream_then_hang_up;

TEST(Http, ChatCompletionShape) {
  Fixture f("Hello world");
  auto r = f.post("/v1/chat/completions", chat_body({{"seed", 1}}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  const json j = json::parse(r->body);
  EXPECT_EQ(j["object"], "chat.completion");
  EXPECT_EQ(j["model"], "fake");
  EXPECT_EQ(j["id"].get<std::string>().rfind("chatcmpl-", 0), 0u);
  EXPECT_EQ(j["choices"][0]["message"]["role"], "assistant");
  EXPECT_EQ(j["choices"][0]["message"]["content"], "Hello world");
  EXPECT_EQ(j["choices"][0]["finish_reason"], "stop");
  EXPECT_TRUE(j["choices"][0]["logprobs"].is_null());
  EXPECT_EQ(j["usage"]["completion_tokens"], 11);
  EXPECT_EQ(j["usage"]["total_tokens"], j["usage"]["prompt_tokens"].get<int>() + 11);
  EXPECT_EQ(j["usage"]["prompt_tokens_details"]["cached_tokens"], 3);
  const auto& req = f.sched.last()->request();
  EXPECT_EQ(req.sampling.seed, 1u);
  EXPECT_EQ(req.max_tokens, 128 - int32_t(req.prompt.size()));  // default: up to the context
}

TEST(Http, StopStringAndLength) {
  Fixture f("Hello world");
  auto r = f.post("/v1/completions", {{"model", "fake"}, {"prompt", "x"}, {"stop", json::array({"wor", "zz"})}});
  ASSERT_TRUE(r);
  json j = json::parse(r->body);
  EXPECT_EQ(j["object"], "text_completion");
  EXPECT_EQ(j["choices"][0]["text"], "Hello ");
  EXPECT_EQ(j["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(*f.sched.cancels, 1);  // the stop string ended the request in the scheduler
  r = f.post("/v1/completions", {{"model", "fake"}, {"prompt", "x"}, {"max_tokens", 4}});
  j = json::parse(r->body);
  EXPECT_EQ(j["choices"][0]["text"], "Hell");
  EXPECT_EQ(j["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(f.sched.last()->request().max_tokens, 4);
}

TEST(Http, StreamFramingAndUsage) {
  Fixture f("Hi \xC3\xA9\xE2\x82\xAC!");  // multi-byte characters arrive one byte token at a time
  auto r = f.post("/v1/chat/completions", chat_body({{"stream", true}, {"stream_options", {{"include_usage", true}}}, {"stop", "!"}}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/event-stream");
  const auto events = sse_payloads(r->body);
  ASSERT_GE(events.size(), 4u);
  EXPECT_EQ(events.back(), "[DONE]");
  std::string text;
  const json first = json::parse(events[0]);
  EXPECT_EQ(first["object"], "chat.completion.chunk");
  EXPECT_EQ(first["choices"][0]["delta"]["role"], "assistant");
  for (size_t i = 1; i + 2 < events.size(); ++i) {
    const json c = json::parse(events[i]);
    EXPECT_EQ(c["id"], first["id"]);
    EXPECT_TRUE(c.contains("usage") && c["usage"].is_null());
    if (c["choices"][0]["delta"].contains("content")) text += c["choices"][0]["delta"]["content"].get<std::string>();
  }
  EXPECT_EQ(text, "Hi \xC3\xA9\xE2\x82\xAC");  // valid UTF-8 in every chunk (json::parse would throw otherwise)
  const json fin = json::parse(events[events.size() - 3]);
  EXPECT_EQ(fin["choices"][0]["finish_reason"], "stop");
  const json usage = json::parse(events[events.size() - 2]);
  EXPECT_TRUE(usage["choices"].empty());
  EXPECT_EQ(usage["usage"]["completion_tokens"], 9);  // the stop string's token was generated
}

TEST(Http, CompletionStreamAndLogprobs) {
  Fixture f("ab");
  auto r = f.post("/v1/completions", {{"model", "fake"}, {"prompt", "x"}, {"stream", true}, {"logprobs", 1}});
  ASSERT_TRUE(r);
  const auto events = sse_payloads(r->body);
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events.back(), "[DONE]");
  const json c0 = json::parse(events[0]);
  EXPECT_EQ(c0["object"], "text_completion");
  EXPECT_EQ(c0["choices"][0]["text"], "a");
  EXPECT_EQ(c0["choices"][0]["logprobs"]["tokens"][0], "a");
  EXPECT_FLOAT_EQ(c0["choices"][0]["logprobs"]["token_logprobs"][0].get<float>(), -0.5f);
  EXPECT_EQ(f.sched.last()->request().n_logprobs, 1);
  auto r2 = f.post("/v1/chat/completions", chat_body({{"logprobs", true}, {"top_logprobs", 2}}));
  const json j = json::parse(r2->body);
  const json& content = j["choices"][0]["logprobs"]["content"];
  ASSERT_EQ(content.size(), 2u);
  EXPECT_EQ(content[1]["token"], "b");
  EXPECT_EQ(content[1]["bytes"], json::array({98}));
  EXPECT_EQ(content[1]["top_logprobs"][0]["token"], "b");
}

TEST(Http, ErrorsAreOpenAiShaped) {
  Fixture f("x");
  auto status_param = [&](const std::string& path, const json& body) {
    auto r = f.post(path, body);
    const json j = json::parse(r->body);
    EXPECT_TRUE(j["error"].contains("message") && j["error"].contains("type") && j["error"].contains("code"));
    return std::make_pair(r->status, j["error"]["param"].is_null() ? std::string() : j["error"]["param"].get<std::string>());
  };
  EXPECT_EQ(status_param("/v1/chat/completions", chat_body({{"model", "nope"}})), std::make_pair(404, std::string("model")));
  EXPECT_EQ(status_param("/v1/completions", {{"model", "fake"}, {"prompt", std::string(200, 'a')}}),
            std::make_pair(400, std::string("prompt")));  // 201 tokens > context 128: never truncated
  EXPECT_EQ(status_param("/v1/completions", {{"model", "fake"}, {"prompt", "a"}, {"max_tokens", 127}}),
            std::make_pair(400, std::string("max_tokens")));
  EXPECT_EQ(status_param("/v1/completions", {{"model", "fake"}, {"prompt", json::array({5000})}}),
            std::make_pair(400, std::string("prompt[0]")));
  EXPECT_EQ(status_param("/v1/completions", {{"model", "fake"}, {"prompt", "a"}, {"logit_bias", {{"9999", 1}}}}),
            std::make_pair(400, std::string("logit_bias")));
  EXPECT_EQ(status_param("/v1/chat/completions", chat_body({{"n", 17}})), std::make_pair(400, std::string("n")));
  auto big = f.post("/v1/completions", {{"model", "fake"}, {"prompt", std::string(5000, 'a')}});
  EXPECT_EQ(big->status, 413);
  EXPECT_EQ(json::parse(big->body)["error"]["code"], "request_too_large");
  auto del = f.client().Delete("/v1/models");
  EXPECT_EQ(del->status, 405);
  EXPECT_EQ(f.client().Get("/v1/nothing")->status, 404);
  EXPECT_EQ(f.client().Get("/v1/chat/completions")->status, 405);
  auto bad = f.client().Post("/v1/chat/completions", "{nope", "application/json");
  EXPECT_EQ(bad->status, 400);
}

TEST(Http, QueueFullIs429WithRetryAfter) {
  Fixture f("x");
  f.sched.overloaded = true;
  auto r = f.post("/v1/chat/completions", chat_body());
  EXPECT_EQ(r->status, 429);
  EXPECT_TRUE(r->has_header("Retry-After"));
}

TEST(Http, ApiKeyAndHostChecks) {
  Fixture keyed("x", "s3cret");
  EXPECT_EQ(keyed.client().Get("/health")->status, 200);  // public
  EXPECT_EQ(keyed.client().Get("/v1/models")->status, 401);
  EXPECT_EQ(keyed.client().Get("/v1/models", {{"Authorization", "Bearer wrong"}})->status, 401);
  auto ok = keyed.client().Get("/v1/models", {{"Authorization", "Bearer s3cret"}});
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(json::parse(ok->body)["data"][0]["id"], "fake");
  Fixture open("x");
  EXPECT_EQ(open.client().Get("/v1/models", {{"Host", "evil.example"}})->status, 403);
  EXPECT_EQ(open.client().Get("/v1/models", {{"Origin", "http://evil.example"}})->status, 403);
  EXPECT_EQ(open.client().Get("/v1/models", {{"Origin", "http://localhost:3000"}})->status, 200);
  EXPECT_EQ(open.client().Get("/metrics")->status, 200);
}

TEST(Http, HealthWhileLoading) {
  Fixture f("x", "", false);
  auto h = f.client().Get("/health");
  EXPECT_EQ(h->status, 503);
  EXPECT_EQ(f.post("/v1/chat/completions", chat_body())->status, 503);
  f.server->set_models({f.model});
  EXPECT_EQ(f.client().Get("/health")->body, "{\"status\":\"ok\"}");
}

TEST(Http, DisconnectCancelsTheRequest) {
  Fixture f("endless");
  f.sched.hold = true;  // no token comes until cancelled
  stream_then_hang_up(f.server->port(), chat_body({{"stream", true}}).dump());
  for (int i = 0; i < 3000 && *f.sched.cancels == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(*f.sched.cancels, 1);
  for (int i = 0; i < 3000 && f.server->in_flight() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(f.server->in_flight(), 0);
}

TEST(Http, DisconnectCancelsABlockingRequest) {
  Fixture f("endless");
  f.sched.hold = true;  // no token comes until cancelled
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(uint16_t(f.server->port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const std::string body = chat_body().dump();
  const std::string req = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                          "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  ASSERT_EQ(::send(fd, req.data(), req.size(), 0), ssize_t(req.size()));
  for (int i = 0; i < 3000 && !f.sched.last(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(f.sched.last());
  ::close(fd);  // the client gives up while the answer is being generated
  for (int i = 0; i < 3000 && *f.sched.cancels == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(*f.sched.cancels, 1);
  for (int i = 0; i < 3000 && f.server->in_flight() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(f.server->in_flight(), 0);
}

// Sends `bytes` on a fresh connection and reads until the server closes it.
std::string exchange_until_close(int port, const std::string& bytes) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(uint16_t(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_EQ(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL), ssize_t(bytes.size()));
  timeval tv{30, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) out.append(buf, size_t(n));
  ::close(fd);
  return out;
}

size_t count_of(const std::string& s, const std::string& part) {
  size_t n = 0;
  for (size_t at = s.find(part); at != std::string::npos; at = s.find(part, at + 1)) ++n;
  return n;
}

TEST(Http, EdgeKeepsAlivePipelinesAndReadsChunkedBodies) {
  Fixture f("ok");
  const std::string health = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  const std::string body = chat_body().dump();
  const std::string post = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\n\r\n" + body;
  // Three requests in one send: three answers in order, on one connection.
  const std::string three = exchange_until_close(
      f.server->port(), health + post + "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(count_of(three, "HTTP/1.1 200 OK"), 3u) << three;
  EXPECT_LT(three.find("{\"status\":\"ok\"}"), three.find("chat.completion")) << three;
  // A chunked body under --max-body (4096 here) is read; the connection closes after it.
  const std::string head = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  char size[16];
  std::snprintf(size, sizeof size, "%zx\r\n", body.size());
  const std::string ok = exchange_until_close(f.server->port(), head + size + body + "\r\n0\r\n\r\n");
  EXPECT_EQ(ok.rfind("HTTP/1.1 200 OK", 0), 0u) << ok;
  EXPECT_NE(ok.find("Connection: close"), std::string::npos) << ok;
  // Over it: 413 once the limit is reached, whatever the chunk sizes.
  std::string chunks;
  for (int i = 0; i < 50; ++i) chunks += "64\r\n" + std::string(100, ' ') + "\r\n";
  const std::string big = exchange_until_close(f.server->port(), head + chunks + "0\r\n\r\n");
  EXPECT_EQ(big.rfind("HTTP/1.1 413 ", 0), 0u) << big;
  EXPECT_NE(big.find("request_too_large"), std::string::npos) << big;
}

TEST(Http, DrainFinishesRunningStream) {
  Fixture f("done");
  f.sched.hold = true;
  std::thread client([&] {
    auto r = f.post("/v1/chat/completions", chat_body({{"stream", true}}));
    ASSERT_TRUE(r);
    EXPECT_NE(r->body.find("data: [DONE]"), std::string::npos);
    EXPECT_NE(r->body.find("\"done\"") == std::string::npos ? r->body.find("\"o\"") : 0, std::string::npos);
  });
  while (!f.sched.last()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    f.sched.last()->release();
  });
  f.server->drain(60000);  // returns once the running stream has finished
  EXPECT_EQ(f.server->in_flight(), 0);
  EXPECT_EQ(*f.sched.cancels, 0);
  releaser.join();
  client.join();
  EXPECT_EQ(f.client().Get("/health").error(), httplib::Error::Connection);  // no longer listening
}

// An encoder (embedding) model is listed and measured, but chat/completions refuse it with a
// 400 naming the model field.
TEST(Http, EncoderModelRefusesGeneration) {
  Fixture f("x");
  ServedModel encoder;
  encoder.alias = "embedder";
  encoder.kind = ModelKind::Encoder;
  encoder.tokenizer = f.tok.get();
  f.server->set_models({f.model, encoder});
  for (const auto& [path, body] : {std::make_pair("/v1/chat/completions", chat_body({{"model", "embedder"}})),
                                   std::make_pair("/v1/completions", json{{"model", "embedder"}, {"prompt", "x"}})}) {
    auto r = f.post(path, body);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << path;
    const json e = json::parse(r->body)["error"];
    EXPECT_EQ(e["param"], "model") << path;
    EXPECT_NE(e["message"].get<std::string>().find("'embedder' is an embedding model"), std::string::npos) << e.dump();
  }
  const json models = json::parse(f.client().Get("/v1/models")->body);
  EXPECT_EQ(models["data"].size(), 2u);
  auto metrics = f.client().Get("/metrics");
  EXPECT_EQ(metrics->status, 200);
  EXPECT_EQ(metrics->body.find("model=\"embedder\""), std::string::npos);  // no scheduler gauges for it
  EXPECT_EQ(f.post("/v1/chat/completions", chat_body())->status, 200);   // the generator still works
}

}  // namespace
}  // namespace ondo::serve
