// Several choices over the in-process server and a scripted FakeScheduler: n > 1 on chat and
// completions, prompt batches, per-sample seeds, the order of submissions (each prompt's
// first sample first), blocking and streamed shapes with each choice's index, usage sums.
#include <gtest/gtest.h>

#include <set>

#include "serve/http_fixture.h"

namespace ondo::serve {
namespace {

using nlohmann::json;
using testing::chat_body;
using testing::Fixture;
using testing::sse_payloads;

TEST(Choices, ChatNBlocking) {
  Fixture f("Hello world");
  auto r = f.post("/v1/chat/completions", chat_body({{"seed", 5}, {"n", 3}}));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const json j = json::parse(r->body);
  ASSERT_EQ(j["choices"].size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(j["choices"][i]["index"], i);
    EXPECT_EQ(j["choices"][i]["message"]["content"], "Hello world");
    EXPECT_EQ(j["choices"][i]["finish_reason"], "stop");
  }
  EXPECT_EQ(j["usage"]["completion_tokens"], 33);
  const int32_t n_prompt = int32_t(f.sched.handles[0]->request().prompt.size());
  EXPECT_EQ(j["usage"]["prompt_tokens"], n_prompt);  // the prompt counts once
  EXPECT_EQ(j["usage"]["prompt_tokens_details"]["cached_tokens"], 3);  // the first sample's
  ASSERT_EQ(f.sched.handles.size(), 3u);
  std::set<uint64_t> seeds;
  for (const auto& h : f.sched.handles) {
    EXPECT_EQ(h->request().prompt, f.sched.handles[0]->request().prompt);
    seeds.insert(h->request().sampling.seed);
  }
  EXPECT_EQ(f.sched.handles[0]->request().sampling.seed, 5u);  // sample 0: the request's seed
  EXPECT_EQ(seeds.size(), 3u);
  auto again = f.post("/v1/chat/completions", chat_body({{"seed", 5}, {"n", 3}}));
  ASSERT_TRUE(again);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(f.sched.handles[3 + i]->request().sampling.seed, f.sched.handles[i]->request().sampling.seed);
  }
}

TEST(Choices, CompletionPromptBatch) {
  Fixture f("xyz");
  auto r = f.post("/v1/completions", {{"model", "fake"}, {"prompt", json::array({"ab", "cdef"})}, {"n", 2}, {"seed", 9}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const json j = json::parse(r->body);
  ASSERT_EQ(j["choices"].size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(j["choices"][i]["index"], i);
  ASSERT_EQ(f.sched.handles.size(), 4u);
  // submitted: each prompt's first sample, then the other samples
  const auto prompt = [&](size_t k) { return f.sched.handles[k]->request().prompt; };
  EXPECT_EQ(prompt(0).size(), 3u);  // BOS + "ab"
  EXPECT_EQ(prompt(1).size(), 5u);  // BOS + "cdef"
  EXPECT_EQ(prompt(2), prompt(0));
  EXPECT_EQ(prompt(3), prompt(1));
  EXPECT_EQ(f.sched.handles[1]->request().max_tokens, 128 - 5);  // default: up to the context, per prompt
  EXPECT_EQ(f.sched.handles[0]->request().sampling.seed, 9u);
  EXPECT_EQ(f.sched.handles[1]->request().sampling.seed, 9u);  // each prompt's sample 0
  EXPECT_NE(f.sched.handles[2]->request().sampling.seed, 9u);
  EXPECT_EQ(j["usage"]["prompt_tokens"], 8);
  EXPECT_EQ(j["usage"]["completion_tokens"], 12);
  auto bad = f.post("/v1/completions", {{"model", "fake"}, {"prompt", json::array({"ab", ""})}});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 200);  // "" still gets BOS
  auto far = f.post("/v1/completions", {{"model", "fake"}, {"prompt", json::array({json::array({1}), json::array({9999})})}});
  ASSERT_TRUE(far);
  EXPECT_EQ(far->status, 400);
  EXPECT_EQ(json::parse(far->body)["error"]["param"], "prompt[1][0]");
}

TEST(Choices, ChatNStreamed) {
  Fixture f("Hi there");
  auto r = f.post("/v1/chat/completions",
                  chat_body({{"n", 2}, {"stream", true}, {"stream_options", {{"include_usage", true}}}}));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  const auto events = sse_payloads(r->body);
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events.back(), "[DONE]");
  std::string text[2];
  int roles[2] = {0, 0}, finishes[2] = {0, 0};
  json usage;
  for (size_t i = 0; i + 1 < events.size(); ++i) {
    const json c = json::parse(events[i]);
    if (c["choices"].empty()) {
      usage = c["usage"];
      continue;
    }
    ASSERT_EQ(c["choices"].size(), 1u);
    const int idx = c["choices"][0]["index"];
    ASSERT_TRUE(idx == 0 || idx == 1) << events[i];
    const json& d = c["choices"][0]["delta"];
    if (d.contains("role")) ++roles[idx];
    if (d.contains("content") && d["content"].is_string()) text[idx] += d["content"].get<std::string>();
    if (!c["choices"][0]["finish_reason"].is_null()) {
      ++finishes[idx];
      EXPECT_EQ(c["choices"][0]["finish_reason"], "stop");
    }
  }
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(text[i], "Hi there");
    EXPECT_EQ(roles[i], 1);
    EXPECT_EQ(finishes[i], 1);
  }
  EXPECT_EQ(usage["completion_tokens"], 16);
}

}  // namespace
}  // namespace ondo::serve
