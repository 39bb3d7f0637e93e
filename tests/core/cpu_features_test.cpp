// CPU feature detection: what each architecture must report. Layer: core (tests).
#include "ondo/core/cpu_features.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace ondo::core {
namespace {

TEST(CpuFeatures, ArchitectureFlagsAreConsistent) {
  const CpuFeatures& f = cpu_features();
#if defined(__aarch64__)
  EXPECT_TRUE(f.neon) << "NEON is mandatory on aarch64";
  EXPECT_FALSE(f.avx2 || f.avx512);
  // scripts/test-arm says what the emulated CPU has: qemu -cpu max has dotprod and i8mm,
  // -cpu cortex-a53 has neither.
  if (const char* want = std::getenv("ONDO_EXPECT_DOTPROD")) {
    EXPECT_EQ(f.dotprod, std::string(want) == "1");
  }
  if (const char* want = std::getenv("ONDO_EXPECT_I8MM")) {
    EXPECT_EQ(f.i8mm, std::string(want) == "1");
  }
#else
  EXPECT_FALSE(f.neon || f.dotprod || f.i8mm);
  if (f.avx512) {
    EXPECT_TRUE(f.avx2);
  }
#endif
}

TEST(CpuFeatures, ForceSimdLevelKnowsNeonAndRejectsUnknownNames) {
  EXPECT_FALSE(force_simd_level("sse9"));
  EXPECT_FALSE(force_simd_level(""));
  // Accepting a name must not change the cap for the other tests in this process: the cap
  // is read once, at the first cpu_features() call, which the test above already made.
  EXPECT_TRUE(force_simd_level("neon"));
  EXPECT_TRUE(force_simd_level("avx512"));
}

}  // namespace
}  // namespace ondo::core
