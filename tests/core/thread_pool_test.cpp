// ThreadPool: every participant runs once per run(), barriers order phases, repeated runs.
#include "ondo/core/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

namespace ondo::core {
namespace {

TEST(ThreadPool, EveryParticipantRunsOnce) {
  for (int n : {1, 2, 3, 5}) {
    ThreadPool pool(n);
    std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
    pool.run([&](int ith, int nth) {
      EXPECT_EQ(nth, n);
      hits[size_t(ith)].fetch_add(1);
    });
    for (auto& h : hits) EXPECT_EQ(h.load(), 1);
  }
}

TEST(ThreadPool, BarrierSeparatesPhases) {
  ThreadPool pool(4);
  std::vector<int> data(4, 0);
  std::atomic<int> wrong{0};
  for (int round = 0; round < 50; ++round) {
    pool.run([&](int ith, int nth) {
      data[size_t(ith)] = round + 1;
      pool.barrier();
      for (int j = 0; j < nth; ++j) {
        if (data[size_t(j)] != round + 1) wrong.fetch_add(1);
      }
      pool.barrier();
    });
  }
  EXPECT_EQ(wrong.load(), 0);
}

TEST(ThreadPool, SplitRangeCoversExactlyOnce) {
  for (int64_t n : {0, 1, 7, 100, 1023}) {
    for (int nth : {1, 2, 3, 8}) {
      int64_t next = 0;
      for (int ith = 0; ith < nth; ++ith) {
        int64_t b, e;
        split_range(n, ith, nth, &b, &e);
        EXPECT_EQ(b, next);
        EXPECT_LE(e - b, n / nth + 1);
        next = e;
      }
      EXPECT_EQ(next, n);
    }
  }
}

TEST(ThreadPool, ManyShortRunsSumCorrectly) {
  ThreadPool pool(2);
  std::atomic<int64_t> sum{0};
  for (int i = 0; i < 5000; ++i) {
    pool.run([&](int ith, int) { sum.fetch_add(ith + 1); });
  }
  EXPECT_EQ(sum.load(), 5000 * 3);
}

}  // namespace
}  // namespace ondo::core
