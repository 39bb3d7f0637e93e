// Scalar K-quant reference kernels (Q2_K..Q6_K, Q8_K): round-trip error bounds on seeded
// data, hand-built blocks against the documented layouts, zeros, large magnitudes, and
// vec_dot against the dequantized dot product. Layer: core (tests).
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

namespace q = quant;

std::vector<float> gaussian(int64_t n, uint32_t seed, float sigma = 1.f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.f, sigma);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& f : v) f = dist(rng);
  return v;
}

// Quantizes with the registry's reference quantizer and dequantizes back.
std::vector<float> round_trip(DType t, const std::vector<float>& x) {
  const DTypeInfo& info = dtype_info(t);
  const int64_t n = int64_t(x.size());
  std::vector<uint8_t> buf(size_t(n / info.block_size * info.block_bytes));
  info.scalar.from_float(x.data(), buf.data(), n);
  std::vector<float> y(x.size());
  info.scalar.to_float(buf.data(), y.data(), n);
  return y;
}

double nmse(const std::vector<float>& x, const std::vector<float>& y) {
  double err = 0, ref = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    err += double(x[i] - y[i]) * double(x[i] - y[i]);
    ref += double(x[i]) * double(x[i]);
  }
  return err / ref;
}

struct Bound { DType type; double max_nmse; };
// Normalized mean squared error of a Gaussian row after quantize -> dequantize. The bounds
// sit about 20% above what llama.cpp's reference quantizers reach on such data.
constexpr Bound kBounds[] = {
    {DType::Q2_K, 0.108}, {DType::Q3_K, 0.029}, {DType::Q4_K, 0.0067},
    {DType::Q5_K, 0.0017}, {DType::Q6_K, 0.00038}, {DType::Q8_K, 0.000064},
};

TEST(KQuantRoundTrip, GaussianRowsStayWithinBounds) {
  for (const Bound& b : kBounds) {
    for (int64_t blocks : {1, 7, 64}) {
      const std::vector<float> x = gaussian(blocks * kQK_K, uint32_t(blocks) * 31 + 5);
      const double e = nmse(x, round_trip(b.type, x));
      EXPECT_LT(e, b.max_nmse) << dtype_name(b.type) << " blocks=" << blocks;
      EXPECT_GT(e, 0.0) << dtype_name(b.type);
    }
  }
}

TEST(KQuantRoundTrip, ZerosStayZero) {
  const std::vector<float> x(3 * kQK_K, 0.f);
  for (const Bound& b : kBounds) {
    for (float v : round_trip(b.type, x)) ASSERT_EQ(v, 0.f) << dtype_name(b.type);
  }
}

TEST(KQuantRoundTrip, ScaleInvariantOverLargeAndSmallMagnitudes) {
  // Multiplying a row by 2^k scales every fp16 scale by 2^k as long as it stays normal, so
  // the relative error is unchanged; 2^10 * N(0,1) keeps d far from fp16 overflow, and 2^-3
  // keeps Q6_K's d (about max|x| / 4096) above the fp16 subnormal range.
  const std::vector<float> x = gaussian(4 * kQK_K, 77);
  for (const Bound& b : kBounds) {
    const double base = nmse(x, round_trip(b.type, x));
    for (float mul : {0.125f, 1024.f}) {
      std::vector<float> xs(x);
      for (float& f : xs) f *= mul;
      const std::vector<float> y = round_trip(b.type, xs);
      for (float v : y) ASSERT_TRUE(std::isfinite(v)) << dtype_name(b.type);
      EXPECT_NEAR(nmse(xs, y), base, 0.02 * base) << dtype_name(b.type) << " mul=" << mul;
    }
  }
}

TEST(KQuantRoundTrip, OneOutlierPerBlock) {
  std::vector<float> x = gaussian(2 * kQK_K, 9, 0.01f);
  x[37] = 30.f;
  x[kQK_K + 200] = -30.f;
  for (const Bound& b : kBounds) {
    const std::vector<float> y = round_trip(b.type, x);
    // The outlier sets the block's scale; it must come back within 5% (2 bits give 4 levels).
    EXPECT_NEAR(y[37], 30.f, 1.5f) << dtype_name(b.type);
    EXPECT_NEAR(y[kQK_K + 200], -30.f, 1.5f) << dtype_name(b.type);
  }
}

TEST(Q8K, QuantizeMatchesDefinition) {
  std::vector<float> x = gaussian(2 * kQK_K, 3);
  x[100] = -4.5f;  // the signed largest magnitude maps to -127 (iscale = -127/max, d = -max/127)
  x[kQK_K] = 0.f;
  std::vector<BlockQ8_K> b(2);
  q::quantize_row_q8_K(x.data(), b.data(), 2 * kQK_K);
  EXPECT_EQ(b[0].qs[100], -127);
  EXPECT_FLOAT_EQ(b[0].d, 1.f / (-127.f / -4.5f));
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 16; ++j) {
      int sum = 0;
      for (int l = 0; l < 16; ++l) sum += b[i].qs[16 * j + l];
      EXPECT_EQ(b[i].bsums[j], sum);
    }
    for (int j = 0; j < kQK_K; ++j) {
      const float want = std::nearbyint(x[size_t(i * kQK_K + j)] / b[i].d);
      ASSERT_NEAR(b[i].qs[j], want, 1.0) << i << "," << j;  // division vs. multiply by iscale
      ASSERT_GE(b[i].qs[j], -127);
    }
  }
}

TEST(Q8K, TiesRoundToEven) {
  // max = 127 -> iscale = -1 exactly, so x = 2.5 and 3.5 hit exact ties.
  std::vector<float> x(kQK_K, 0.f);
  x[0] = 127.f;
  x[1] = 2.5f;
  x[2] = 3.5f;
  x[3] = -2.5f;
  x[4] = -127.f;  // same magnitude, later: the first one sets the sign
  BlockQ8_K b;
  q::quantize_row_q8_K(x.data(), &b, kQK_K);
  EXPECT_EQ(b.d, -1.f);
  EXPECT_EQ(b.qs[0], -127);
  EXPECT_EQ(b.qs[1], -2);
  EXPECT_EQ(b.qs[2], -4);
  EXPECT_EQ(b.qs[3], 2);
  EXPECT_EQ(b.qs[4], 127);
}

// vec_dot(w, q8(x)) against the double-precision dot of the dequantized rows: the integer
// arithmetic (scales, mins through bsums, offsets) must agree up to float rounding.
TEST(KQuantVecDot, MatchesDequantizedDot) {
  for (DType t : {DType::Q2_K, DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K}) {
    const DTypeInfo& info = dtype_info(t);
    for (int64_t blocks : {1, 5, 16}) {
      const int64_t n = blocks * kQK_K;
      const std::vector<float> wf = gaussian(n, 11 + uint32_t(blocks));
      std::vector<float> xf = gaussian(n, 23 + uint32_t(blocks));
      for (float& f : xf) f += 0.3f;  // a nonzero mean exercises the min terms
      std::vector<uint8_t> w(size_t(blocks * info.block_bytes));
      info.scalar.from_float(wf.data(), w.data(), n);
      std::vector<BlockQ8_K> xq(static_cast<size_t>(blocks));
      q::quantize_row_q8_K(xf.data(), xq.data(), n);
      std::vector<float> wd(static_cast<size_t>(n)), xd(static_cast<size_t>(n));
      info.scalar.to_float(w.data(), wd.data(), n);
      q::dequantize_row_q8_K(xq.data(), xd.data(), n);
      double want = 0, mag = 0;
      for (int64_t i = 0; i < n; ++i) {
        want += double(wd[size_t(i)]) * xd[size_t(i)];
        mag += std::fabs(double(wd[size_t(i)]) * xd[size_t(i)]);
      }
      const float got = info.scalar.vec_dot(w.data(), xq.data(), n);
      EXPECT_NEAR(got, want, 2e-6 * mag + 1e-6) << dtype_name(t) << " blocks=" << blocks;
    }
  }
}

}  // namespace
}  // namespace ondo::core
