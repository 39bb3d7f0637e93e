// `ondo bench --simd LEVEL` and the kernel lines of `ondo info`, run as a user runs them: the
// built binary on a small testdata model. Layer: cli tests (needs the `ondo` target built in
// the same build dir).
#include <gtest/gtest.h>

#include <string>

#include "support/run_command.h"

namespace ondo::cli {
namespace {

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

size_t count(const std::string& s, const std::string& part) {
  size_t n = 0;
  for (size_t at = s.find(part); at != std::string::npos; at = s.find(part, at + 1)) ++n;
  return n;
}

// `ondo ARGS` with stderr merged and `env` in front (ONDO_SIMD cleared unless env sets it,
// so the test sees this CPU's own levels).
testing::MergedRun ondo(const std::string& args, const std::string& env = "") {
  return testing::run_shell("env -u ONDO_SIMD " + env + " " + (testing::binary_dir() / "ondo").string() + " " + args +
                            " 2>&1 </dev/null");
}

testing::MergedRun bench(const std::string& model, const std::string& simd) {
  return ondo("bench -m " + model + " -p 8 -n 2 -r 1 -t 1 --simd " + simd);
}

TEST(BenchSimd, RunsAtTheNamedLevel) {
  ONDO_TESTDATA_OR_SKIP(dir);
  const std::string model = (dir / "models" / "ref-llama-spm-q4_k_m.gguf").string();
  const testing::MergedRun r = bench(model, "scalar");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_TRUE(has(r.out, "scalar kernels")) << r.out;
  EXPECT_TRUE(has(r.out, "pp8")) << r.out;
}

TEST(BenchSimd, AllRunsEveryLevelThisCpuHas) {
  ONDO_TESTDATA_OR_SKIP(dir);
  const std::string model = (dir / "models" / "ref-llama-spm-q4_k_m.gguf").string();
  const testing::MergedRun info = ondo("info " + model);
  ASSERT_EQ(info.status, 0) << info.out;
  const testing::MergedRun r = bench(model, "all");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(count(r.out, "model: "), 1 + (has(r.out, "avx2 kernels") ? 1 : 0) + (has(r.out, "avx512 kernels") ? 1 : 0))
      << r.out;
  EXPECT_TRUE(has(r.out, "scalar kernels")) << r.out;
  // the best level (the one ondo info names) is among them
  for (const char* level : {"avx512", "avx2"}) {
    if (has(info.out, std::string("kernels:       ") + level + " level")) {
      EXPECT_TRUE(has(r.out, std::string(level) + " kernels")) << r.out;
      break;
    }
  }
}

TEST(BenchSimd, BadLevelsAreClearErrors) {
  ONDO_TESTDATA_OR_SKIP(dir);
  const std::string model = (dir / "models" / "ref-llama-spm-q4_k_m.gguf").string();
  const testing::MergedRun bad = bench(model, "sse9");
  EXPECT_NE(bad.status, 0);
  EXPECT_TRUE(has(bad.out, "--simd 'sse9' is not one of scalar, avx2, avx512, all")) << bad.out;
  const testing::MergedRun info = ondo("info " + model);
  if (!has(info.out, "kernels:       avx512 level")) {  // a CPU without AVX-512
    const testing::MergedRun r = bench(model, "avx512");
    EXPECT_NE(r.status, 0);
    EXPECT_TRUE(has(r.out, "--simd avx512: this CPU does not run it (it runs: scalar")) << r.out;
  }
}

// Every 2-D weight type of the file gets a line; 1-D tensors (norms) none.
TEST(InfoKernels, NamesTheKernelOfEveryWeightType) {
  ONDO_TESTDATA_OR_SKIP(dir);
  const testing::MergedRun r = ondo("info " + (dir / "models" / "ref-llama-spm-q4_k_m.gguf").string());
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_TRUE(has(r.out, "kernels:       ")) << r.out;
  EXPECT_TRUE(has(r.out, "  Q4_K   gemm ")) << r.out;
  EXPECT_TRUE(has(r.out, "  Q6_K   gemm ")) << r.out;
  EXPECT_FALSE(has(r.out, "  F32 ")) << r.out;  // only 1-D norms: no matmul
}

TEST(InfoKernels, FollowsOndoSimd) {
  ONDO_TESTDATA_OR_SKIP(dir);
  const testing::MergedRun s = ondo("info " + (dir / "models" / "ref-llama-spm-q8_0.gguf").string(), "ONDO_SIMD=scalar");
  ASSERT_EQ(s.status, 0) << s.out;
  EXPECT_TRUE(has(s.out, "kernels:       scalar level")) << s.out;
  EXPECT_TRUE(has(s.out, "  Q8_0   gemm scalar")) << s.out;
}

}  // namespace
}  // namespace ondo::cli
