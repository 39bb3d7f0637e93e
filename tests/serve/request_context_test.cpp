// The request context end to end, in-process over the FakeScheduler: an x-request-id on every
// response, the context the scheduler receives, and the final record (usage hook, metrics)
// with the tokens really produced by finished, stopped, disconnected and timed-out requests,
// written only after the response body was sent. Also the access log line's format.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <thread>

#include "ondo/serve/request_context.h"
#include "serve/http_fixture.h"
#include "serve/request_hook.h"

namespace ondo::serve {
namespace {

using nlohmann::json;
using testing::chat_body;
using testing::Fixture;
using testing::RequestHookLog;
using testing::sse_payloads;

// A fixture whose hook feeds `log`, with extra option changes.
Fixture hooked(const std::string& script, RequestHookLog& log, const std::function<void(ServerOptions&)>& more = {}) {
  return Fixture(script, "", true, [&](ServerOptions& o) {
    o.on_request_done = log.hook();
    if (more) more(o);
  });
}

bool is_request_id(const std::string& id) { return std::regex_match(id, std::regex("req_[0-9a-f]{32}")); }

TEST(RequestContext, EveryResponseHasItsOwnRequestId) {
  RequestHookLog log;
  Fixture f = hooked("Hello", log);
  Fixture keyed("x", "s3cret");
  std::vector<httplib::Result> results;
  auto c = f.client();
  results.push_back(c.Get("/health"));
  results.push_back(c.Get("/metrics"));
  results.push_back(c.Get("/v1/models"));
  results.push_back(c.Get("/v1/models/fake"));
  results.push_back(c.Get("/v1/models/nope"));                    // 404 model
  results.push_back(c.Get("/v1/nothing"));                        // 404 route
  results.push_back(c.Delete("/v1/models"));                      // 405
  results.push_back(f.post("/v1/chat/completions", chat_body()));  // 200
  results.push_back(f.post("/v1/chat/completions", chat_body({{"stream", true}})));  // 200, streamed
  results.push_back(c.Post("/v1/completions", "{nope", "application/json"));        // 400
  results.push_back(f.post("/v1/completions", {{"model", "fake"}, {"prompt", std::string(5000, 'a')}}));  // 413
  results.push_back(keyed.client().Get("/v1/models"));            // 401
  results.push_back(c.Get("/v1/models", {{"x-request-id", "req_client"}}));  // a client's id is not taken
  std::set<std::string> ids;
  for (const auto& r : results) {
    ASSERT_TRUE(r);
    const std::string id = r->get_header_value("x-request-id");
    EXPECT_TRUE(is_request_id(id)) << r->status << ": '" << id << "'";
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), results.size());  // all different
  // The hook got one record per request of `f`, under the same id.
  for (size_t i = 0; i + 2 < results.size(); ++i) {
    const std::string id = results[i]->get_header_value("x-request-id");
    ASSERT_TRUE(log.wait_for(id)) << id;
    EXPECT_EQ(log.count(id), 1u);
    EXPECT_EQ(log.wait_for(id)->status, results[i]->status);
  }
}

// The status line and headers the server answers to raw bytes.
std::string raw_exchange(int port, const std::string& bytes) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(uint16_t(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return "";
  ::send(fd, bytes.data(), bytes.size(), 0);
  timeval limit{30, 0};  // a bound against a hung test, not a timing check
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  std::string got;
  char buf[1024];
  while (got.find("\r\n\r\n") == std::string::npos) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, size_t(n));
  }
  ::close(fd);
  return got;
}

// A request line cpp-httplib refuses never reaches routing; its 400 still has an id and a record.
TEST(RequestContext, RefusedRequestLineGetsAnIdToo) {
  RequestHookLog log;
  Fixture f = hooked("x", log);
  const std::string reply = raw_exchange(f.server->port(), "BREW /pot HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  ASSERT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(reply, m, std::regex("x-request-id: (req_[0-9a-f]{32})\r\n"))) << reply;
  const auto rec = log.wait_for(m[1]);
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->status, 400);
  EXPECT_EQ(rec->route, "other");
}

TEST(RequestContext, SchedulerAndHookSeeTheCompletedRequest) {
  RequestHookLog log;
  Fixture f = hooked("Hello world", log);
  auto r = f.post("/v1/chat/completions", chat_body());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  const std::string id = r->get_header_value("x-request-id");
  const auto& ctx = f.sched.last()->request().context;
  ASSERT_TRUE(ctx);
  EXPECT_EQ(ctx->id, id);
  EXPECT_EQ(ctx->model, "fake");
  EXPECT_EQ(ctx->caller, "local");
  EXPECT_EQ(ctx->adapter, "");
  const json usage = json::parse(r->body)["usage"];
  const auto rec = log.wait_for(id);
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->method, "POST");
  EXPECT_EQ(rec->route, "/v1/chat/completions");
  EXPECT_EQ(rec->status, 200);
  EXPECT_EQ(rec->context.model, "fake");
  EXPECT_TRUE(rec->generated);
  EXPECT_FALSE(rec->streamed);
  EXPECT_EQ(rec->prompt_tokens, usage["prompt_tokens"].get<int>());
  EXPECT_EQ(rec->completion_tokens, 11);
  EXPECT_EQ(rec->cached_tokens, 3);
  EXPECT_EQ(rec->finish_reason, "stop");
  EXPECT_DOUBLE_EQ(rec->queue_s, 0.001);
  EXPECT_DOUBLE_EQ(rec->first_token_s, 0.002);
  EXPECT_GT(rec->total_s, 0.0);
  const auto health = log.wait_for(f.client().Get("/health")->get_header_value("x-request-id"));
  ASSERT_TRUE(health);
  EXPECT_FALSE(health->generated);
  EXPECT_EQ(health->finish_reason, "");
}

TEST(RequestContext, StreamCutByStopStringCountsItsTokens) {
  RequestHookLog log;
  Fixture f = hooked("Hello world", log);
  auto r = f.post("/v1/completions", {{"model", "fake"}, {"prompt", "x"}, {"stop", "wor"}, {"stream", true},
                                      {"stream_options", {{"include_usage", true}}}});
  ASSERT_TRUE(r);
  const auto events = sse_payloads(r->body);
  ASSERT_GE(events.size(), 2u);
  const json usage = json::parse(events[events.size() - 2])["usage"];
  const auto rec = log.wait_for(r->get_header_value("x-request-id"));
  ASSERT_TRUE(rec);
  EXPECT_TRUE(rec->streamed);
  EXPECT_EQ(rec->finish_reason, "stop");
  EXPECT_EQ(rec->completion_tokens, 9);  // "Hello wor": the stop string's tokens were generated
  EXPECT_EQ(rec->completion_tokens, usage["completion_tokens"].get<int>());
  EXPECT_EQ(rec->prompt_tokens, usage["prompt_tokens"].get<int>());
  EXPECT_EQ(*f.sched.cancels, 1);
}

TEST(RequestContext, DisconnectedStreamCountsTheTokensItGot) {
  RequestHookLog log;
  Fixture f = hooked("abcdef", log);
  f.sched.hold_after = 3;  // "abc" at once, then nothing until cancelled
  testing::stream_then_hang_up(f.server->port(), chat_body({{"stream", true}}).dump(), "\"content\":\"c\"");
  const auto rec = log.wait_for_generation("/v1/chat/completions");
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->finish_reason, "disconnected");
  EXPECT_EQ(rec->completion_tokens, 3);
  EXPECT_EQ(rec->status, 200);
  EXPECT_TRUE(rec->streamed);
  EXPECT_EQ(*f.sched.cancels, 1);
  // The metrics count the same tokens (the hook runs after them).
  const std::string metrics = f.client().Get("/metrics")->body;
  EXPECT_NE(metrics.find("ondo_completion_tokens_total{model=\"fake\"} 3\n"), std::string::npos) << metrics;
}

TEST(RequestContext, TimedOutRequestsCountTheTokensTheyGot) {
  RequestHookLog log;
  Fixture f = hooked("abcdef", log, [](ServerOptions& o) { o.request_timeout_s = 1; });
  f.sched.hold_after = 2;
  auto streamed = f.post("/v1/chat/completions", chat_body({{"stream", true}}));
  ASSERT_TRUE(streamed);
  EXPECT_NE(streamed->body.find("request_cancelled"), std::string::npos) << streamed->body;
  auto rec = log.wait_for(streamed->get_header_value("x-request-id"));
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->finish_reason, "timeout");
  EXPECT_EQ(rec->completion_tokens, 2);
  auto blocking = f.post("/v1/completions", {{"model", "fake"}, {"prompt", "x"}});
  ASSERT_TRUE(blocking);
  EXPECT_EQ(blocking->status, 408);
  rec = log.wait_for(blocking->get_header_value("x-request-id"));
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->status, 408);
  EXPECT_EQ(rec->finish_reason, "timeout");
  EXPECT_EQ(rec->completion_tokens, 2);
}

TEST(RequestContext, StreamIsRecordedOnlyAfterItsBody) {
  RequestHookLog log;
  Fixture f = hooked("done", log);
  f.sched.hold = true;
  std::optional<httplib::Result> r;
  std::thread client([&] { r.emplace(f.post("/v1/chat/completions", chat_body({{"stream", true}}))); });
  while (!f.sched.last()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_TRUE(log.records().empty());  // the stream is still open: nothing recorded yet
  f.sched.last()->release();
  client.join();
  ASSERT_TRUE(r && *r);
  const auto rec = log.wait_for((*r)->get_header_value("x-request-id"));
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->completion_tokens, 4);
  EXPECT_EQ(rec->finish_reason, "stop");
  EXPECT_GE(rec->total_s, 0.3);  // measured to the end of the body, not to the handler's return
}

TEST(RequestContext, AccessLogLine) {
  RequestRecord r;
  r.context = {"req_0123", "api-key", "tiny", ""};
  r.method = "POST";
  r.route = "/v1/completions";
  r.status = 200;
  r.generated = true;
  r.streamed = true;
  r.prompt_tokens = 5;
  r.completion_tokens = 7;
  r.cached_tokens = 2;
  r.queue_s = 0.001;
  r.first_token_s = 0.0025;
  r.total_s = 0.5;
  r.finish_reason = "disconnected";
  EXPECT_EQ(access_log_line(r),
            "ondo serve: POST /v1/completions 200 id=req_0123 caller=api-key model=tiny stream=1 finish=disconnected "
            "prompt_tokens=5 completion_tokens=7 cached_tokens=2 queue_ms=1.0 ttft_ms=2.5 total_ms=500.0");
  r.context.adapter = "tuned+terse@0.5";  // LoRA adapters name themselves at the end
  EXPECT_NE(access_log_line(r).find("total_ms=500.0 adapter=tuned+terse@0.5"), std::string::npos) << access_log_line(r);
  EXPECT_NE(new_request_id(), new_request_id());
  EXPECT_TRUE(is_request_id(new_request_id()));
}

}  // namespace
}  // namespace ondo::serve
