// Property tests of the legacy quant references through the dtype registry: seeded
// round-trip error bounds, zeros, large and tiny magnitudes, the NaN policy, ragged rows,
// and vec_dot against the dot of dequantized rows. Layer: core (tests).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "ondo/core/dtype.h"
#include "ondo/core/fp16.h"
#include "ondo/core/quant/blocks.h"
#include "ondo/core/quant/reference.h"

namespace ondo::core {
namespace {

struct Bound { DType type; double nmse; double step_frac; };  // step_frac: max |err| / block amax

// NMSE bounds for uniform data in [-1, 1] (expected values: Q4 ~4e-3, Q5 ~1e-3, Q8 ~3e-5);
// per-element bounds: Q4_0/Q5_0 lose up to one step on the clamped extreme, _1 types half a
// step, plus the fp16 rounding of d and m.
const Bound kBounds[] = {
    {DType::F16, 1e-7, 1.0 / 1024}, {DType::BF16, 1e-5, 1.0 / 128},
    {DType::Q4_0, 8e-3, 1.0 / 8 + 1e-2}, {DType::Q4_1, 8e-3, 1.0 / 15 + 1e-2},
    {DType::Q5_0, 2e-3, 1.0 / 16 + 5e-3}, {DType::Q5_1, 2e-3, 1.0 / 31 + 5e-3},
    {DType::Q8_0, 5e-5, 1.0 / 254 + 2e-3}, {DType::Q8_1, 5e-5, 1.0 / 254 + 2e-3},
};

std::vector<float> random_row(int64_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = dist(rng);
  return v;
}

std::vector<uint8_t> quantize(DType t, const std::vector<float>& x) {
  std::vector<uint8_t> q(row_bytes(t, int64_t(x.size())).value());
  dtype_info(t).scalar.from_float(x.data(), q.data(), int64_t(x.size()));
  return q;
}

std::vector<float> dequantize(DType t, const std::vector<uint8_t>& q, int64_t n) {
  std::vector<float> y(static_cast<size_t>(n));
  dtype_info(t).scalar.to_float(q.data(), y.data(), n);
  return y;
}

TEST(LegacyQuant, RoundTripErrorBounds) {
  for (const Bound& b : kBounds) {
    const int64_t n = 32 * 64;
    const std::vector<float> x = random_row(n, 1234 + uint32_t(b.type));
    const std::vector<float> y = dequantize(b.type, quantize(b.type, x), n);
    double err = 0, sig = 0;
    for (int64_t blk = 0; blk < n / 32; ++blk) {
      float amax = 0;
      for (int k = 0; k < 32; ++k) amax = std::max(amax, std::fabs(x[size_t(blk * 32 + k)]));
      for (int k = 0; k < 32; ++k) {
        const size_t i = size_t(blk * 32 + k);
        const double e = double(y[i]) - double(x[i]);
        ASSERT_LE(std::fabs(e), b.step_frac * amax) << dtype_name(b.type) << " element " << i;
        err += e * e;
        sig += double(x[i]) * double(x[i]);
      }
    }
    EXPECT_LT(err / sig, b.nmse) << dtype_name(b.type);
  }
}

TEST(LegacyQuant, ZerosStayZero) {
  for (const Bound& b : kBounds) {
    const std::vector<float> x(64, 0.0f);
    const std::vector<float> y = dequantize(b.type, quantize(b.type, x), 64);
    for (float v : y) EXPECT_EQ(v, 0.0f) << dtype_name(b.type);
  }
}

TEST(LegacyQuant, LargeMagnitudesKeepRelativeError) {
  // 60000 * 8 would overflow fp16 in d only for amax > 65504 * 8; stay well inside.
  for (const Bound& b : kBounds) {
    const std::vector<float> x = random_row(256, 99, -60000.0f, 60000.0f);
    const std::vector<float> y = dequantize(b.type, quantize(b.type, x), 256);
    for (size_t i = 0; i < x.size(); ++i) {
      ASSERT_LE(std::fabs(double(y[i]) - x[i]), b.step_frac * 60000.0) << dtype_name(b.type) << i;
    }
  }
}

// Magnitudes whose scale underflows fp16 decode to (signed) zero: no crash, no NaN.
TEST(LegacyQuant, TinyValuesDecodeToZeroOrClose) {
  for (const Bound& b : kBounds) {
    for (float scale : {1e-30f, 1e-38f, 1e-42f}) {
      const std::vector<float> x = random_row(64, 7, -scale, scale);
      const std::vector<float> y = dequantize(b.type, quantize(b.type, x), 64);
      for (size_t i = 0; i < y.size(); ++i) {
        ASSERT_FALSE(std::isnan(y[i])) << dtype_name(b.type);
        ASSERT_LE(std::fabs(y[i]), 2.0f * scale + 1e-37f) << dtype_name(b.type) << " " << scale;
      }
    }
  }
}

// NaN policy (legacy_util.h): a block with a NaN or an infinity decodes to all NaN and
// leaves its neighbours alone. F16/BF16 keep NaN per element.
TEST(LegacyQuant, NonFiniteBlocksBecomeNaN) {
  for (const Bound& b : kBounds) {
    for (float bad : {std::nanf(""), INFINITY, -INFINITY}) {
      std::vector<float> x = random_row(96, 5);
      x[40] = bad;
      const std::vector<float> y = dequantize(b.type, quantize(b.type, x), 96);
      const bool plain = b.type == DType::F16 || b.type == DType::BF16;
      for (int i = 32; i < 64; ++i) {
        if (plain && i != 40) continue;
        if (plain && !std::isnan(bad)) EXPECT_EQ(y[40], bad);
        else EXPECT_TRUE(std::isnan(y[size_t(i)])) << dtype_name(b.type) << " " << i;
      }
      for (int i : {0, 31, 64, 95}) EXPECT_FALSE(std::isnan(y[size_t(i)])) << dtype_name(b.type);
    }
  }
}

// Weight x activation dot products equal the double dot of the dequantized rows, for a
// single block and for many; Q8_1's stored s (fp16) is the only inexact part.
TEST(LegacyQuant, VecDotMatchesDequantizedDot) {
  for (DType w : {DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1, DType::Q8_0,
                  DType::F32, DType::F16, DType::BF16}) {
    const DTypeInfo& wi = dtype_info(w);
    for (int64_t n : {32, 32 * 3, 32 * 67}) {
      const std::vector<float> wf = random_row(n, 11 + uint32_t(n));
      const std::vector<float> xf = random_row(n, 17 + uint32_t(n), -3.0f, 3.0f);
      const std::vector<uint8_t> wq = quantize(w, wf);
      const std::vector<uint8_t> xq = quantize(wi.vec_dot_type, xf);
      const std::vector<float> wd = dequantize(w, wq, n);
      const std::vector<float> xd = dequantize(wi.vec_dot_type, xq, n);
      double want = 0, mag = 0;
      for (int64_t i = 0; i < n; ++i) {
        want += double(wd[size_t(i)]) * double(xd[size_t(i)]);
        mag += std::fabs(double(wd[size_t(i)]) * double(xd[size_t(i)]));
      }
      const float got = wi.scalar.vec_dot(wq.data(), xq.data(), n);
      const bool uses_s = wi.vec_dot_type == DType::Q8_1;
      const double tol = (uses_s ? 2e-3 : 1e-6) * mag + 1e-6;
      EXPECT_NEAR(got, want, tol) << dtype_name(w) << " n=" << n;
    }
  }
}

// Quantizers write exactly row_bytes and nothing past it.
TEST(LegacyQuant, RaggedRowsStayInBounds) {
  for (const Bound& b : kBounds) {
    for (int64_t n : {32, 64, 32 * 13}) {
      const std::vector<float> x = random_row(n, 3);
      const size_t bytes = size_t(row_bytes(b.type, n).value());
      std::vector<uint8_t> q(bytes + 64, 0xA5);
      dtype_info(b.type).scalar.from_float(x.data(), q.data(), n);
      for (size_t i = bytes; i < q.size(); ++i) ASSERT_EQ(q[i], 0xA5) << dtype_name(b.type);
      std::vector<float> y(size_t(n) + 16, 123.0f);
      dtype_info(b.type).scalar.to_float(q.data(), y.data(), n);
      for (size_t i = size_t(n); i < y.size(); ++i) ASSERT_EQ(y[i], 123.0f);
    }
  }
}

// Model-file Q8_0 (llama.cpp's _ref quantizer) and activation Q8_0 agree except on ties
// and last-bit scale differences: never more than one step apart.
TEST(LegacyQuant, Q8_0ModelAndActivationQuantizersAgreeWithinOneStep) {
  const std::vector<float> x = random_row(32 * 32, 21);
  std::vector<BlockQ8_0> a(32), m(32);
  quant::quantize_row_q8_0(x.data(), a.data(), int64_t(x.size()));
  quant::quantize_row_q8_0_model(x.data(), m.data(), int64_t(x.size()));
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].d, m[i].d);
    for (int k = 0; k < 32; ++k) EXPECT_LE(std::abs(a[i].qs[k] - m[i].qs[k]), 1);
  }
}

}  // namespace
}  // namespace ondo::core
