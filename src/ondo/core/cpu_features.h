// Run-time CPU feature detection (x86-64 cpuid + xgetbv; aarch64 getauxval). Layer: core.
#pragma once

namespace ondo::core {

struct CpuFeatures {
  bool avx2 = false;     // with FMA and F16C
  bool avx512 = false;   // F, BW, VL, DQ with OS support for ZMM state
  bool avx512_vnni = false;
  bool avx512_bf16 = false;
  bool neon = false;     // always on aarch64 (Advanced SIMD is mandatory there)
  bool dotprod = false;  // aarch64 SDOT/UDOT (HWCAP_ASIMDDP)
  bool i8mm = false;     // aarch64 SMMLA/USMMLA (HWCAP2_I8MM)
};

// Detected once; thread-safe. Setting ONDO_SIMD is done by cli/ through
// `force_simd_level` only (no environment reads below cli/).
const CpuFeatures& cpu_features();

// Caps the SIMD level used by kernels ("scalar", "avx2", "avx512", "neon"); for tests and
// benchmarks; "neon" keeps NEON (and its dotprod/i8mm) and "scalar" drops it. Must be called before the first kernel dispatch. Returns false on an
// unknown name.
bool force_simd_level(const char* name);

}  // namespace ondo::core
