// The triad kernel behind bench/membw and `ondo bench --triad`: it computes a = b + 3c over the
// whole arrays at any thread count, and reports GB/s from 24 bytes per element. No timing is
// asserted. Layer: core tests.
#include <gtest/gtest.h>

#include <cmath>

#include "ondo/core/membw.h"

namespace ondo::core {
namespace {

TEST(Triad, ComputesTheTriadOverEveryElementAtAnyThreadCount) {
  for (int threads : {1, 3}) {
    auto t = TriadArrays::create(100003);  // odd size: uneven per-thread ranges
    ASSERT_TRUE(t.ok());
    ThreadPool pool(threads);
    (*t)->init(pool);
    EXPECT_FALSE((*t)->check());  // a is still 0
    const TriadResult r = (*t)->measure(pool, 2);
    EXPECT_TRUE((*t)->check()) << threads << " threads";
    EXPECT_EQ(r.n_threads, threads);
    EXPECT_GT(r.best_seconds, 0.0);
    EXPECT_NEAR(r.best_gbs, 24.0 * 100003 / r.best_seconds / 1e9, 1e-9 * r.best_gbs);
    EXPECT_GE(r.best_gbs, r.mean_gbs);
  }
}

TEST(Triad, MeasureTriadAllocatesAndChecks) {
  ThreadPool pool(2);
  auto r = measure_triad(pool, 1, 1);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(std::isfinite(r->best_gbs));
  EXPECT_GT(r->best_gbs, 0.0);
  EXPECT_FALSE(TriadArrays::create(0).ok());
}

}  // namespace
}  // namespace ondo::core
