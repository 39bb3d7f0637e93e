// prepare_weights (core/kernels/prepare.h): which weights get the kernel-private layout on
// this CPU, that products and row lookups are bitwise those of the file layout, that tensors
// sharing bytes are copied once, and that every source byte is released exactly once, with
// and without a pool. Layer: core (tests).
#include "ondo/core/kernels/prepare.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <vector>

#include "ondo/core/kernels/dispatch.h"
#include "ondo/core/kernels/matmul.h"
#include "core/kernels/random_weight.h"

namespace ondo::core {
namespace {

using ondo::core::testing::random_weight;
using ondo::core::testing::Weight;

std::vector<float> product(const PreparedTensor& w, const std::vector<float>& x, int64_t T) {
  ThreadPool pool(2);
  MatmulScratch scratch;
  std::vector<float> y(size_t(T * w.rows()));
  matmul(w, x.data(), T, y.data(), w.rows(), scratch, pool);
  return y;
}

void check_prepare(ThreadPool* pool) {
  const int64_t K = 512, N = 64 * 16 + 32;  // more than one slice of rows
  const Weight q4k = random_weight(DType::Q4_K, K, N, 1), q6k = random_weight(DType::Q6_K, K, 48, 2);
  const Weight q8 = random_weight(DType::Q8_0, K, 32, 3);
  PreparedTensor a = q4k.t, alias = q4k.t, b = q6k.t, c = q8.t;
  const std::vector<PreparedTensor> before = {a, b, c};

  std::mutex mu;
  std::map<const uint8_t*, size_t> released;  // start -> bytes
  PreparedStore store;
  PreparedTensor* ws[] = {&a, &b, &alias, &c};
  prepare_weights(ws, pool, store, [&](const void* p, size_t n) {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_TRUE(released.emplace(static_cast<const uint8_t*>(p), n).second) << "released twice";
  });

  const bool private_layout = kernels::level_supported(kernels::SimdLevel::Avx512);
  EXPECT_EQ(has_prepared_layout(DType::Q4_K, N), private_layout);
  EXPECT_FALSE(has_prepared_layout(DType::Q4_K, N + 8)) << "rows not a multiple of 16";
  EXPECT_FALSE(has_prepared_layout(DType::Q8_0, 32));
  EXPECT_EQ(c.layout(), WeightLayout::File);
  EXPECT_EQ(c.data(), q8.t.data) << "no layout for Q8_0: the file's bytes stay";
  const WeightLayout want = private_layout ? WeightLayout::Rows16 : WeightLayout::File;
  for (const PreparedTensor* p : {&a, &alias, &b}) EXPECT_EQ(p->layout(), want) << p->rows();
  EXPECT_EQ(alias.data(), a.data()) << "entries sharing bytes share the copy";
  EXPECT_EQ(store.n_buffers(), private_layout ? 2u : 0u);
  if (private_layout) {
    EXPECT_NE(a.data(), q4k.t.data);
    // every source byte of the two copied tensors released exactly once, in whole slices
    std::map<const void*, size_t> total;
    for (const auto& [p, n] : released) {
      const Weight& src = (p >= q4k.bytes.data() && p < q4k.bytes.data() + q4k.bytes.size()) ? q4k : q6k;
      ASSERT_LE(p + n, src.bytes.data() + src.bytes.size());
      total[src.bytes.data()] += n;
    }
    EXPECT_EQ(total[q4k.bytes.data()], q4k.bytes.size());
    EXPECT_EQ(total[q6k.bytes.data()], q6k.bytes.size());
  }

  std::mt19937 rng(5);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  for (int64_t T : {1, 7}) {
    std::vector<float> x(size_t(T * K));
    for (auto& v : x) v = nd(rng);
    for (size_t i = 0; i < 2; ++i) {
      const PreparedTensor& now = i == 0 ? a : b;
      const std::vector<float> got = product(now, x, T), ref = product(before[i], x, T);
      ASSERT_EQ(0, std::memcmp(got.data(), ref.data(), got.size() * sizeof(float))) << "T " << T << " tensor " << i;
    }
  }
  std::vector<float> got(static_cast<size_t>(K)), ref(static_cast<size_t>(K));
  for (int64_t r : {int64_t(0), int64_t(17), N - 1}) {
    get_row(a, r, got.data());
    get_row(before[0], r, ref.data());
    ASSERT_EQ(got, ref) << "row " << r;
  }
}

TEST(PrepareWeights, OnThePool) {
  ThreadPool pool(2);
  check_prepare(&pool);
}

TEST(PrepareWeights, SingleThreadedWithoutAPool) { check_prepare(nullptr); }

TEST(PrepareWeights, NothingToPrepareLeavesEverythingAlone) {
  const Weight f32 = random_weight(DType::F32, 64, 16, 9);
  PreparedTensor w = f32.t;
  PreparedStore store;
  PreparedTensor* ws[] = {&w};
  int releases = 0;
  prepare_weights(ws, nullptr, store, [&](const void*, size_t) { ++releases; });
  EXPECT_EQ(w.data(), f32.t.data);
  EXPECT_EQ(w.layout(), WeightLayout::File);
  EXPECT_EQ(releases, 0);
  EXPECT_EQ(store.n_buffers(), 0u);
}

}  // namespace
}  // namespace ondo::core
