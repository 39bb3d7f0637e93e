// The scheduler's steady state allocates nothing per token (DESIGN "Memory"): a counting
// global operator new (per thread) is read on the loop thread at every token.
// This file replaces the global allocation functions of the infer unit test executable; they
// only count and forward to malloc, so other tests are unaffected.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <new>
#include <thread>

#include "infer/scheduler/scheduler_support.h"

namespace {
thread_local int64_t t_allocations = 0;

void* counted_alloc(size_t n, size_t align) {
  ++t_allocations;
  if (n == 0) n = 1;
  void* p = align <= alignof(std::max_align_t) ? std::malloc(n) : std::aligned_alloc(align, (n + align - 1) / align * align);
  if (!p) throw std::bad_alloc();
  return p;
}
}  // namespace

void* operator new(size_t n) { return counted_alloc(n, 0); }
void* operator new[](size_t n) { return counted_alloc(n, 0); }
void* operator new(size_t n, std::align_val_t a) { return counted_alloc(n, size_t(a)); }
void* operator new[](size_t n, std::align_val_t a) { return counted_alloc(n, size_t(a)); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { std::free(p); }

namespace ondo::infer {
namespace {

constexpr int kTokens = 64;

constexpr int kMaxRequests = 4;

struct Recorded {
  std::array<int64_t, kTokens> allocs_at{};  // loop thread's count when request 0's token k was sampled
  std::array<std::atomic<int>, kMaxRequests> sampled{};
  std::array<std::atomic<int>, kMaxRequests> received{};
};

// Runs `n_requests` requests at once (request i's prompt starts with token 3 + i); the hook
// keeps each client at most 4 events behind (so no event queue outgrows its first capacity)
// and records the allocations at request 0's tokens.
void run(int n_requests, int32_t n_logprobs, Recorded& r) {
  auto t = testing::tiny_served(7);
  ASSERT_TRUE(t);
  core::ComputePool pool(2);
  SchedulerOptions o;
  o.n_parallel = 4;
  o.n_ctx = 128;
  o.max_batch_tokens = 16;
  TokenHook hook = [&](const GenerationRequest& req, int32_t) {
    const size_t i = size_t(req.prompt[0] - 3);
    const int k = r.sampled[i].fetch_add(1);
    while (r.received[i].load() < k - 4) std::this_thread::yield();
    if (i == 0) r.allocs_at[size_t(k)] = t_allocations;
  };
  auto s = Scheduler::create(*t->model, *t->tok, o, pool, hook);
  ASSERT_TRUE(s.ok());
  std::vector<std::shared_ptr<RequestHandle>> hs;
  for (int i = 0; i < n_requests; ++i) {
    GenerationRequest req = testing::sampled({int32_t(3 + i), 9, 11, int32_t(20 + i), 5}, kTokens, uint64_t(i));
    req.n_logprobs = n_logprobs;
    auto h = (*s)->submit(std::move(req));
    ASSERT_TRUE(h.ok());
    hs.push_back(*h);
  }
  std::vector<std::thread> clients;
  for (int i = 0; i < n_requests; ++i) {
    clients.emplace_back([&, i] {
      while (auto e = hs[size_t(i)]->next()) r.received[size_t(i)].fetch_add(1);
    });
  }
  for (auto& c : clients) c.join();
  ASSERT_EQ(r.sampled[0].load(), kTokens);
}

TEST(SchedulerAllocations, NoneWhileDecoding) {
  for (int n : {1, 3}) {
    for (int32_t logprobs : {-1, 0}) {
      Recorded r;
      run(n, logprobs, r);
      // token 0 comes with admission and prompt work; from the next tokens on, nothing
      EXPECT_EQ(r.allocs_at[kTokens - 1] - r.allocs_at[8], 0) << n << " requests, logprobs " << logprobs;
    }
  }
}

}  // namespace
}  // namespace ondo::infer
