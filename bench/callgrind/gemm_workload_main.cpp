// A fixed GEMM kernel workload for instruction counts under valgrind (repeatable on a loaded
// machine, unlike wall time): `bench_gemm_workload TYPE T [REPS]` runs the GEMM kernel of
// TYPE (best level of this CPU, capped by ONDO_SIMD) over 512 x 2048 weights and T tokens
// REPS times (default 1) inside run_workload(), the function to count:
//   valgrind --tool=callgrind --toggle-collect='*run_workload*' bench_gemm_workload Q4_K 1 4
// Layer: core (bench). Plain main, no Google Benchmark.
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "ondo/core/cpu_features.h"
#include "ondo/core/dtype.h"
#include "ondo/core/kernels/gemm.h"

namespace {

using namespace ondo::core;

struct Problem {
  int64_t N = 512, K = 2048, T = 1;
  size_t wrow = 0, xrow = 0;
  std::vector<uint8_t> w, xq;
  std::vector<float> y;
};

__attribute__((noinline)) void run_workload(const kernels::GemmKernel& k, Problem& p, int reps) {
  for (int r = 0; r < reps; ++r) k.run(p.w.data(), p.wrow, p.xq.data(), p.xrow, p.K, 0, p.N, p.T, p.y.data(), p.N);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: bench_gemm_workload TYPE T [REPS]\n");
    return 2;
  }
  if (const char* s = std::getenv("ONDO_SIMD"); s && s[0]) force_simd_level(s);
  const auto t = dtype_from_name(argv[1]);
  if (!t || !kernels::gemm_kernel(*t)) {
    std::fprintf(stderr, "bench_gemm_workload: no GEMM kernel for type '%s'\n", argv[1]);
    return 2;
  }
  Problem p;
  p.T = std::atoi(argv[2]);
  const int reps = argc > 3 ? std::atoi(argv[3]) : 1;
  if (p.T < 1 || p.T > 4096 || reps < 1) {
    std::fprintf(stderr, "bench_gemm_workload: T must be 1..4096 and REPS >= 1\n");
    return 2;
  }
  const DType xt = dtype_info(*t).vec_dot_type;
  p.wrow = size_t(row_bytes(*t, p.K).value());
  p.xrow = size_t(row_bytes(xt, p.K).value());
  std::mt19937 rng(1);
  std::normal_distribution<float> g(0.f, 1.f);
  std::vector<float> f(size_t(p.K * std::max<int64_t>(p.N, p.T)));
  for (float& v : f) v = g(rng);
  p.w.resize(p.wrow * size_t(p.N));
  dtype_info(*t).scalar.from_float(f.data(), p.w.data(), p.K * p.N);
  p.xq.resize(p.xrow * size_t(p.T));
  dtype_info(xt).scalar.from_float(f.data(), p.xq.data(), p.K * p.T);
  p.y.resize(size_t(p.N * p.T));
  run_workload(*kernels::gemm_kernel(*t), p, reps);
  double s = 0;
  for (float v : p.y) s += v;
  std::printf("%s T=%lld reps=%d level=%s checksum=%.6g\n", argv[1], (long long)p.T, reps,
              std::string(simd_level_name()).c_str(), s);
  return 0;
}
