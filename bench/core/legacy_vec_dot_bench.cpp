// Throughput of the legacy vec_dot kernels: a 2048 x 2048 matrix times one activation
// vector, single-threaded, reported as GB/s of weight bytes read (bytes_per_second), per
// type and SIMD level, for the types without GEMM kernels (Q4_0, Q5_0, Q8_0: gemm_bench.cpp).
// Also the activation quantizers (GB/s of F32 input). Layer: core (bench).
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "ondo/core/dtype.h"
#include "ondo/core/kernels/dispatch.h"

namespace ondo::core {
namespace {

constexpr int64_t kRows = 2048;
constexpr int64_t kCols = 2048;

std::vector<float> random_floats(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = u(rng);
  return v;
}

// state.range(0): DType id, state.range(1): SimdLevel.
void BM_MatVec(benchmark::State& state) {
  const DType w = static_cast<DType>(state.range(0));
  const auto level = static_cast<kernels::SimdLevel>(state.range(1));
  if (!kernels::level_supported(level)) {
    state.SkipWithError("SIMD level not supported on this CPU");
    return;
  }
  const DTypeInfo& wi = dtype_info(w);
  const QuantOps ops = kernels::ops_at_level(w, level);
  const QuantOps xops = kernels::ops_at_level(wi.vec_dot_type, level);
  const uint64_t wrow = row_bytes(w, kCols).value();
  std::vector<uint8_t> weights(wrow * kRows);
  const std::vector<float> wf = random_floats(kCols, 1);
  for (int64_t r = 0; r < kRows; ++r) wi.scalar.from_float(wf.data(), weights.data() + r * wrow, kCols);
  const std::vector<float> xf = random_floats(kCols, 2);
  std::vector<uint8_t> xq(row_bytes(wi.vec_dot_type, kCols).value());
  xops.from_float(xf.data(), xq.data(), kCols);
  std::vector<float> out(kRows);
  for (auto _ : state) {
    for (int64_t r = 0; r < kRows; ++r) out[size_t(r)] = ops.vec_dot(weights.data() + r * wrow, xq.data(), kCols);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(weights.size()));
  state.SetLabel(std::string(wi.name) + " " + (level == kernels::SimdLevel::Scalar ? "scalar"
                 : level == kernels::SimdLevel::Avx2 ? "avx2" : "avx512"));
}

// Activation quantization of one 2048-float row into a partner format.
void BM_QuantizeActivation(benchmark::State& state) {
  const DType t = static_cast<DType>(state.range(0));
  const auto level = static_cast<kernels::SimdLevel>(state.range(1));
  if (!kernels::level_supported(level)) {
    state.SkipWithError("SIMD level not supported on this CPU");
    return;
  }
  const QuantOps ops = kernels::ops_at_level(t, level);
  const std::vector<float> xf = random_floats(kCols, 3);
  std::vector<uint8_t> xq(row_bytes(t, kCols).value());
  for (auto _ : state) {
    ops.from_float(xf.data(), xq.data(), kCols);
    benchmark::DoNotOptimize(xq.data());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * kCols * 4);
  state.SetLabel(std::string(dtype_name(t)));
}

void matvec_args(benchmark::internal::Benchmark* b) {
  for (DType t : {DType::F32, DType::F16, DType::BF16, DType::Q4_1, DType::Q5_1}) {
    for (int level = 0; level <= 2; ++level) b->Args({int64_t(t), level});
  }
}

void quant_args(benchmark::internal::Benchmark* b) {
  for (DType t : {DType::Q8_0, DType::Q8_1, DType::F16, DType::BF16}) {
    for (int level = 0; level <= 2; ++level) b->Args({int64_t(t), level});
  }
}

BENCHMARK(BM_MatVec)->Apply(matvec_args)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_QuantizeActivation)->Apply(quant_args)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace ondo::core
