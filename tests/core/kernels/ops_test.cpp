// Row kernels of the forward pass against float64 formulas.
#include "ondo/core/kernels/ops.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace ondo::core {
namespace {

std::vector<float> randn(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

TEST(Ops, RmsNormMatchesDouble) {
  auto x = randn(257, 1), w = randn(257, 2);
  std::vector<float> y(257);
  rms_norm(x.data(), w.data(), 1e-5f, 257, y.data());
  double ss = 0;
  for (float v : x) ss += double(v) * v;
  const double scale = 1.0 / std::sqrt(ss / 257 + 1e-5);
  for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(y[i], x[i] * scale * w[i], 1e-5 * std::fabs(x[i] * scale * w[i]) + 1e-6);
}

// theta_i = pos * base^(-2i/n) / ff_i; Normal rotates (2i, 2i+1), Neox (i, i + n/2).
void rope_double(std::vector<double>& x, int head_dim, int n_dims, int pos, double base, RopeStyle style,
                 const float* ff) {
  for (int i = 0; i < n_dims / 2; ++i) {
    const double theta = pos * std::pow(base, -2.0 * i / n_dims) / (ff ? ff[i] : 1.0);
    const int a = style == RopeStyle::Normal ? 2 * i : i;
    const int b = style == RopeStyle::Normal ? 2 * i + 1 : i + n_dims / 2;
    const double x0 = x[size_t(a)], x1 = x[size_t(b)];
    x[size_t(a)] = x0 * std::cos(theta) - x1 * std::sin(theta);
    x[size_t(b)] = x0 * std::sin(theta) + x1 * std::cos(theta);
  }
  (void)head_dim;
}

TEST(Ops, RopeMatchesDoubleForBothStylesAndFreqFactors) {
  const float ff[4] = {1.0f, 1.0f, 2.69453f, 8.0f};
  for (RopeStyle style : {RopeStyle::Normal, RopeStyle::Neox}) {
    for (const float* factors : {static_cast<const float*>(nullptr), ff}) {
      for (int pos : {0, 1, 17, 255}) {
        auto x = randn(8, uint32_t(pos + 3));
        std::vector<double> ref(x.begin(), x.end());
        RopeParams p{style, 8, 10000.0f, factors};
        rope(x.data(), 1, 8, pos, p);
        rope_double(ref, 8, 8, pos, 10000.0, style, factors);
        for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(x[i], ref[i], 2e-5 * (1 + pos / 16.0)) << i << " pos " << pos;
      }
    }
  }
}

TEST(Ops, RopePositionZeroIsIdentity) {
  auto x = randn(64, 9);
  auto y = x;
  rope(y.data(), 2, 32, 0, RopeParams{RopeStyle::Neox, 32, 1e6f, nullptr});
  EXPECT_EQ(x, y);
}

TEST(Ops, SoftmaxSumsToOneAndIsStable) {
  std::vector<float> v = {1000.0f, 1001.0f, -1e30f, 999.0f};
  softmax(v.data(), int64_t(v.size()));
  double s = 0;
  for (float p : v) {
    EXPECT_TRUE(std::isfinite(p));
    s += p;
  }
  EXPECT_NEAR(s, 1.0, 1e-6);
  EXPECT_GT(v[1], v[0]);
  EXPECT_EQ(v[2], 0.0f);
}

TEST(Ops, SwigluMatchesFormula) {
  auto g = randn(33, 4), u = randn(33, 5);
  std::vector<float> y(33);
  swiglu(g.data(), u.data(), 33, y.data());
  for (size_t i = 0; i < y.size(); ++i) {
    const double s = g[i] / (1.0 + std::exp(-double(g[i])));
    EXPECT_NEAR(y[i], s * u[i], 1e-5);
  }
}

}  // namespace
}  // namespace ondo::core
