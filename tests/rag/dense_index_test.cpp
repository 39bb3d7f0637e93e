// DenseIndex: SIMD dot == scalar, exact search vs brute force, add/remove errors, HNSW recall,
// deletions in the graph. Persistence is in dense_index_file_test.cpp. Layer: rag tests.
#include "ondo/rag/dense_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <thread>

#include "rag/rag_test_util.h"

namespace ondo::rag {
namespace {

TEST(DenseDot, Avx2IsBitwiseEqualToScalar) {
  DotFn scalar = dense_dot_at("scalar");
  DotFn avx2 = dense_dot_at("avx2");
  ASSERT_NE(scalar, nullptr);
  if (avx2 == nullptr) GTEST_SKIP() << "this CPU has no AVX2/FMA";
  std::mt19937 rng(7);
  std::normal_distribution<float> nd(0.f, 1.f);
  // Odd lengths, tails of every size, the embedding widths in use.
  std::vector<size_t> lengths;
  for (size_t n = 0; n <= 80; ++n) lengths.push_back(n);
  for (size_t n : {127, 128, 129, 255, 384, 768, 1023, 1024, 4099}) lengths.push_back(n);
  for (size_t n : lengths) {
    for (int rep = 0; rep < 5; ++rep) {
      std::vector<float> a(n), b(n);
      for (size_t i = 0; i < n; ++i) {
        a[i] = nd(rng);
        b[i] = nd(rng) * (rep == 4 ? 1e30f : 1.f);  // rep 4: large magnitudes
      }
      const float s = scalar(a.data(), b.data(), n);
      const float v = avx2(a.data(), b.data(), n);
      uint32_t sb, vb;
      std::memcpy(&sb, &s, 4);
      std::memcpy(&vb, &v, 4);
      EXPECT_EQ(sb, vb) << "n=" << n << " rep=" << rep << " scalar " << s << " avx2 " << v;
    }
  }
  // Edge values: infinities and NaN propagate the same way.
  std::vector<float> a(37, 1.f), b(37, 1.f);
  a[36] = std::numeric_limits<float>::infinity();
  EXPECT_EQ(scalar(a.data(), b.data(), 37), avx2(a.data(), b.data(), 37));
  a[3] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_TRUE(std::isnan(scalar(a.data(), b.data(), 37)));
  EXPECT_TRUE(std::isnan(avx2(a.data(), b.data(), 37)));
  EXPECT_EQ(dense_dot_at("avx512"), nullptr);
}

TEST(DenseDot, ScalarIsAccurate) {
  std::mt19937 rng(3);
  std::normal_distribution<float> nd(0.f, 1.f);
  for (size_t n : {1, 7, 33, 384, 1000}) {
    std::vector<float> a(n), b(n);
    double exact = 0, mag = 0;
    for (size_t i = 0; i < n; ++i) {
      a[i] = nd(rng);
      b[i] = nd(rng);
      exact += static_cast<double>(a[i]) * b[i];
      mag += std::fabs(static_cast<double>(a[i]) * b[i]);
    }
    EXPECT_NEAR(dense_dot_at("scalar")(a.data(), b.data(), n), exact, 1e-6 * mag + 1e-7) << n;
    EXPECT_NEAR(dense_dot(a.data(), b.data(), n), exact, 1e-6 * mag + 1e-7) << n;
  }
}

TEST(DenseIndex, CreateValidatesOptions) {
  DenseIndexOptions o;
  o.dim = 0;
  auto r = DenseIndex::create(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "dense index options: dim must be 1..65536 (seen 0)");
  o.dim = 8;
  o.hnsw_m = 1;
  EXPECT_FALSE(DenseIndex::create(o).ok());
}

TEST(DenseIndex, AddAndRemoveErrors) {
  auto index = make_index(4, 1000);
  EXPECT_TRUE(index->add(1, std::vector<float>{1, 0, 0, 0}).ok());
  auto dup = index->add(1, std::vector<float>{0, 1, 0, 0});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().message, "vector 1: id already in the index");
  auto width = index->add(2, std::vector<float>{1, 0, 0});
  ASSERT_FALSE(width.ok());
  EXPECT_EQ(width.error().message, "vector 2: wrong width (seen 3, expected 4)");
  auto nan = index->add(3, std::vector<float>{1, NAN, 0, 0});
  ASSERT_FALSE(nan.ok());
  EXPECT_EQ(nan.error().message, "vector 3: value 1 is not finite");
  auto zero = index->add(4, std::vector<float>{0, 0, 0, 0});
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.error().message, "vector 4: all zeros (no direction)");
  auto gone = index->remove(9);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, ErrorCode::NotFound);
  EXPECT_EQ(index->size(), 1u);
  auto q = index->search(std::vector<float>{1, 0}, 1);
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.error().message, "query: wrong width (seen 2, expected 4)");
}

TEST(DenseIndex, ExactSearchMatchesBruteForce) {
  const int dim = 24;
  auto vecs = random_unit_vectors(600, dim, 11);
  auto index = make_index(dim, 100000);
  for (size_t i = 0; i < vecs.size(); ++i) ASSERT_TRUE(index->add(static_cast<int64_t>(i) * 3, vecs[i]).ok());
  auto queries = random_unit_vectors(20, dim, 12);
  for (const auto& q : queries) {
    auto hits = index->search(q, 10);
    ASSERT_TRUE(hits.ok());
    auto want = brute_force(vecs, q, 10, [](size_t i) { return static_cast<int64_t>(i) * 3; }, nullptr);
    ASSERT_EQ(hits->size(), 10u);
    for (size_t r = 0; r < 10; ++r) {
      EXPECT_EQ((*hits)[r].id, want[r]) << "rank " << r;
      if (r > 0) {
        EXPECT_GE((*hits)[r - 1].score, (*hits)[r].score);
      }
    }
    EXPECT_FALSE(index->has_graph());
  }
  // Non-unit input is normalised: a scaled copy of a stored vector scores 1 against it.
  std::vector<float> scaled = vecs[5];
  for (float& x : scaled) x *= 7.f;
  auto hits = index->search(scaled, 1);
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ((*hits)[0].id, 15);
  EXPECT_NEAR((*hits)[0].score, 1.f, 1e-5);
  // k larger than the index returns everything; k = 0 returns nothing.
  EXPECT_EQ(index->search(q_of(queries), 10000)->size(), 600u);
  EXPECT_TRUE(index->search(q_of(queries), 0)->empty());
}

TEST(DenseIndex, RemoveKeepsTheRestSearchable) {
  const int dim = 8;
  auto vecs = random_unit_vectors(50, dim, 5);
  auto index = make_index(dim, 100000);
  for (size_t i = 0; i < vecs.size(); ++i) ASSERT_TRUE(index->add(static_cast<int64_t>(i), vecs[i]).ok());
  for (int64_t id = 0; id < 50; id += 2) ASSERT_TRUE(index->remove(id).ok());
  EXPECT_EQ(index->size(), 25u);
  for (size_t i = 0; i < vecs.size(); ++i) {
    auto hits = index->search(vecs[i], 1);
    ASSERT_TRUE(hits.ok());
    if (i % 2 == 1) {
      EXPECT_EQ((*hits)[0].id, static_cast<int64_t>(i));  // itself, score 1
    } else {
      EXPECT_NE((*hits)[0].id, static_cast<int64_t>(i));
      EXPECT_FALSE(index->contains(static_cast<int64_t>(i)));
    }
  }
}

TEST(DenseIndex, HnswRecallAndDeletions) {
  const int dim = 32;
  const size_t n = 6000;
  auto vecs = random_unit_vectors(n, dim, 21);
  auto index = make_index(dim, 2000);
  for (size_t i = 0; i < n; ++i) {
    ASSERT_TRUE(index->add(static_cast<int64_t>(i), vecs[i]).ok());
    EXPECT_EQ(index->has_graph(), i + 1 >= 2000) << i;
  }
  auto queries = random_unit_vectors(100, dim, 22);
  auto id_of = [](size_t i) { return static_cast<int64_t>(i); };
  double found = 0;
  for (const auto& q : queries) {
    auto hits = index->search(q, 10);
    ASSERT_TRUE(hits.ok());
    ASSERT_EQ(hits->size(), 10u);
    auto want = brute_force(vecs, q, 10, id_of, nullptr);
    for (const Hit& h : *hits) found += std::count(want.begin(), want.end(), h.id);
  }
  const double recall = found / (10.0 * queries.size());
  EXPECT_GE(recall, 0.95) << "recall@10 " << recall;
  // Delete every third vector: the graph never returns them, the rest stay findable.
  std::vector<bool> alive(n, true);
  for (size_t i = 0; i < n; i += 3) {
    ASSERT_TRUE(index->remove(static_cast<int64_t>(i)).ok());
    alive[i] = false;
  }
  for (const auto& q : queries) {
    for (const Hit& h : index->search_graph(q, 200)) EXPECT_TRUE(alive[static_cast<size_t>(h.id)]) << h.id;
  }
  size_t self = 0;
  for (size_t i = 1; i < n; i += 30) {
    auto hits = index->search(vecs[i], 1);
    ASSERT_TRUE(hits.ok());
    if (alive[i] && (*hits)[0].id == static_cast<int64_t>(i)) ++self;
  }
  EXPECT_GE(self, 190u);  // 200 probes, all alive (i % 3 == 1)
  // Re-adding a removed id works (hnswlib revives the label).
  ASSERT_TRUE(index->add(0, vecs[0]).ok());
  EXPECT_EQ(index->search(vecs[0], 1)->at(0).id, 0);
}

TEST(DenseIndex, GraphCompactsAfterManyRemovals) {
  const int dim = 8;
  const size_t n = 3000;
  auto vecs = random_unit_vectors(n, dim, 31);
  auto index = make_index(dim, 100);
  for (size_t i = 0; i < n; ++i) ASSERT_TRUE(index->add(static_cast<int64_t>(i), vecs[i]).ok());
  for (size_t i = 0; i < 2500; ++i) ASSERT_TRUE(index->remove(static_cast<int64_t>(i)).ok());
  EXPECT_EQ(index->size(), 500u);
  EXPECT_TRUE(index->has_graph());
  for (size_t i = 2500; i < n; i += 50) EXPECT_EQ(index->search(vecs[i], 1)->at(0).id, static_cast<int64_t>(i));
}

TEST(DenseIndex, ConcurrentSearchesDuringAdds) {
  const int dim = 16;
  auto vecs = random_unit_vectors(3000, dim, 41);
  auto index = make_index(dim, 1000);
  for (size_t i = 0; i < 1500; ++i) ASSERT_TRUE(index->add(static_cast<int64_t>(i), vecs[i]).ok());
  std::atomic<bool> done{false};
  std::atomic<int> bad{0};
  std::thread reader([&] {
    while (!done) {
      auto hits = index->search(vecs[7], 5);
      if (!hits.ok() || hits->empty() || (*hits)[0].id != 7) ++bad;
    }
  });
  for (size_t i = 1500; i < 3000; ++i) ASSERT_TRUE(index->add(static_cast<int64_t>(i), vecs[i]).ok());
  done = true;
  reader.join();
  EXPECT_EQ(bad.load(), 0);
}

}  // namespace
}  // namespace ondo::rag
