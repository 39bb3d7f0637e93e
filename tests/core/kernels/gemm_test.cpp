// GEMM kernels (core/kernels/gemm.h): every SIMD level bit for bit equal to the scalar
// reference and to the scalar vec_dot; results independent of T, of the row range a call
// covers and of ldy; matmul() through the pool equal to the kernel. Layer: core (tests).
#include "ondo/core/kernels/gemm.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "ondo/core/fp16.h"
#include "ondo/core/kernels/matmul.h"
#include "ondo/core/quant/blocks.h"
#include "ondo/core/quant/interleave.h"

namespace ondo::core {
namespace {

using kernels::SimdLevel;

constexpr DType kTypes[] = {DType::Q8_0, DType::Q4_0, DType::Q5_0, DType::Q2_K,
                            DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K};
constexpr int64_t kRowCounts[] = {1, 3, 17, 100};
constexpr int64_t kTokenCounts[] = {1, 2, 3, 4, 5, 16, 33};

// Offsets of the f16 scale fields of a block (d, dmin; -1 when absent).
std::pair<int, int> scale_fields(DType t) {
  switch (t) {
    case DType::Q2_K: return {int(offsetof(BlockQ2_K, d)), int(offsetof(BlockQ2_K, dmin))};
    case DType::Q3_K: return {int(offsetof(BlockQ3_K, d)), -1};
    case DType::Q4_K: return {int(offsetof(BlockQ4_K, d)), int(offsetof(BlockQ4_K, dmin))};
    case DType::Q5_K: return {int(offsetof(BlockQ5_K, d)), int(offsetof(BlockQ5_K, dmin))};
    case DType::Q6_K: return {int(offsetof(BlockQ6_K, d)), -1};
    default: return {0, -1};  // Q4_0, Q5_0, Q8_0: d first
  }
}

// Random bytes (every level and packed-scale pattern) with finite f16 scales.
std::vector<uint8_t> random_weights(DType t, int64_t rows, int64_t K, std::mt19937& rng) {
  const DTypeInfo& info = dtype_info(t);
  const int64_t blocks = rows * K / info.block_size;
  std::vector<uint8_t> buf(size_t(blocks * info.block_bytes));
  for (uint8_t& b : buf) b = uint8_t(rng());
  std::uniform_real_distribution<float> mag(-10.f, 0.f);
  const auto [fd, fm] = scale_fields(t);
  for (int64_t i = 0; i < blocks; ++i) {
    for (int off : {fd, fm}) {
      if (off < 0) continue;
      const uint16_t h = f32_to_fp16(std::exp2(mag(rng)) * ((rng() & 1) ? 1.f : -1.f));
      std::memcpy(buf.data() + i * info.block_bytes + off, &h, 2);
    }
  }
  return buf;
}

struct Case {
  DType type;
  int64_t N, K, T;
  size_t wrow, xrow;
  std::vector<uint8_t> w, xq;
  std::vector<float> x;
};

Case make_case(DType t, int64_t N, int64_t K, int64_t T, uint32_t seed) {
  std::mt19937 rng(seed);
  Case c{t, N, K, T, 0, 0, {}, {}, {}};
  const DType xt = dtype_info(t).vec_dot_type;
  c.wrow = size_t(row_bytes(t, K).value());
  c.xrow = size_t(row_bytes(xt, K).value());
  c.w = random_weights(t, N, K, rng);
  std::normal_distribution<float> g(0.f, 1.f);
  c.x.resize(size_t(T * K));
  for (float& v : c.x) v = g(rng) * ((rng() % 8) == 0 ? 10.f : 1.f);
  c.xq.resize(c.xrow * size_t(T));
  for (int64_t i = 0; i < T; ++i) {
    dtype_info(xt).scalar.from_float(c.x.data() + i * K, c.xq.data() + i * c.xrow, K);
  }
  return c;
}

// Runs kernel k over rows [n0, n1) into y (T x ldy).
void run(const kernels::GemmKernel& k, const Case& c, int64_t n0, int64_t n1, int64_t T,
         const uint8_t* xq, float* y, int64_t ldy) {
  k.run(c.w.data(), c.wrow, xq, c.xrow, c.K, n0, n1, T, y, ldy);
}

std::vector<float> reference(const Case& c) {
  std::vector<float> y(size_t(c.T * c.N), NAN);
  run(*kernels::gemm_kernel_scalar(c.type), c, 0, c.N, c.T, c.xq.data(), y.data(), c.N);
  return y;
}

bool same_bits(float a, float b) { return std::memcmp(&a, &b, 4) == 0; }

// Row lengths in blocks; 21 (legacy, 16-block steps) and 5 (K types, groups of 4) take a full
// step and a tail.
std::vector<int64_t> block_counts(DType t) {
  return dtype_info(t).block_size == 32 ? std::vector<int64_t>{1, 5, 21, 64} : std::vector<int64_t>{1, 3, 5, 8};
}

TEST(Gemm, EveryTypeHasScalarAndBestKernel) {
  for (DType t : kTypes) {
    EXPECT_NE(kernels::gemm_kernel_scalar(t), nullptr) << dtype_name(t);
    EXPECT_NE(kernels::gemm_kernel(t), nullptr) << dtype_name(t);
  }
  EXPECT_EQ(kernels::gemm_kernel(DType::F32), nullptr);
  EXPECT_EQ(kernels::gemm_kernel(DType::Q4_1), nullptr);
}

TEST(Gemm, SimdLevelsEqualScalarBitForBit) {
  for (DType t : kTypes) {
    for (int64_t nb : block_counts(t)) {
      for (int64_t N : kRowCounts) {
        for (int64_t T : kTokenCounts) {
          const Case c = make_case(t, N, nb * dtype_info(t).block_size, T, uint32_t(N * 131 + T * 7 + nb));
          const std::vector<float> ref = reference(c);
          for (SimdLevel l : {SimdLevel::Avx2, SimdLevel::Avx512}) {
            if (!kernels::level_supported(l)) continue;
            const kernels::GemmKernel* k = kernels::gemm_kernel_at_level(t, l);
            ASSERT_NE(k, nullptr);
            const int64_t ldy = N + 3;  // padding must stay untouched
            std::vector<float> y(size_t(T * ldy), 12345.f);
            run(*k, c, 0, N, T, c.xq.data(), y.data(), ldy);
            int bad = 0;
            for (int64_t i = 0; i < T && bad < 5; ++i) {
              for (int64_t n = 0; n < ldy; ++n) {
                const float want = n < N ? ref[size_t(i * N + n)] : 12345.f;
                if (!same_bits(y[size_t(i * ldy + n)], want)) {
                  ADD_FAILURE() << dtype_name(t) << " level " << int(l) << " N=" << N << " T=" << T
                                << " K=" << c.K << " t=" << i << " n=" << n << ": " << y[size_t(i * ldy + n)]
                                << " vs " << want;
                  ++bad;
                }
              }
            }
          }
        }
      }
    }
  }
}

// One token alone, and any split of the rows, give the batched results bit for bit.
TEST(Gemm, IndependentOfBatchAndRowRange) {
  std::mt19937 rng(7);
  for (DType t : kTypes) {
    const int64_t N = 100, T = 33, K = 2 * 256;
    const Case c = make_case(t, N, K, T, 99);
    const std::vector<float> ref = reference(c);
    for (SimdLevel l : {SimdLevel::Scalar, SimdLevel::Avx2, SimdLevel::Avx512}) {
      if (!kernels::level_supported(l)) continue;
      const kernels::GemmKernel& k = *kernels::gemm_kernel_at_level(t, l);
      for (int64_t i : {int64_t(0), int64_t(17), T - 1}) {
        std::vector<float> y1(static_cast<size_t>(N));
        run(k, c, 0, N, 1, c.xq.data() + size_t(i) * c.xrow, y1.data(), N);
        for (int64_t n = 0; n < N; ++n) {
          ASSERT_TRUE(same_bits(y1[size_t(n)], ref[size_t(i * N + n)])) << dtype_name(t) << " t=" << i << " n=" << n;
        }
      }
      for (int rep = 0; rep < 4; ++rep) {
        std::vector<float> y(size_t(T * N), NAN);
        int64_t n0 = 0;
        while (n0 < N) {
          const int64_t n1 = std::min(N, n0 + 1 + int64_t(rng() % 40));
          const int64_t T2 = 1 + int64_t(rng() % T);  // a prefix of the tokens, then the rest
          run(k, c, n0, n1, T2, c.xq.data(), y.data(), N);
          if (T2 < T) run(k, c, n0, n1, T - T2, c.xq.data() + size_t(T2) * c.xrow, y.data() + T2 * N, N);
          n0 = n1;
        }
        for (size_t e = 0; e < y.size(); ++e) {
          ASSERT_TRUE(same_bits(y[e], ref[e])) << dtype_name(t) << " level " << int(l) << " element " << e;
        }
      }
    }
  }
}

// Long rows and many tokens: the AVX2 kernels then take the tokens in several chunks sized to
// keep a chunk's activations in L2 (gemm_avx2_rows.h), every level still equal to scalar.
TEST(Gemm, LongRowsManyTokensEqualScalar) {
  for (DType t : kTypes) {
    const int64_t nb = dtype_info(t).block_size == 32 ? 130 : 40;  // > 192 KiB / 64 tokens
    const int64_t N = 5, T = 70, K = nb * dtype_info(t).block_size;
    const Case c = make_case(t, N, K, T, 11);
    const std::vector<float> ref = reference(c);
    for (SimdLevel l : {SimdLevel::Avx2, SimdLevel::Avx512}) {
      if (!kernels::level_supported(l)) continue;
      std::vector<float> y(size_t(T * N), NAN);
      run(*kernels::gemm_kernel_at_level(t, l), c, 0, N, T, c.xq.data(), y.data(), N);
      for (size_t e = 0; e < y.size(); ++e) {
        ASSERT_TRUE(same_bits(y[e], ref[e])) << dtype_name(t) << " level " << int(l) << " element " << e;
      }
    }
  }
}

// The canonical order is that of the scalar vec_dot references: equal bit for bit; and both
// within 1e-5 of sum |w x| of a float64 product of the dequantized rows.
TEST(Gemm, EqualsScalarVecDotAndFloat64) {
  for (DType t : kTypes) {
    const int64_t N = 17, T = 5, K = 8 * 256;
    const Case c = make_case(t, N, K, T, 5);
    const std::vector<float> ref = reference(c);
    const DTypeInfo& info = dtype_info(t);
    std::vector<float> wf(static_cast<size_t>(K)), xf(static_cast<size_t>(K));
    for (int64_t i = 0; i < T; ++i) {
      dtype_info(info.vec_dot_type).scalar.to_float(c.xq.data() + i * c.xrow, xf.data(), K);
      for (int64_t n = 0; n < N; ++n) {
        info.scalar.to_float(c.w.data() + n * c.wrow, wf.data(), K);
        double mag = 0, exact = 0;
        for (int64_t e = 0; e < K; ++e) {
          mag += std::fabs(double(wf[size_t(e)]) * xf[size_t(e)]);
          exact += double(wf[size_t(e)]) * xf[size_t(e)];
        }
        const float got = ref[size_t(i * N + n)];
        const float vd = info.scalar.vec_dot(c.w.data() + n * c.wrow, c.xq.data() + i * c.xrow, K);
        EXPECT_TRUE(same_bits(got, vd)) << dtype_name(t) << " t=" << i << " n=" << n << ": " << got << " vs " << vd;
        EXPECT_NEAR(got, exact, 1e-5 * mag) << dtype_name(t) << " t=" << i << " n=" << n;
      }
    }
  }
}

// matmul() routes through the kernel: equal bit for bit to a direct call, any thread count,
// for T = 1 (the decode kernels) and T = 9 (the tiled GEMM).
void expect_matmul_equals_kernel(DType t, int64_t T) {
  const int64_t N = 77, K = 512;
  const Case c = make_case(t, N, K, T, 3);
  std::vector<float> direct(size_t(T * N));
  run(*kernels::gemm_kernel(t), c, 0, N, T, c.xq.data(), direct.data(), N);
  Tensor w;
  w.type = t;
  w.ne[0] = K;
  w.ne[1] = N;
  w.data = c.w.data();
  w.row_bytes = c.wrow;
  for (int threads : {1, 2, 3}) {
    ThreadPool pool(threads);
    MatmulScratch scratch;
    std::vector<float> y(size_t(T * N), NAN);
    matmul(w, c.x.data(), T, y.data(), N, scratch, pool);
    for (size_t e = 0; e < y.size(); ++e) {
      ASSERT_TRUE(same_bits(y[e], direct[e])) << dtype_name(t) << " T " << T << " threads " << threads << " e " << e;
    }
  }
}

TEST(Gemm, MatmulUsesKernel) {
  for (DType t : {DType::Q8_0, DType::Q4_K, DType::Q6_K}) {
    for (int64_t T : {1, 9}) expect_matmul_equals_kernel(t, T);
  }
}

// ---- the row-interleaved layout (core/quant/interleave.h) and its kernels ----

constexpr DType kInterleavedTypes[] = {DType::Q4_K, DType::Q6_K};

std::vector<uint8_t> interleaved(const Case& c) {
  std::vector<uint8_t> out(c.w.size());
  interleave_rows(c.type, c.w.data(), out.data(), c.N, c.K);
  return out;
}

TEST(GemmInterleaved, LayoutIsAPermutationThatRowsComeBackFrom) {
  for (DType t : kInterleavedTypes) {
    EXPECT_TRUE(interleave_defined(t, 32));
    EXPECT_FALSE(interleave_defined(t, 24)) << "rows not a multiple of 16";
    const Case c = make_case(t, 48, 3 * 256, 1, 11);
    const std::vector<uint8_t> il = interleaved(c);
    EXPECT_NE(il, c.w);
    std::vector<uint8_t> sorted_a = il, sorted_b = c.w;
    std::sort(sorted_a.begin(), sorted_a.end());
    std::sort(sorted_b.begin(), sorted_b.end());
    EXPECT_EQ(sorted_a, sorted_b) << dtype_name(t) << ": same bytes, moved";
    std::vector<uint8_t> row(c.wrow);
    for (int64_t r = 0; r < c.N; ++r) {
      deinterleave_row(t, il.data(), r, c.K, row.data());
      ASSERT_EQ(0, std::memcmp(row.data(), c.w.data() + size_t(r) * c.wrow, c.wrow)) << dtype_name(t) << " row " << r;
    }
  }
  EXPECT_FALSE(interleave_defined(DType::Q8_0, 32));
}

TEST(GemmInterleaved, EqualsScalarBitForBit) {
  if (!kernels::level_supported(SimdLevel::Avx512)) GTEST_SKIP() << "no AVX-512 VNNI: weights stay in GGUF layout";
  for (DType t : kInterleavedTypes) {
    const kernels::GemmKernel* k = kernels::gemm_kernel_interleaved(t);
    ASSERT_NE(k, nullptr);
    EXPECT_EQ(k->row_tile, 16);
    for (int64_t nb : {1, 3, 8}) {
      for (int64_t N : {16, 48}) {
        for (int64_t T : kTokenCounts) {
          const Case c = make_case(t, N, nb * 256, T, uint32_t(N * 17 + T * 3 + nb));
          const std::vector<float> ref = reference(c);
          const std::vector<uint8_t> il = interleaved(c);
          const int64_t ldy = N + 5;
          std::vector<float> y(size_t(T * ldy), 12345.f);
          // two calls: rows [0, 16) and the rest, as the matmul chunks do
          k->run(il.data(), c.wrow, c.xq.data(), c.xrow, c.K, 0, 16, T, y.data(), ldy);
          k->run(il.data(), c.wrow, c.xq.data(), c.xrow, c.K, 16, N, T, y.data(), ldy);
          for (int64_t i = 0; i < T; ++i) {
            for (int64_t n = 0; n < ldy; ++n) {
              const float want = n < N ? ref[size_t(i * N + n)] : 12345.f;
              ASSERT_TRUE(same_bits(y[size_t(i * ldy + n)], want))
                  << dtype_name(t) << " N=" << N << " T=" << T << " K=" << c.K << " t=" << i << " n=" << n << ": "
                  << y[size_t(i * ldy + n)] << " vs " << want;
            }
          }
        }
      }
    }
  }
}

// matmul() and get_row() on an interleaved tensor: the GGUF-layout results bit for bit.
TEST(GemmInterleaved, MatmulAndGetRowReadTheLayout) {
  if (!kernels::level_supported(SimdLevel::Avx512)) GTEST_SKIP() << "no AVX-512 VNNI: weights stay in GGUF layout";
  for (DType t : kInterleavedTypes) {
    for (int64_t T : {1, 6}) {
      const int64_t N = 64, K = 512;
      const Case c = make_case(t, N, K, T, 21);
      const std::vector<float> ref = reference(c);
      const std::vector<uint8_t> il = interleaved(c);
      Tensor w;
      w.type = t;
      w.ne[0] = K;
      w.ne[1] = N;
      w.data = il.data();
      w.row_bytes = c.wrow;
      const PreparedTensor pw = PreparedTensor::in_layout(w, WeightLayout::Rows16);
      ThreadPool pool(2);
      MatmulScratch scratch;
      std::vector<float> y(size_t(T * N), NAN);
      matmul(pw, c.x.data(), T, y.data(), N, scratch, pool);
      for (size_t e = 0; e < y.size(); ++e) ASSERT_TRUE(same_bits(y[e], ref[e])) << dtype_name(t) << " e " << e;
      std::vector<float> got(static_cast<size_t>(K)), want(static_cast<size_t>(K));
      for (int64_t r : {0, 17, 63}) {
        get_row(pw, r, got.data());
        dtype_info(t).scalar.to_float(c.w.data() + size_t(r) * c.wrow, want.data(), K);
        ASSERT_EQ(got, want) << dtype_name(t) << " row " << r;
      }
    }
  }
}

}  // namespace
}  // namespace ondo::core
