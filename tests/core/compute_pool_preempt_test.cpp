// ComputePool serving priority (issue 17.1): a Background lease yields at its next run()
// when serving waits or is active, is not granted or resumed while a ServingActivity lives,
// resumes ahead of queued Background work, and nothing deadlocks when activity ends.
// Every wait is on an observable state, never on time.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ondo/core/compute_pool.h"

namespace ondo::core {
namespace {

void spin_until(const std::function<bool()>& done) {
  while (!done()) std::this_thread::yield();
}

// An ordered log shared by the threads of one test.
class Log {
 public:
  void add(std::string s) {
    std::lock_guard<std::mutex> lock(mu_);
    items_.push_back(std::move(s));
  }
  std::vector<std::string> items() const {
    std::lock_guard<std::mutex> lock(mu_);
    return items_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> items_;
};

// One parallel op that records itself once (by participant 0).
void op(ThreadPool& pool, Log& log, const std::string& name) {
  pool.run([&](int ith, int) {
    if (ith == 0) log.add(name);
  });
}

TEST(ComputePoolPreempt, BackgroundYieldsAtItsNextOpWhenServingWaits) {
  ComputePool cp(2);
  Log log;
  std::atomic<bool> op1_done{false}, go{false};
  std::thread bg([&] {
    const ComputePool::Lease lease = cp.acquire(Priority::Background);
    op(lease.pool(), log, "bg-op1");
    op1_done.store(true);
    spin_until([&] { return go.load(); });
    op(lease.pool(), log, "bg-op2");  // serving waits now: it runs before this op
  });
  spin_until([&] { return op1_done.load(); });
  std::thread serving([&] {
    const ComputePool::Lease lease = cp.acquire(Priority::Serving);
    op(lease.pool(), log, "serving");
  });
  spin_until([&] { return cp.waiting(Priority::Serving) == 1; });
  go.store(true);
  serving.join();
  bg.join();
  EXPECT_EQ(log.items(), (std::vector<std::string>{"bg-op1", "serving", "bg-op2"}));
  EXPECT_EQ(cp.yields(), 1u);
  EXPECT_EQ(cp.grants(), 2u);  // the resumed lease is not a new grant
  EXPECT_FALSE(cp.background_suspended());
}

TEST(ComputePoolPreempt, BackgroundRunsUninterruptedWhenServingIsIdle) {
  ComputePool cp(2);
  Log log;
  {
    const ComputePool::Lease lease = cp.acquire(Priority::Background);
    for (int i = 0; i < 100; ++i) op(lease.pool(), log, "bg");
    EXPECT_FALSE(lease.yield_to_serving());
  }
  EXPECT_EQ(log.items().size(), 100u);
  EXPECT_EQ(cp.yields(), 0u);
}

TEST(ComputePoolPreempt, BackgroundIsNotGrantedWhileActivityIsHeld) {
  ComputePool cp(2);
  std::atomic<bool> granted{false};
  std::atomic<int> activity_at_grant{-1};
  auto activity = std::make_unique<ComputePool::ServingActivity>(cp);
  std::thread bg([&] {
    const ComputePool::Lease lease = cp.acquire(Priority::Background);
    activity_at_grant.store(cp.serving_activity());
    granted.store(true);
  });
  spin_until([&] { return cp.waiting(Priority::Background) == 1 || granted.load(); });
  // Serving leases come and go (each release wakes the waiters); Background still waits.
  for (int i = 0; i < 3; ++i) {
    const ComputePool::Lease lease = cp.acquire(Priority::Serving);
    lease.pool().run([](int, int) {});
  }
  EXPECT_FALSE(granted.load());
  EXPECT_EQ(cp.waiting(Priority::Background), 1);
  activity.reset();  // serving idle: the Background request goes
  bg.join();
  EXPECT_TRUE(granted.load());
  EXPECT_EQ(activity_at_grant.load(), 0);
  EXPECT_EQ(cp.grants(), 4u);
}

TEST(ComputePoolPreempt, SuspendedBackgroundResumesAheadOfQueuedBackgroundWhenActivityEnds) {
  ComputePool cp(2);
  Log log;
  std::atomic<bool> op1_done{false}, go{false};
  std::thread first([&] {
    const ComputePool::Lease lease = cp.acquire(Priority::Background);
    op(lease.pool(), log, "first-op1");
    op1_done.store(true);
    spin_until([&] { return go.load(); });
    op(lease.pool(), log, "first-op2");  // activity is held: yields before this op
  });
  spin_until([&] { return op1_done.load(); });
  auto activity = std::make_unique<ComputePool::ServingActivity>(cp);
  go.store(true);
  spin_until([&] { return cp.background_suspended(); });
  std::thread second([&] {
    const ComputePool::Lease lease = cp.acquire(Priority::Background);
    op(lease.pool(), log, "second");
  });
  spin_until([&] { return cp.waiting(Priority::Background) == 1; });
  {  // the pool is lent to serving while the Background lease is suspended
    const ComputePool::Lease lease = cp.acquire(Priority::Serving);
    op(lease.pool(), log, "serving");
  }
  EXPECT_TRUE(cp.background_suspended());
  EXPECT_EQ(cp.waiting(Priority::Background), 1);
  activity.reset();  // no deadlock: the suspended lease resumes, then the queued one
  first.join();
  second.join();
  EXPECT_EQ(log.items(), (std::vector<std::string>{"first-op1", "serving", "first-op2", "second"}));
  EXPECT_EQ(cp.yields(), 1u);
  EXPECT_EQ(cp.serving_activity(), 0);
}

TEST(ComputePoolPreempt, ExplicitYieldHandsThePoolToWaitingServing) {
  ComputePool cp(2);
  Log log;
  std::atomic<bool> yielded{false};
  std::thread bg([&] {
    const ComputePool::Lease lease = cp.acquire(Priority::Background);
    log.add("bg-before");
    spin_until([&] { return cp.waiting(Priority::Serving) == 1; });
    yielded.store(lease.yield_to_serving());
    log.add("bg-after");
  });
  spin_until([&] { return !log.items().empty(); });
  std::thread serving([&] {
    const ComputePool::Lease lease = cp.acquire(Priority::Serving);
    log.add("serving");
  });
  serving.join();
  bg.join();
  EXPECT_TRUE(yielded.load());
  EXPECT_EQ(log.items(), (std::vector<std::string>{"bg-before", "serving", "bg-after"}));
}

TEST(ComputePoolPreempt, ServingLeasesAreNeverPreempted) {
  ComputePool cp(2);
  Log log;
  {
    const ComputePool::ServingActivity activity(cp);
    std::optional<ComputePool::Lease> lease;
    lease.emplace(cp.acquire(Priority::Serving));
    std::thread other([&] {
      const ComputePool::Lease l2 = cp.acquire(Priority::Serving);
      log.add("serving-2");
    });
    spin_until([&] { return cp.waiting(Priority::Serving) == 1; });
    EXPECT_FALSE(lease->yield_to_serving());
    op(lease->pool(), log, "serving-1");  // a Serving holder runs on, in order
    log.add("serving-1-done");
    lease.reset();
    other.join();
  }
  EXPECT_EQ(log.items(), (std::vector<std::string>{"serving-1", "serving-1-done", "serving-2"}));
  EXPECT_EQ(cp.yields(), 0u);
}

TEST(ComputePoolPreempt, ManyThreadsMixedPrioritiesWithActivityFinishAndStayExclusive) {
  ComputePool cp(3);
  std::atomic<int> holders{0}, max_holders{0};
  std::atomic<int64_t> sum{0};
  auto body = [&](const ComputePool::Lease& lease) {
    for (int k = 0; k < 5; ++k) {
      const int h = holders.fetch_add(1) + 1;
      int m = max_holders.load();
      while (h > m && !max_holders.compare_exchange_weak(m, h)) {
      }
      holders.fetch_sub(1);
      lease.pool().run([&](int ith, int) { sum.fetch_add(ith + 1); });
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 40; ++i) body(cp.acquire(Priority::Background));
    });
    threads.emplace_back([&] {
      for (int i = 0; i < 40; ++i) {
        const ComputePool::ServingActivity activity(cp);
        body(cp.acquire(Priority::Serving));
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(max_holders.load(), 1);
  EXPECT_EQ(sum.load(), int64_t(6 * 40 * 5) * (1 + 2 + 3));
  EXPECT_EQ(cp.serving_activity(), 0);
  EXPECT_FALSE(cp.background_suspended());
}

TEST(ThreadPoolPreemption, TheYieldHookRunsBeforeEveryRunWhileRequested) {
  ThreadPool pool(2);
  std::atomic<bool> requested{false};
  int calls = 0;
  pool.set_preemption(&requested, [](void* c) { ++*static_cast<int*>(c); }, &calls);
  pool.run([](int, int) {});
  EXPECT_EQ(calls, 0);
  requested.store(true);
  pool.run([](int, int) {});
  pool.run([](int, int) {});
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace ondo::core
