// Quantized matrix products through the GEMM kernels (core/kernels/gemm.h) at the best
// level of this CPU, single-threaded: GEMV (T = 1) of 2048x8192 and 8192x2048 weights as
// GB/s of weight bytes, and a T = 512 GEMM of 2048x2048 as GOPS (2 N K T / time).
// Layer: core (bench).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "ondo/core/dtype.h"
#include "ondo/core/kernels/gemm.h"
#include "ondo/core/quant/interleave.h"

namespace ondo::core {
namespace {

constexpr int64_t kDistinctRows = 16;  // quantized once, tiled over the matrix

struct Problem {
  DType type;
  int64_t N, K, T;
  size_t wrow, xrow;
  std::vector<uint8_t> w, xq;
  std::vector<float> y;
};

Problem make_problem(DType t, int64_t N, int64_t K, int64_t T) {
  Problem p{t, N, K, T, size_t(row_bytes(t, K).value()), 0, {}, {}, {}};
  const DType xt = dtype_info(t).vec_dot_type;
  p.xrow = size_t(row_bytes(xt, K).value());
  std::mt19937 rng(1);
  std::normal_distribution<float> g(0.f, 1.f);
  std::vector<float> f(size_t(K * std::max(kDistinctRows, T)));
  for (float& v : f) v = g(rng);
  std::vector<uint8_t> distinct(p.wrow * kDistinctRows);
  dtype_info(t).scalar.from_float(f.data(), distinct.data(), K * kDistinctRows);
  p.w.resize(p.wrow * size_t(N));
  for (int64_t r = 0; r < N; ++r) {
    std::copy_n(distinct.data() + (r % kDistinctRows) * p.wrow, p.wrow, p.w.data() + r * p.wrow);
  }
  p.xq.resize(p.xrow * size_t(T));
  for (int64_t i = 0; i < T; ++i) best_ops(xt).from_float(f.data() + i * K, p.xq.data() + i * p.xrow, K);
  p.y.resize(size_t(N * T));
  return p;
}

// state.range: DType id, N, K, T, mode (0 = GEMM kernel, best level, 1 = the kernel of the
// row-interleaved layout, core/quant/interleave.h).
void BM_Matmul(benchmark::State& state) {
  const DType t = static_cast<DType>(state.range(0));
  Problem p = make_problem(t, state.range(1), state.range(2), state.range(3));
  const bool interleaved = state.range(4) == 1;
  const kernels::GemmKernel* k = kernels::gemm_kernel(t);
  if (interleaved) {
    k = kernels::gemm_kernel_interleaved(t);
    if (!k) return state.SkipWithError("no interleaved kernel for this type on this CPU");
    std::vector<uint8_t> il(p.w.size());
    interleave_rows(t, p.w.data(), il.data(), p.N, p.K);
    p.w = std::move(il);
  }
  for (auto _ : state) {
    k->run(p.w.data(), p.wrow, p.xq.data(), p.xrow, p.K, 0, p.N, p.T, p.y.data(), p.N);
    benchmark::DoNotOptimize(p.y.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(p.w.size()));
  state.counters["GOPS"] = benchmark::Counter(2.0 * double(p.N * p.K * p.T) * double(state.iterations()),
                                              benchmark::Counter::kIsRate, benchmark::Counter::kIs1000);
  state.SetLabel(std::string(dtype_name(t)) + (interleaved ? " interleaved " : " gemm ") +
                 std::string(simd_level_name()));
}

void matmul_args(benchmark::internal::Benchmark* b) {
  for (DType t : {DType::Q8_0, DType::Q4_0, DType::Q5_0, DType::Q2_K, DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K}) {
    b->Args({int64_t(t), 2048, 8192, 1, 0});
    b->Args({int64_t(t), 8192, 2048, 1, 0});
    b->Args({int64_t(t), 2048, 2048, 512, 0});
    // decode kernels: weights in L2 (compute bound), T = 4, weights past L3 (DRAM bound)
    b->Args({int64_t(t), 256, 2048, 1, 0});
    b->Args({int64_t(t), 256, 2048, 4, 0});
    b->Args({int64_t(t), 2048, 8192, 4, 0});
    b->Args({int64_t(t), 2048, 8192, 8, 0});
    b->Args({int64_t(t), 2048, 8192, 16, 0});
    b->Args({int64_t(t), 8192, 8192, 1, 0});
    if (t == DType::Q4_K || t == DType::Q6_K) {
      for (int64_t T : {1, 4}) b->Args({int64_t(t), 256, 2048, T, 1});
      for (int64_t T : {1, 4, 8}) b->Args({int64_t(t), 2048, 8192, T, 1});
      for (int64_t T : {1, 4}) b->Args({int64_t(t), 8192, 8192, T, 1});
      b->Args({int64_t(t), 2048, 2048, 512, 1});
    }
  }
}

BENCHMARK(BM_Matmul)->Apply(matmul_args)->Unit(benchmark::kMillisecond)->MinTime(0.3);

}  // namespace
}  // namespace ondo::core
