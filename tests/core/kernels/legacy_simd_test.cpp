// Differential tests of the AVX2 / AVX-512 legacy kernels against the scalar references:
// activation quantizers and dequantizers bit for bit, dot products within float summation
// error, over ragged lengths, zeros, ties, tiny and huge values and non-finite blocks.
// Layer: core (tests). Levels this CPU lacks are skipped, saying so.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "ondo/core/dtype.h"
#include "ondo/core/kernels/dispatch.h"

namespace ondo::core {
namespace {

using kernels::SimdLevel;

// The types with a SIMD vec_dot: those without GEMM kernels (Q4_0, Q5_0, Q8_0 have GEMM
// kernels at every level, tested in gemm_test.cpp, and only their scalar vec_dot).
const DType kVecDotTypes[] = {DType::F32, DType::F16, DType::BF16, DType::Q4_1, DType::Q5_1};
const DType kActivationTypes[] = {DType::F16, DType::BF16, DType::Q8_0, DType::Q8_1};
const DType kDequantTypes[] = {DType::F16, DType::BF16, DType::Q4_0, DType::Q4_1, DType::Q5_0,
                               DType::Q5_1, DType::Q8_0, DType::Q8_1};

const char* level_name(SimdLevel l) { return l == SimdLevel::Avx2 ? "avx2" : "avx512"; }

std::vector<SimdLevel> levels_to_test() {
  std::vector<SimdLevel> out;
  for (SimdLevel l : {SimdLevel::Avx2, SimdLevel::Avx512}) {
    if (kernels::level_supported(l)) out.push_back(l);
    else std::printf("[ SKIPPED  ] %s: this CPU does not support it\n", level_name(l));
  }
  return out;
}

// A row of n floats built from 32-element blocks of different kinds.
std::vector<float> edge_row(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> x(static_cast<size_t>(n));
  for (int64_t b = 0; b * 32 < n; ++b) {
    const int kind = int(b % 8);
    for (int64_t k = b * 32; k < std::min<int64_t>(n, b * 32 + 32); ++k) {
      float v = u(rng);
      switch (kind) {
        case 1: v *= 60000.0f; break;                               // large
        case 2: v *= 1e-38f; break;                                 // scale overflows to inf
        case 3: v = 0.0f; break;                                    // zeros
        case 4: v = (k % 32 == 0) ? 127.0f : std::round(v * 60.0f) + 0.5f; break;  // ties
        case 5: v *= 1e-6f; break;
        default: v *= 3.0f; break;
      }
      x[size_t(k)] = v;
    }
  }
  return x;
}

std::vector<uint8_t> quantize(const QuantOps& ops, DType t, const std::vector<float>& x) {
  std::vector<uint8_t> q(row_bytes(t, int64_t(x.size())).value() + 8, 0xA5);
  ops.from_float(x.data(), q.data(), int64_t(x.size()));
  return q;
}

std::vector<int64_t> lengths(DType t) {
  if (dtype_info(t).block_size == 1) return {1, 7, 8, 9, 31, 32, 33, 63, 64, 65, 100, 1000, 2048};
  return {32, 64, 96, 128, 160, 32 * 9, 32 * 67};
}

TEST(LegacySimd, ActivationQuantizersAreBitIdentical) {
  for (SimdLevel level : levels_to_test()) {
    for (DType t : kActivationTypes) {
      const QuantOps simd = kernels::ops_at_level(t, level);
      for (int64_t n : lengths(t)) {
        for (uint32_t seed = 1; seed <= 3; ++seed) {
          std::vector<float> x = edge_row(n, seed);
          if (seed == 3) x[size_t(n / 2)] = std::nanf("");
          if (seed == 2 && n > 40) x[33] = -INFINITY;
          const std::vector<uint8_t> want = quantize(dtype_info(t).scalar, t, x);
          const std::vector<uint8_t> got = quantize(simd, t, x);
          ASSERT_EQ(want, got) << level_name(level) << " " << dtype_name(t) << " n=" << n
                               << " seed=" << seed;
        }
      }
    }
  }
}

TEST(LegacySimd, DequantizersAreBitIdentical) {
  for (SimdLevel level : levels_to_test()) {
    for (DType t : kDequantTypes) {
      const QuantOps simd = kernels::ops_at_level(t, level);
      for (int64_t n : lengths(t)) {
        std::vector<float> x = edge_row(n, 9);
        x[0] = std::nanf("");
        const std::vector<uint8_t> q = quantize(dtype_info(t).scalar, t, x);
        std::vector<float> want(size_t(n) + 4, 7.0f), got(size_t(n) + 4, 7.0f);
        dtype_info(t).scalar.to_float(q.data(), want.data(), n);
        simd.to_float(q.data(), got.data(), n);
        ASSERT_EQ(std::memcmp(want.data(), got.data(), want.size() * 4), 0)
            << level_name(level) << " " << dtype_name(t) << " n=" << n;
      }
    }
  }
}

// Random raw blocks (any bit pattern but finite scales) decode identically too.
TEST(LegacySimd, DequantizersMatchOnRandomBits) {
  std::mt19937 rng(77);
  for (SimdLevel level : levels_to_test()) {
    for (DType t : kDequantTypes) {
      const DTypeInfo& info = dtype_info(t);
      const int64_t n = info.block_size == 1 ? 999 : 32 * 21;
      std::vector<uint8_t> raw(row_bytes(t, n).value());
      for (uint8_t& b : raw) b = uint8_t(rng());
      if (info.block_size == 32) {  // clear the fp16 exponent's top bit: finite scales
        for (size_t off = 0; off < raw.size(); off += size_t(info.block_bytes)) {
          raw[off + 1] &= 0x3f;
          if (t == DType::Q4_1 || t == DType::Q5_1 || t == DType::Q8_1) raw[off + 3] &= 0x3f;
        }
      }
      std::vector<float> want(static_cast<size_t>(n)), got(static_cast<size_t>(n));
      info.scalar.to_float(raw.data(), want.data(), n);
      kernels::ops_at_level(t, level).to_float(raw.data(), got.data(), n);
      for (size_t i = 0; i < want.size(); ++i) {
        // F16C quiets signalling NaNs, the scalar conversion keeps their payload: NaN == NaN
        if (std::isnan(want[i])) {
          ASSERT_TRUE(std::isnan(got[i])) << level_name(level) << " " << dtype_name(t) << " " << i;
        } else {
          ASSERT_EQ(std::memcmp(&want[i], &got[i], 4), 0) << level_name(level) << " " << dtype_name(t) << " " << i;
        }
      }
    }
  }
}

// |simd - scalar| <= rel * sum |w_k x_k| (+ a tiny absolute floor): float accumulation
// in a different order; F16/BF16 products are exact in float, so the same bound holds.
TEST(LegacySimd, VecDotMatchesScalar) {
  for (SimdLevel level : levels_to_test()) {
    for (DType w : kVecDotTypes) {
      const DTypeInfo& wi = dtype_info(w);
      const QuantOps simd = kernels::ops_at_level(w, level);
      for (int64_t n : lengths(w)) {
        for (uint32_t seed = 1; seed <= 2; ++seed) {
          std::mt19937 rng(seed * 1000 + uint32_t(n));
          std::uniform_real_distribution<float> u(-2.0f, 2.0f);
          std::vector<float> wf(static_cast<size_t>(n)), xf(static_cast<size_t>(n));
          for (float& v : wf) v = u(rng);
          for (float& v : xf) v = u(rng);
          const std::vector<uint8_t> wq = quantize(wi.scalar, w, wf);
          const std::vector<uint8_t> xq = quantize(dtype_info(wi.vec_dot_type).scalar, wi.vec_dot_type, xf);
          std::vector<float> wd(static_cast<size_t>(n)), xd(static_cast<size_t>(n));
          wi.scalar.to_float(wq.data(), wd.data(), n);
          dtype_info(wi.vec_dot_type).scalar.to_float(xq.data(), xd.data(), n);
          double mag = 0;
          for (size_t i = 0; i < wd.size(); ++i) mag += std::fabs(double(wd[i]) * xd[i]);
          const float want = wi.scalar.vec_dot(wq.data(), xq.data(), n);
          const float got = simd.vec_dot(wq.data(), xq.data(), n);
          EXPECT_NEAR(got, want, 2e-6 * mag + 1e-30)
              << level_name(level) << " " << dtype_name(w) << " n=" << n << " seed=" << seed;
        }
      }
    }
  }
}

// A non-finite activation block makes the dot product NaN at every level.
TEST(LegacySimd, VecDotPropagatesNaN) {
  for (SimdLevel level : levels_to_test()) {
    for (DType w : kVecDotTypes) {
      const DTypeInfo& wi = dtype_info(w);
      const int64_t n = 32 * 5;
      std::vector<float> wf(size_t(n), 0.5f), xf(size_t(n), 0.25f);
      xf[70] = std::nanf("");
      const std::vector<uint8_t> wq = quantize(wi.scalar, w, wf);
      const std::vector<uint8_t> xq = quantize(dtype_info(wi.vec_dot_type).scalar, wi.vec_dot_type, xf);
      EXPECT_TRUE(std::isnan(wi.scalar.vec_dot(wq.data(), xq.data(), n))) << dtype_name(w);
      EXPECT_TRUE(std::isnan(kernels::ops_at_level(w, level).vec_dot(wq.data(), xq.data(), n)))
          << level_name(level) << " " << dtype_name(w);
    }
  }
}

}  // namespace
}  // namespace ondo::core
