// Central finite-difference gradient checks shared by the train tests. Layer: tests/train.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "ondo/train/config.h"

namespace ondo::train::testing {

// Fills v with N(0, sd) from a seeded generator.
inline std::vector<float> randn(size_t n, uint64_t seed, float sd = 1.0f) {
  Rng r(seed);
  std::vector<float> v(n);
  for (float& x : v) x = r.normal(sd);
  return v;
}

// sum_i a[i] * r[i] in double: the scalar "loss" whose gradient wrt a is r.
inline double weighted_sum(const float* a, const std::vector<float>& r) {
  double s = 0.0;
  for (size_t i = 0; i < r.size(); ++i) s += double(a[i]) * double(r[i]);
  return s;
}

// Compares analytic[i] with (f(x + eps e_i) - f(x - eps e_i)) / 2 eps for up to `max_checks`
// indices spread over x (all when x is small). x is restored after each probe.
inline void expect_grad(const std::string& what, std::vector<float>& x, const std::vector<float>& analytic,
                        const std::function<double()>& f, double eps = 1e-2, double atol = 1e-3,
                        double rtol = 2e-2, size_t max_checks = 64) {
  ASSERT_EQ(x.size(), analytic.size()) << what;
  const size_t stride = x.size() <= max_checks ? 1 : x.size() / max_checks;
  size_t checked = 0;
  for (size_t i = 0; i < x.size(); i += stride) {
    const float orig = x[i];
    x[i] = float(double(orig) + eps);
    const double up = f();
    x[i] = float(double(orig) - eps);
    const double down = f();
    x[i] = orig;
    const double num = (up - down) / (2.0 * eps);
    EXPECT_NEAR(analytic[i], num, atol + rtol * std::fabs(num)) << what << " index " << i;
    ++checked;
  }
  EXPECT_GT(checked, 0u) << what;
}

}  // namespace ondo::train::testing
