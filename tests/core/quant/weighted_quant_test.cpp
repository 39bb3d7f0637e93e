// Importance-weighted quantization (core/quant/weighted.h): on random rows with skewed
// importance the weighted quantizer's importance-weighted error is never above the
// unweighted one's; uniform importance stays close to unweighted quality; the blocks decode
// with the ordinary dequantizers; all-zero and non-finite rows behave. Layer: core (tests).
#include "ondo/core/quant/weighted.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "ondo/core/dtype.h"

namespace ondo::core {
namespace {

using quant::quantize_row_weighted;

const DType kTypes[] = {DType::Q2_K, DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K,
                        DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1};

std::vector<uint8_t> row_buffer(DType t, int64_t n) {
  const DTypeInfo& info = dtype_info(t);
  return std::vector<uint8_t>(size_t(n / info.block_size * info.block_bytes));
}

std::vector<float> decode(DType t, const std::vector<uint8_t>& b, int64_t n) {
  std::vector<float> y(static_cast<size_t>(n));
  dtype_info(t).scalar.to_float(b.data(), y.data(), n);
  return y;
}

// sum_i qw[i] * (x[i] - y[i])^2
double weighted_error(const std::vector<float>& x, const std::vector<float>& y, const std::vector<float>& qw) {
  double e = 0;
  for (size_t i = 0; i < x.size(); ++i) e += double(qw[i]) * (double(x[i]) - y[i]) * (double(x[i]) - y[i]);
  return e;
}

struct Errors {
  double weighted = 0;    // weighted quantizer
  double unweighted = 0;  // the plain (llama.cpp reference) quantizer
};

Errors errors(DType t, const std::vector<float>& x, const std::vector<float>& qw) {
  const int64_t n = int64_t(x.size());
  std::vector<uint8_t> a = row_buffer(t, n), b = row_buffer(t, n);
  quantize_row_weighted(t, x.data(), a.data(), n, qw.data());
  dtype_info(t).scalar.from_float(x.data(), b.data(), n);
  return {weighted_error(x, decode(t, a, n), qw), weighted_error(x, decode(t, b, n), qw)};
}

// Importance as activations make it: log-normal per column, a few columns far larger.
std::vector<float> skewed_importance(int64_t n, std::mt19937& rng) {
  std::normal_distribution<float> g(0.f, 1.5f);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  std::vector<float> qw(static_cast<size_t>(n));
  for (float& w : qw) w = std::exp(g(rng)) * (u(rng) < 0.03f ? 100.f : 1.f);
  return qw;
}

TEST(WeightedQuant, CoversTheTypesLlamaCppWeights) {
  for (DType t : kTypes) EXPECT_TRUE(quant::has_weighted_quantizer(t)) << dtype_name(t);
  for (DType t : {DType::F32, DType::F16, DType::BF16, DType::Q8_0, DType::Q8_K}) {
    EXPECT_FALSE(quant::has_weighted_quantizer(t)) << dtype_name(t);
  }
}

TEST(WeightedQuant, SkewedImportanceNeverLosesToUnweighted) {
  const int64_t n = 512;
  for (DType t : kTypes) {
    double total_w = 0, total_u = 0;
    for (uint32_t seed = 1; seed <= 40; ++seed) {
      std::mt19937 rng(seed * 7919u + uint32_t(t));
      std::normal_distribution<float> g(0.f, 0.02f);
      std::vector<float> x(static_cast<size_t>(n));
      for (float& v : x) v = g(rng);
      const std::vector<float> qw = skewed_importance(n, rng);
      const Errors e = errors(t, x, qw);
      EXPECT_LE(e.weighted, e.unweighted) << dtype_name(t) << " seed " << seed;
      total_w += e.weighted;
      total_u += e.unweighted;
    }
    // and by a margin worth having over all the rows
    EXPECT_LT(total_w, 0.9 * total_u) << dtype_name(t) << ": weighted " << total_w << " vs " << total_u;
  }
}

TEST(WeightedQuant, UniformImportanceKeepsPlainQuality) {
  const int64_t n = 1024;
  std::mt19937 rng(5);
  std::normal_distribution<float> g(0.f, 1.f);
  std::vector<float> x(static_cast<size_t>(n));
  for (float& v : x) v = g(rng);
  const std::vector<float> ones(size_t(n), 1.f);
  for (DType t : kTypes) {
    const Errors e = errors(t, x, ones);
    EXPECT_LT(e.weighted, 1.15 * e.unweighted) << dtype_name(t);
  }
}

TEST(WeightedQuant, ZeroRowsAndZeroImportanceGiveFiniteBlocks) {
  const int64_t n = 256;
  const std::vector<float> zeros(size_t(n), 0.f), ones(size_t(n), 1.f);
  std::vector<float> x(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) x[size_t(i)] = std::sin(float(i));
  for (DType t : kTypes) {
    std::vector<uint8_t> b = row_buffer(t, n);
    quantize_row_weighted(t, zeros.data(), b.data(), n, ones.data());
    for (float v : decode(t, b, n)) EXPECT_EQ(v, 0.f) << dtype_name(t);
    quantize_row_weighted(t, x.data(), b.data(), n, zeros.data());
    for (float v : decode(t, b, n)) EXPECT_TRUE(std::isfinite(v)) << dtype_name(t);
  }
}

TEST(WeightedQuant, NonFiniteRowsKeepThePlainQuantizersPolicy) {
  const int64_t n = 256;
  std::vector<float> x(size_t(n), 0.5f);
  x[7] = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> ones(size_t(n), 1.f);
  for (DType t : kTypes) {
    std::vector<uint8_t> a = row_buffer(t, n), b = row_buffer(t, n);
    quantize_row_weighted(t, x.data(), a.data(), n, ones.data());
    dtype_info(t).scalar.from_float(x.data(), b.data(), n);
    EXPECT_EQ(a, b) << dtype_name(t);
  }
}

}  // namespace
}  // namespace ondo::core
