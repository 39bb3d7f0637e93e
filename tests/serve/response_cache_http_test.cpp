// The response cache through the HTTP server (in process, scripted FakeScheduler, a real
// SQLite store): a repeat is answered without a scheduler request, streamed or not, with
// x-ondo-cache saying hit, miss or bypass, and the record flagged as a hit.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "ondo/store/store.h"
#include "serve/http_fixture.h"
#include "serve/request_hook.h"

namespace ondo::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const httplib::Headers kAuth = {{"Authorization", "Bearer k"}};

// A server whose store is a fresh SQLite data directory, with the cache on (ttl_s > 0).
struct CacheServer {
  explicit CacheServer(int64_t ttl_s = 60) {
    static std::atomic<int> counter{0};
    dir = fs::temp_directory_path() / ("ondo-cache-http-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(dir);
    store = store::open_sqlite_store(dir, core::Env::posix()).value();
    fx = std::make_unique<Fixture>("Hello there", "k", true, [&](serve::ServerOptions& o) {
      o.store = store.get();
      o.cache.ttl_s = ttl_s;
      o.on_request_done = hooks.hook();
    });
  }
  ~CacheServer() {
    fx.reset();
    store.reset();
    fs::remove_all(dir);
  }
  httplib::Result post(const std::string& path, const json& body) const { return fx->post(path, body, kAuth); }
  size_t runs() const { return fx->sched.handles.size(); }

  fs::path dir;
  std::unique_ptr<store::Store> store;
  RequestHookLog hooks;
  std::unique_ptr<Fixture> fx;
};

std::string cache_header(const httplib::Result& r) { return r->get_header_value("x-ondo-cache"); }

// The text a chat stream carries, and its finish reason.
std::pair<std::string, std::string> stream_text(const std::string& body) {
  std::string text;
  std::string finish;
  for (const std::string& p : sse_payloads(body)) {
    if (p == "[DONE]") continue;
    const json c = json::parse(p);
    const json& ch = c["choices"][0];
    if (ch["delta"].contains("content")) text += ch["delta"]["content"].get<std::string>();
    if (!ch["finish_reason"].is_null()) finish = ch["finish_reason"];
  }
  return {text, finish};
}

TEST(ResponseCacheHttp, RepeatIsAHitWithoutRunningTheModel) {
  CacheServer s;
  const json body = chat_body({{"temperature", 0}, {"max_tokens", 8}});
  auto miss = s.post("/v1/chat/completions", body);
  ASSERT_EQ(miss->status, 200) << miss->body;
  EXPECT_EQ(cache_header(miss), "miss");
  EXPECT_EQ(s.runs(), 1u);
  json again = body;
  again["user"] = "someone else";  // not part of the key
  auto hit = s.post("/v1/chat/completions", again);
  ASSERT_EQ(hit->status, 200) << hit->body;
  EXPECT_EQ(cache_header(hit), "hit");
  EXPECT_EQ(s.runs(), 1u);  // no scheduler request
  const json a = json::parse(miss->body);
  const json b = json::parse(hit->body);
  EXPECT_EQ(a["choices"], b["choices"]);
  EXPECT_EQ(a["usage"], b["usage"]);
  EXPECT_NE(a["id"], b["id"]);
  auto rec = s.hooks.wait_for(hit->get_header_value("x-request-id"));
  ASSERT_TRUE(rec.has_value());
  EXPECT_TRUE(rec->cache_hit);
  EXPECT_FALSE(rec->generated);
  EXPECT_EQ(rec->completion_tokens, a["usage"]["completion_tokens"].get<int>());
  EXPECT_EQ(rec->finish_reason, "length");
  auto first = s.hooks.wait_for(miss->get_header_value("x-request-id"));
  ASSERT_TRUE(first.has_value());
  EXPECT_FALSE(first->cache_hit);
}

TEST(ResponseCacheHttp, StreamedRepeatIsAnsweredAsAStream) {
  CacheServer s;
  const json body = chat_body({{"temperature", 0}, {"max_tokens", 5}});
  auto miss = s.post("/v1/chat/completions", body);
  ASSERT_EQ(miss->status, 200);
  json streamed = body;
  streamed["stream"] = true;
  auto hit = s.post("/v1/chat/completions", streamed);
  ASSERT_EQ(hit->status, 200) << hit->body;
  EXPECT_EQ(cache_header(hit), "hit");
  EXPECT_EQ(s.runs(), 1u);
  const auto [text, finish] = stream_text(hit->body);
  const json a = json::parse(miss->body);
  EXPECT_EQ(text, a["choices"][0]["message"]["content"].get<std::string>());
  EXPECT_EQ(finish, a["choices"][0]["finish_reason"].get<std::string>());
  EXPECT_EQ(sse_payloads(hit->body).back(), "[DONE]");
}

TEST(ResponseCacheHttp, AStreamedMissIsKeptForABlockingRepeat) {
  CacheServer s;
  json streamed = chat_body({{"temperature", 0}, {"max_tokens", 6}, {"stream", true}});
  auto miss = s.post("/v1/chat/completions", streamed);
  ASSERT_EQ(miss->status, 200);
  EXPECT_EQ(cache_header(miss), "miss");
  streamed.erase("stream");
  auto hit = s.post("/v1/chat/completions", streamed);
  ASSERT_EQ(hit->status, 200);
  EXPECT_EQ(cache_header(hit), "hit");
  EXPECT_EQ(s.runs(), 1u);
  EXPECT_EQ(json::parse(hit->body)["choices"][0]["message"]["content"].get<std::string>(), stream_text(miss->body).first);
}

TEST(ResponseCacheHttp, WhatBypassesTheCache) {
  CacheServer s;
  const struct {
    json extra;
    const char* why;
  } cases[] = {
      {{{"temperature", 0}, {"cache", false}}, "cache: false"},
      {{{"temperature", 1}}, "temperature > 0 without a seed"},
      {{{"temperature", 0}, {"logprobs", true}}, "logprobs"},
  };
  for (const auto& c : cases) {
    for (int i = 0; i < 2; ++i) {
      auto r = s.post("/v1/chat/completions", chat_body(c.extra));
      ASSERT_EQ(r->status, 200) << c.why << ": " << r->body;
      EXPECT_EQ(cache_header(r), "bypass") << c.why;
    }
  }
  EXPECT_EQ(s.runs(), 6u);  // every one ran the model
  auto bad = s.post("/v1/chat/completions", chat_body({{"cache", "no"}}));
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("cache"), std::string::npos) << bad->body;
}

TEST(ResponseCacheHttp, AFixedSeedIsCachedAndADifferentRequestIsNot) {
  CacheServer s;
  const json body = chat_body({{"temperature", 0.9}, {"seed", 7}, {"max_tokens", 4}});
  EXPECT_EQ(cache_header(s.post("/v1/chat/completions", body)), "miss");
  EXPECT_EQ(cache_header(s.post("/v1/chat/completions", body)), "hit");
  json other_seed = body;
  other_seed["seed"] = 8;
  EXPECT_EQ(cache_header(s.post("/v1/chat/completions", other_seed)), "miss");
  json other_max = body;
  other_max["max_tokens"] = 5;
  EXPECT_EQ(cache_header(s.post("/v1/chat/completions", other_max)), "miss");
  json other_stop = body;
  other_stop["stop"] = "x";
  EXPECT_EQ(cache_header(s.post("/v1/chat/completions", other_stop)), "miss");
  EXPECT_EQ(s.runs(), 4u);
}

TEST(ResponseCacheHttp, SeveralChoicesComeBackAsServed) {
  CacheServer s;
  const json body = {{"model", "fake"}, {"prompt", json::array({"a", "b"})}, {"n", 2}, {"seed", 3}, {"max_tokens", 3}};
  auto miss = s.post("/v1/completions", body);
  ASSERT_EQ(miss->status, 200) << miss->body;
  EXPECT_EQ(cache_header(miss), "miss");
  const size_t runs = s.runs();
  EXPECT_EQ(runs, 4u);
  auto hit = s.post("/v1/completions", body);
  ASSERT_EQ(hit->status, 200);
  EXPECT_EQ(cache_header(hit), "hit");
  EXPECT_EQ(s.runs(), runs);
  EXPECT_EQ(json::parse(miss->body)["choices"], json::parse(hit->body)["choices"]);
  EXPECT_EQ(json::parse(miss->body)["usage"], json::parse(hit->body)["usage"]);
}

TEST(ResponseCacheHttp, NoHeaderWhenTheCacheIsOff) {
  CacheServer s(0);
  auto r = s.post("/v1/chat/completions", chat_body({{"temperature", 0}}));
  ASSERT_EQ(r->status, 200);
  EXPECT_FALSE(r->has_header("x-ondo-cache"));
  auto totals = s.store->response_cache_totals();
  ASSERT_TRUE(totals.ok());
  EXPECT_EQ(totals->entries, 0);
}

}  // namespace
}  // namespace ondo::testing
