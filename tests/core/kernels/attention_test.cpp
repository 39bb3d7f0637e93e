// The AVX2 attention kernel against the scalar oracle, and both against float64.
#include "ondo/core/kernels/attention.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "ondo/core/kernels/dispatch.h"

namespace ondo::core {
namespace {

TEST(Attention, SimdMatchesScalarAndDouble) {
  std::mt19937 rng(3);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  for (int32_t D : {8, 64, 128, 6}) {
    for (int32_t n : {1, 2, 17, 300}) {
      const int64_t stride = D + 16;
      std::vector<float> q(static_cast<size_t>(D)), k(static_cast<size_t>(n * stride)), v(k.size()), sc(static_cast<size_t>(n));
      for (auto& x : q) x = nd(rng);
      for (auto& x : k) x = nd(rng);
      for (auto& x : v) x = nd(rng);
      const float scale = 1.0f / std::sqrt(float(D));
      std::vector<float> a(static_cast<size_t>(D)), b(static_cast<size_t>(D));
      attend_scalar(q.data(), k.data(), v.data(), stride, n, D, scale, sc.data(), a.data());
      // float64 reference
      std::vector<double> s(static_cast<size_t>(n)), ref(static_cast<size_t>(D), 0.0);
      double mx = -1e300, sum = 0;
      for (int32_t j = 0; j < n; ++j) {
        double dot = 0;
        for (int32_t d = 0; d < D; ++d) dot += double(q[size_t(d)]) * k[size_t(j * stride + d)];
        s[size_t(j)] = dot * scale;
        mx = std::max(mx, s[size_t(j)]);
      }
      for (auto& x : s) sum += (x = std::exp(x - mx));
      for (int32_t j = 0; j < n; ++j) {
        for (int32_t d = 0; d < D; ++d) ref[size_t(d)] += s[size_t(j)] / sum * v[size_t(j * stride + d)];
      }
      for (int32_t d = 0; d < D; ++d) EXPECT_NEAR(a[size_t(d)], ref[size_t(d)], 1e-5) << "scalar D " << D << " n " << n;
#if defined(__x86_64__)
      if (kernels::level_supported(kernels::SimdLevel::Avx2)) {
        attend_avx2(q.data(), k.data(), v.data(), stride, n, D, scale, sc.data(), b.data());
        for (int32_t d = 0; d < D; ++d) EXPECT_NEAR(b[size_t(d)], ref[size_t(d)], 1e-5) << "avx2 D " << D << " n " << n;
      }
#endif
    }
  }
}

}  // namespace
}  // namespace ondo::core
