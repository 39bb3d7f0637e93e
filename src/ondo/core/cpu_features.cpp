// CPU feature detection. Layer: core.
#include "ondo/core/cpu_features.h"

#include <cstring>

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#endif
#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#endif

namespace ondo::core {
namespace {

int g_cap = 2;  // 0 scalar, 1 avx2 or neon, 2 avx512

CpuFeatures detect() {
  CpuFeatures f;
#if defined(__x86_64__)
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
  const bool osxsave = (c >> 27) & 1;
  const bool fma = (c >> 12) & 1;
  const bool f16c = (c >> 29) & 1;
  const bool avx = (c >> 28) & 1;
  if (!osxsave || !avx) return f;
  unsigned xlo, xhi;
  __asm__ volatile("xgetbv" : "=a"(xlo), "=d"(xhi) : "c"(0));
  const bool ymm_os = (xlo & 0x6) == 0x6;
  const bool zmm_os = (xlo & 0xe6) == 0xe6;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return f;
  const bool avx2 = (b >> 5) & 1;
  const bool bmi2 = (b >> 8) & 1;
  f.avx2 = ymm_os && avx2 && fma && f16c && bmi2;
  const bool f512 = (b >> 16) & 1, dq = (b >> 17) & 1, bw = (b >> 30) & 1, vl = (b >> 31) & 1;
  f.avx512 = f.avx2 && zmm_os && f512 && dq && bw && vl;
  f.avx512_vnni = f.avx512 && ((c >> 11) & 1);
  unsigned a1, b1, c1, d1;
  if (__get_cpuid_count(7, 1, &a1, &b1, &c1, &d1)) f.avx512_bf16 = f.avx512 && ((a1 >> 5) & 1);
#endif
#if defined(__aarch64__)
  f.neon = true;
#if defined(__linux__)
  // Bit values from the Linux arm64 uapi hwcap.h: HWCAP_ASIMDDP = 1 << 20, HWCAP2_I8MM = 1 << 13.
  const unsigned long hw = getauxval(AT_HWCAP), hw2 = getauxval(AT_HWCAP2);
  f.dotprod = (hw >> 20) & 1;
  f.i8mm = (hw2 >> 13) & 1;
#endif
#endif
  return f;
}

}  // namespace

const CpuFeatures& cpu_features() {
  static const CpuFeatures detected = detect();
  static CpuFeatures capped;
  static const bool once = [] {
    capped = detected;
    if (g_cap < 2) capped.avx512 = capped.avx512_vnni = capped.avx512_bf16 = false;
    if (g_cap < 1) capped.avx2 = capped.neon = capped.dotprod = capped.i8mm = false;
    return true;
  }();
  (void)once;
  return capped;
}

bool force_simd_level(const char* name) {
  if (std::strcmp(name, "scalar") == 0) g_cap = 0;
  else if (std::strcmp(name, "avx2") == 0) g_cap = 1;
  else if (std::strcmp(name, "avx512") == 0) g_cap = 2;
  else if (std::strcmp(name, "neon") == 0) g_cap = 1;
  else return false;
  return true;
}

}  // namespace ondo::core
