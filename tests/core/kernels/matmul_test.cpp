// matmul_many (several products of one input in one pool pass) is bitwise matmul, for
// outputs whose weight types need different activation formats, any T and thread count.
#include "ondo/core/kernels/matmul.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "core/kernels/random_weight.h"

namespace ondo::core {
namespace {

using ondo::core::testing::random_weight;
using ondo::core::testing::Weight;

TEST(Matmul, ManyEqualsSeparateBitwise) {
  const int64_t K = 512;
  Weight a = random_weight(DType::Q4_K, K, 37, 1), b = random_weight(DType::Q6_K, K, 70, 2),
         c = random_weight(DType::F32, K, 9, 3);
  std::mt19937 rng(9);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  for (int64_t T : {1, 3, 17}) {
    std::vector<float> x(static_cast<size_t>(T * K));
    for (auto& v : x) v = nd(rng);
    for (int threads : {1, 2, 3}) {
      ThreadPool pool(threads);
      MatmulScratch scratch;
      std::vector<float> ya(static_cast<size_t>(T * 37)), yb(static_cast<size_t>(T * 70)), yc(static_cast<size_t>(T * 9));
      matmul(a.t, x.data(), T, ya.data(), 37, scratch, pool);
      matmul(b.t, x.data(), T, yb.data(), 70, scratch, pool);
      matmul(c.t, x.data(), T, yc.data(), 9, scratch, pool);
      std::vector<float> za(ya.size()), zb(yb.size()), zc(yc.size());
      const PreparedTensor pa = a.t, pb = b.t, pc = c.t;
      const MatmulOutput outs[] = {{&pa, za.data(), 37}, {&pb, zb.data(), 70}, {&pc, zc.data(), 9}};
      matmul_many(outs, x.data(), T, scratch, pool);
      EXPECT_EQ(za, ya) << "T " << T << " threads " << threads;
      EXPECT_EQ(zb, yb) << "T " << T << " threads " << threads;
      EXPECT_EQ(zc, yc) << "T " << T << " threads " << threads;
    }
  }
}

}  // namespace
}  // namespace ondo::core
