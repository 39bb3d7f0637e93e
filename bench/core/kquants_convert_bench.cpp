// Throughput of the SIMD K-quant conversions, single-threaded, per SIMD level: Q8_K
// activation quantization (GB/s of F32 input) and row dequantization (GB/s of F32 output).
// (The K-quant matrix products are the GEMM kernels', measured in gemm_bench.cpp.)
// Layer: core (bench).
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "ondo/core/dtype.h"
#include "ondo/core/kernels/dispatch.h"

namespace ondo::core {
namespace {

constexpr int64_t kRows = 2048;
constexpr int64_t kCols = 2048;
constexpr int64_t kDistinctRows = 16;  // quantized once, tiled over the matrix

std::vector<float> gaussian(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0.f, 1.f);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = g(rng);
  return v;
}

const char* level_name(kernels::SimdLevel l) {
  return l == kernels::SimdLevel::Scalar ? "scalar" : l == kernels::SimdLevel::Avx2 ? "avx2" : "avx512";
}

std::vector<uint8_t> weight_matrix(DType w) {
  const DTypeInfo& wi = dtype_info(w);
  const uint64_t wrow = row_bytes(w, kCols).value();
  std::vector<uint8_t> distinct(wrow * kDistinctRows);
  const std::vector<float> wf = gaussian(kCols * kDistinctRows, 1);
  wi.scalar.from_float(wf.data(), distinct.data(), kCols * kDistinctRows);
  std::vector<uint8_t> m(wrow * kRows);
  for (int64_t r = 0; r < kRows; ++r) {
    std::copy_n(distinct.data() + (r % kDistinctRows) * wrow, wrow, m.data() + r * wrow);
  }
  return m;
}

void BM_KQuantQ8K(benchmark::State& state) {
  const auto level = static_cast<kernels::SimdLevel>(state.range(0));
  if (!kernels::level_supported(level)) {
    state.SkipWithError("SIMD level not supported on this CPU");
    return;
  }
  const QuantOps ops = kernels::ops_at_level(DType::Q8_K, level);
  const std::vector<float> xf = gaussian(kCols, 3);
  std::vector<uint8_t> xq(row_bytes(DType::Q8_K, kCols).value());
  for (auto _ : state) {
    ops.from_float(xf.data(), xq.data(), kCols);
    benchmark::DoNotOptimize(xq.data());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * kCols * 4);
  state.SetLabel(std::string("Q8_K ") + level_name(level));
}

void BM_KQuantDequantRow(benchmark::State& state) {
  const DType w = static_cast<DType>(state.range(0));
  const auto level = static_cast<kernels::SimdLevel>(state.range(1));
  if (!kernels::level_supported(level)) {
    state.SkipWithError("SIMD level not supported on this CPU");
    return;
  }
  const QuantOps ops = kernels::ops_at_level(w, level);
  const std::vector<uint8_t> weights = weight_matrix(w);
  std::vector<float> out(kCols);
  for (auto _ : state) {
    ops.to_float(weights.data(), out.data(), kCols);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * kCols * 4);
  state.SetLabel(std::string(dtype_name(w)) + " " + level_name(level));
}

void kquant_args(benchmark::internal::Benchmark* b) {
  for (DType t : {DType::Q2_K, DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K}) {
    for (int level = 0; level <= 2; ++level) b->Args({int64_t(t), level});
  }
}

BENCHMARK(BM_KQuantQ8K)->DenseRange(0, 2)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_KQuantDequantRow)->Apply(kquant_args)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace ondo::core
