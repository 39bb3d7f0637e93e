// SIMD K-quant kernels (kquants_avx2.cpp, kquants_avx512.cpp) against the scalar references,
// at every SIMD level this CPU runs: dequantize_row and quantize_row_q8_K bit for bit (the
// K-quant dot products are the GEMM kernels', tested in gemm_test.cpp). Layer: core (tests).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "ondo/core/dtype.h"
#include "ondo/core/fp16.h"
#include "ondo/core/kernels/dispatch.h"
#include "ondo/core/quant/blocks.h"

namespace ondo::core {
namespace {

using kernels::SimdLevel;

constexpr DType kWeightTypes[] = {DType::Q2_K, DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K};
constexpr int64_t kBlockCounts[] = {1, 2, 3, 7, 16};

std::vector<SimdLevel> simd_levels() {
  std::vector<SimdLevel> out;
  for (SimdLevel l : {SimdLevel::Avx2, SimdLevel::Avx512}) {
    if (kernels::level_supported(l)) out.push_back(l);
  }
  return out;
}

const char* level_name(SimdLevel l) { return l == SimdLevel::Avx2 ? "avx2" : "avx512"; }

// Offset of the f16 scale fields (d, dmin) in each block type; -1 when absent.
struct ScaleFields { int d; int dmin; };
ScaleFields scale_fields(DType t) {
  switch (t) {
    case DType::Q2_K: return {int(offsetof(BlockQ2_K, d)), int(offsetof(BlockQ2_K, dmin))};
    case DType::Q3_K: return {int(offsetof(BlockQ3_K, d)), -1};
    case DType::Q4_K: return {int(offsetof(BlockQ4_K, d)), int(offsetof(BlockQ4_K, dmin))};
    case DType::Q5_K: return {int(offsetof(BlockQ5_K, d)), int(offsetof(BlockQ5_K, dmin))};
    case DType::Q6_K: return {int(offsetof(BlockQ6_K, d)), -1};
    default: return {-1, -1};
  }
}

// Random bytes everywhere (every bit pattern of levels and packed scales), with finite
// f16 scales in [2^-12, 2^2) so that results stay comparable.
std::vector<uint8_t> random_blocks(DType t, int64_t blocks, std::mt19937& rng) {
  const DTypeInfo& info = dtype_info(t);
  std::vector<uint8_t> buf(size_t(blocks * info.block_bytes));
  for (uint8_t& b : buf) b = uint8_t(rng());
  std::uniform_real_distribution<float> mag(-12.f, 2.f);
  const ScaleFields f = scale_fields(t);
  for (int64_t i = 0; i < blocks; ++i) {
    uint8_t* blk = buf.data() + i * info.block_bytes;
    for (int off : {f.d, f.dmin}) {
      if (off < 0) continue;
      const uint16_t h = f32_to_fp16(std::exp2(mag(rng)) * ((rng() & 1) ? 1.f : -1.f));
      std::memcpy(blk + off, &h, 2);
    }
  }
  return buf;
}

TEST(KQuantSimd, DequantizeIsBitIdentical) {
  std::mt19937 rng(77);
  for (SimdLevel level : simd_levels()) {
    for (DType t : kWeightTypes) {
      const QuantOps scalar = kernels::ops_at_level(t, SimdLevel::Scalar);
      const QuantOps simd = kernels::ops_at_level(t, level);
      ASSERT_NE(simd.to_float, scalar.to_float) << dtype_name(t) << " not accelerated";
      for (int64_t blocks : kBlockCounts) {
        const int64_t n = blocks * kQK_K;
        const std::vector<uint8_t> w = random_blocks(t, blocks, rng);
        std::vector<float> want(static_cast<size_t>(n)), got(static_cast<size_t>(n), -1.f);
        scalar.to_float(w.data(), want.data(), n);
        simd.to_float(w.data(), got.data(), n);
        ASSERT_EQ(0, std::memcmp(want.data(), got.data(), want.size() * sizeof(float)))
            << dtype_name(t) << " " << level_name(level) << " blocks=" << blocks;
      }
    }
  }
}

void expect_q8K_identical(const std::vector<float>& x, const char* what) {
  const int64_t n = int64_t(x.size());
  const QuantOps scalar = kernels::ops_at_level(DType::Q8_K, SimdLevel::Scalar);
  for (SimdLevel level : simd_levels()) {
    const QuantOps simd = kernels::ops_at_level(DType::Q8_K, level);
    ASSERT_NE(simd.from_float, scalar.from_float) << "Q8_K not accelerated";
    std::vector<BlockQ8_K> want(size_t(n / kQK_K)), got(size_t(n / kQK_K));
    std::memset(want.data(), 0x55, want.size() * sizeof(BlockQ8_K));
    std::memset(got.data(), 0xAA, got.size() * sizeof(BlockQ8_K));
    scalar.from_float(x.data(), want.data(), n);
    simd.from_float(x.data(), got.data(), n);
    ASSERT_EQ(0, std::memcmp(want.data(), got.data(), want.size() * sizeof(BlockQ8_K)))
        << what << " " << level_name(level);
  }
}

TEST(KQuantSimd, Q8KQuantizeIsBitIdentical) {
  std::mt19937 rng(5);
  std::normal_distribution<float> g(0.f, 1.f);
  for (int64_t blocks : kBlockCounts) {
    std::vector<float> x(static_cast<size_t>(blocks * kQK_K));
    for (float& f : x) f = g(rng) * 3.f;
    expect_q8K_identical(x, "gaussian");
  }
  // Exact ties: max = 127 makes iscale = -1, so k + 0.5 must round half to even.
  std::vector<float> ties(2 * kQK_K);
  for (size_t i = 0; i < ties.size(); ++i) ties[i] = float(int(i % 200) - 100) + 0.5f;
  ties[17] = 127.f;
  ties[kQK_K + 250] = -127.f;
  expect_q8K_identical(ties, "ties");
  // Equal magnitudes of both signs: the first occurrence decides the sign of d.
  std::vector<float> dup(kQK_K, 0.25f);
  dup[40] = -2.f;
  dup[41] = 2.f;
  dup[200] = 2.f;
  expect_q8K_identical(dup, "duplicate max");
  // A zero block between nonzero ones, and huge values.
  std::vector<float> mixed(3 * kQK_K);
  for (size_t i = 0; i < mixed.size(); ++i) mixed[i] = (i / kQK_K == 1) ? 0.f : g(rng) * 1e30f;
  expect_q8K_identical(mixed, "zero block and 1e30");
}

TEST(KQuantSimd, Q8KQuantizeNanAndInfMatchScalar) {
  std::mt19937 rng(8);
  std::normal_distribution<float> g(0.f, 1.f);
  std::vector<float> x(3 * kQK_K);
  for (float& f : x) f = g(rng);
  x[3] = std::numeric_limits<float>::quiet_NaN();
  x[kQK_K + 9] = std::numeric_limits<float>::infinity();
  x[2 * kQK_K + 100] = -std::numeric_limits<float>::quiet_NaN();
  expect_q8K_identical(x, "nan/inf");
}

}  // namespace
}  // namespace ondo::core
