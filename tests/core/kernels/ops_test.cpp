// Row kernels of the forward pass against float64 formulas.
#include "ondo/core/kernels/ops.h"

#include <gtest/gtest.h>

#include "ondo/core/fp16.h"

#include <cmath>
#include <iterator>
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

TEST(Ops, LayerNormMatchesDouble) {
  auto x = randn(301, 3), w = randn(301, 4), b = randn(301, 5);
  for (float& v : x) v = v * 3.0f + 2.0f;  // a non-zero mean
  std::vector<float> y(301);
  layer_norm(x.data(), w.data(), b.data(), 1e-12f, 301, y.data());
  double mean = 0, var = 0;
  for (float v : x) mean += v;
  mean /= 301;
  for (float v : x) var += (v - mean) * (v - mean);
  var /= 301;
  for (size_t i = 0; i < x.size(); ++i) {
    const double want = (x[i] - mean) / std::sqrt(var + 1e-12) * w[i] + b[i];
    EXPECT_NEAR(y[i], want, 2e-6 * (std::fabs(want) + 1.0)) << i;
  }
  // No weight, no bias, in place: zero mean and unit variance.
  layer_norm(x.data(), nullptr, nullptr, 1e-5f, 301, x.data());
  double m2 = 0, v2 = 0;
  for (float v : x) m2 += v;
  for (float v : x) v2 += double(v) * v;
  EXPECT_NEAR(m2 / 301, 0.0, 1e-6);
  EXPECT_NEAR(v2 / 301, 1.0, 1e-4);
}

TEST(Ops, GeluIsTheFp16TableOfTheTanhForm) {
  // Edges: the cut-offs at +-10 and exact values at 0.
  const float xs[] = {-11.0f, -10.0f, -9.99f, -3.0f, -0.5f, 0.0f, 1e-3f, 0.5f, 1.0f, 3.0f, 9.99f, 10.0f, 25.0f};
  float y[std::size(xs)];
  gelu(xs, int64_t(std::size(xs)), y);
  EXPECT_EQ(y[0], 0.0f);
  EXPECT_EQ(y[1], 0.0f);
  EXPECT_EQ(y[5], 0.0f);
  EXPECT_EQ(y[11], 10.0f);
  EXPECT_EQ(y[12], 25.0f);
  for (size_t i = 2; i < 11; ++i) {
    // The table's value: the input rounded to fp16, gelu in float, the result rounded to fp16.
    const float want = fp16_to_f32(f32_to_fp16(gelu_tanh_exact(fp16_to_f32(f32_to_fp16(xs[i])))));
    EXPECT_EQ(y[i], want) << xs[i];
    // And close to the double-precision tanh form (fp16 rounding of input and output).
    const double x = xs[i];
    const double g = 0.5 * x * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
    EXPECT_NEAR(y[i], g, 2e-3 * (std::fabs(g) + 0.05)) << xs[i];
  }
  // Over a sweep, the table stays within fp16 rounding of the exact form.
  auto x = randn(4096, 6);
  std::vector<float> out(x.size());
  gelu(x.data(), int64_t(x.size()), out.data());
  for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(out[i], gelu_tanh_exact(x[i]), 4e-3 * (std::fabs(x[i]) + 0.01));
}

TEST(Ops, L2NormalizeGivesUnitNorm) {
  auto x = randn(384, 7);
  std::vector<float> y = x;
  l2_normalize(y.data(), int64_t(y.size()));
  double ss = 0, xs = 0;
  for (float v : y) ss += double(v) * v;
  for (float v : x) xs += double(v) * v;
  EXPECT_NEAR(ss, 1.0, 1e-6);
  const float norm = float(1.0 / std::sqrt(xs));
  for (size_t i = 0; i < x.size(); ++i) EXPECT_EQ(y[i], x[i] * norm);
  std::vector<float> zeros(8, 0.0f);
  l2_normalize(zeros.data(), 8);
  for (float v : zeros) EXPECT_EQ(v, 0.0f);
}

}  // namespace
}  // namespace ondo::core
