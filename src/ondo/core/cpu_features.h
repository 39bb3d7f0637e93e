// Run-time CPU feature detection (x86-64 cpuid + xgetbv). Layer: core.
#pragma once

namespace ondo::core {

struct CpuFeatures {
  bool avx2 = false;     // with FMA and F16C
  bool avx512 = false;   // F, BW, VL, DQ with OS support for ZMM state
  bool avx512_vnni = false;
  bool avx512_bf16 = false;
};

// Detected once; thread-safe. Setting ONDO_SIMD is done by cli/ through
// `force_simd_level` only (no environment reads below cli/).
const CpuFeatures& cpu_features();

// Caps the SIMD level used by kernels ("scalar", "avx2", "avx512"); for tests and
// benchmarks. Must be called before the first kernel dispatch. Returns false on an
// unknown name.
bool force_simd_level(const char* name);

}  // namespace ondo::core
