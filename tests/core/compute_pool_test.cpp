// ComputePool: leases are exclusive, serving work is granted before background work,
// first come first served within a priority, and run()s never exceed the pool's size.
#include "ondo/core/compute_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ondo::core {
namespace {

void wait_for_waiters(const ComputePool& cp, Priority p, int n) {
  while (cp.waiting(p) < n) std::this_thread::yield();
}

TEST(ComputePool, ServingIsGrantedBeforeBackground) {
  ComputePool cp(2);
  std::mutex mu;
  std::vector<std::string> order;
  auto take = [&](Priority p, std::string name) {
    ComputePool::Lease lease = cp.acquire(p);
    std::lock_guard<std::mutex> lock(mu);
    order.push_back(std::move(name));
  };
  std::vector<std::thread> threads;
  {
    ComputePool::Lease held = cp.acquire(Priority::Background);
    threads.emplace_back(take, Priority::Background, "background-1");
    wait_for_waiters(cp, Priority::Background, 1);
    threads.emplace_back(take, Priority::Background, "background-2");
    wait_for_waiters(cp, Priority::Background, 2);
    threads.emplace_back(take, Priority::Serving, "serving-1");
    wait_for_waiters(cp, Priority::Serving, 1);
    threads.emplace_back(take, Priority::Serving, "serving-2");
    wait_for_waiters(cp, Priority::Serving, 2);
  }  // released: the four waiters go in priority order, first come first served within one
  for (auto& t : threads) t.join();
  EXPECT_EQ(order, (std::vector<std::string>{"serving-1", "serving-2", "background-1", "background-2"}));
  EXPECT_EQ(cp.grants(), 5u);
  EXPECT_EQ(cp.waiting(Priority::Serving), 0);
  EXPECT_EQ(cp.waiting(Priority::Background), 0);
}

TEST(ComputePool, LeasesAreExclusiveAndRunsStayWithinTheSize) {
  ComputePool cp(3);
  ThreadPool::reset_peak_participants();
  std::atomic<int> holders{0}, max_holders{0}, inside{0}, max_inside{0};
  auto worker = [&](Priority p) {
    for (int i = 0; i < 50; ++i) {
      ComputePool::Lease lease = cp.acquire(p);
      const int h = holders.fetch_add(1) + 1;
      int m = max_holders.load();
      while (h > m && !max_holders.compare_exchange_weak(m, h)) {
      }
      lease.pool().run([&](int, int nth) {
        EXPECT_EQ(nth, 3);
        const int now = inside.fetch_add(1) + 1;
        int mi = max_inside.load();
        while (now > mi && !max_inside.compare_exchange_weak(mi, now)) {
        }
        inside.fetch_sub(1);
      });
      holders.fetch_sub(1);
    }
  };
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k) threads.emplace_back(worker, k % 2 ? Priority::Background : Priority::Serving);
  for (auto& t : threads) t.join();
  EXPECT_EQ(max_holders.load(), 1);
  EXPECT_LE(max_inside.load(), 3);
  EXPECT_EQ(ThreadPool::peak_participants(), 3);
  EXPECT_EQ(cp.grants(), 200u);
}

TEST(ThreadPool, PeakParticipantsCountsOverlappingPools) {
  ThreadPool a(2), b(2);
  ThreadPool::reset_peak_participants();
  std::atomic<bool> a_inside{false}, release{false};
  std::thread t([&] {
    a.run([&](int ith, int) {
      if (ith != 0) return;
      a_inside.store(true);
      while (!release.load()) std::this_thread::yield();
    });
  });
  while (!a_inside.load()) std::this_thread::yield();
  b.run([](int, int) {});  // two pools of 2 at once: 4 participants
  release.store(true);
  t.join();
  EXPECT_EQ(ThreadPool::peak_participants(), 4);
}

}  // namespace
}  // namespace ondo::core
