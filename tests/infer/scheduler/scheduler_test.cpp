// Scheduler on tiny in-memory models: several schedulers share one ComputePool without ever
// running more compute threads than its size; prompt + max_tokens beyond the context ends
// with Length at a full context; an exception in one request fails only that request.
#include "ondo/infer/scheduler/scheduler.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>
#include <thread>

#include "infer/scheduler/scheduler_support.h"

namespace ondo::infer {
namespace {

using testing::drain;
using testing::Drained;
using testing::sampled;
using testing::tiny_served;

int process_threads() {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/task")) n += e.is_directory() ? 1 : 0;
  return n;
}

std::vector<int32_t> prompt_of(int32_t first, int32_t n) {
  std::vector<int32_t> p;
  for (int32_t i = 0; i < n; ++i) p.push_back(3 + (first + 5 * i) % 37);
  return p;
}

// `ondo serve -m a -m b -t 2`: two models, one pool of 2.
TEST(SchedulerPool, TwoModelsShareOnePoolOfTwoThreads) {
  auto a = tiny_served(7), b = tiny_served(9);
  ASSERT_TRUE(a && b);
  core::ComputePool pool(2);
  SchedulerOptions o;
  o.n_parallel = 3;
  o.n_ctx = 96;
  o.max_batch_tokens = 8;
  const int before = process_threads();
  auto sa = Scheduler::create(*a->model, *a->tok, o, pool);
  auto sb = Scheduler::create(*b->model, *b->tok, o, pool);
  ASSERT_TRUE(sa.ok() && sb.ok());
  EXPECT_EQ(process_threads(), before + 2) << "each model adds its loop thread only, no compute threads";

  core::ThreadPool::reset_peak_participants();
  const uint64_t grants0 = pool.grants();
  std::vector<std::shared_ptr<RequestHandle>> hs;
  for (int i = 0; i < 6; ++i) {
    Scheduler& s = i % 2 ? **sb : **sa;
    auto h = s.submit(sampled(prompt_of(i, 9), 40, 100 + uint64_t(i)));
    ASSERT_TRUE(h.ok()) << h.error().message;
    hs.push_back(*h);
  }
  std::vector<Drained> out(hs.size());
  std::vector<std::thread> clients;
  for (size_t i = 0; i < hs.size(); ++i) clients.emplace_back([&, i] { out[i] = drain(*hs[i]); });
  for (auto& t : clients) t.join();
  for (const Drained& d : out) {
    EXPECT_EQ(d.tokens.size(), 40u);
    EXPECT_EQ(d.finish, FinishReason::Length);
  }
  EXPECT_EQ(core::ThreadPool::peak_participants(), 2);
  EXPECT_GE(pool.grants() - grants0, 2u * 40u);  // both models ran their steps on the pool
  EXPECT_EQ(process_threads(), before + 2);
}

TEST(SchedulerContext, PromptPlusMaxTokensBeyondTheContextEndsWithLengthAtAFullContext) {
  auto t = tiny_served(7);
  ASSERT_TRUE(t);
  core::ComputePool pool(1);
  SchedulerOptions o;
  o.n_parallel = 2;
  o.n_ctx = 16;
  o.max_batch_tokens = 16;
  auto s = Scheduler::create(*t->model, *t->tok, o, pool);
  ASSERT_TRUE(s.ok());
  for (int32_t n_prompt : {1, 5, 15}) {
    auto h = (*s)->submit(sampled(prompt_of(n_prompt, n_prompt), 100, 1));
    ASSERT_TRUE(h.ok()) << h.error().message;
    const Drained d = drain(**h);
    EXPECT_EQ(int32_t(d.tokens.size()), 16 - n_prompt) << "prompt " << n_prompt;
    EXPECT_EQ(d.finish, FinishReason::Length);
  }
  auto too_long = (*s)->submit(sampled(prompt_of(0, 16), 1, 1));
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code, ErrorCode::InvalidArgument);
}

TEST(SchedulerBarrier, AnExceptionFailsOneRequestAndTheLoopGoesOn) {
  auto t = tiny_served(7);
  ASSERT_TRUE(t);
  core::ComputePool pool(2);
  SchedulerOptions o;
  o.n_parallel = 2;
  o.n_ctx = 64;
  const std::vector<int32_t> bad_prompt = prompt_of(1, 6), good_prompt = prompt_of(2, 6);
  TokenHook hook = [&](const GenerationRequest& r, int32_t) {
    static thread_local int seen = 0;
    if (r.prompt == bad_prompt && ++seen == 3) {
      seen = 0;
      throw std::logic_error("injected bug");
    }
  };
  auto alone = Scheduler::create(*t->model, *t->tok, o, pool);
  ASSERT_TRUE(alone.ok());
  const Drained expected = drain(**(*alone)->submit(sampled(good_prompt, 20, 5)));
  ASSERT_EQ(expected.tokens.size(), 20u);

  auto s = Scheduler::create(*t->model, *t->tok, o, pool, hook);
  ASSERT_TRUE(s.ok());
  auto bad = (*s)->submit(sampled(bad_prompt, 20, 4));
  auto good = (*s)->submit(sampled(good_prompt, 20, 5));
  ASSERT_TRUE(bad.ok() && good.ok());
  const Drained b = drain(**bad), g = drain(**good);
  EXPECT_EQ(b.finish, FinishReason::Error);
  EXPECT_EQ(b.tokens.size(), 2u);
  EXPECT_NE(b.error.find("internal error: injected bug"), std::string::npos) << b.error;
  EXPECT_EQ(g.tokens, expected.tokens);
  EXPECT_EQ(g.finish, FinishReason::Length);
  // the loop is still running
  const Drained after = drain(**(*s)->submit(sampled(good_prompt, 20, 5)));
  EXPECT_EQ(after.tokens, expected.tokens);
}

}  // namespace
}  // namespace ondo::infer
