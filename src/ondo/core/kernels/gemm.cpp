// Run-time choice of the GEMM kernels (gemm.h) by CPU level. Layer: core.
#include "ondo/core/kernels/gemm.h"

namespace ondo::core::kernels {

const GemmKernel* gemm_kernel_at_level(DType t, SimdLevel level) {
  switch (level) {
    case SimdLevel::Scalar: return gemm_kernel_scalar(t);
    case SimdLevel::Avx2: return gemm_kernel_avx2(t);
    case SimdLevel::Avx512: return gemm_kernel_avx512(t);
  }
  return nullptr;
}

const GemmKernel* gemm_kernel(DType t) {
  static const SimdLevel best = level_supported(SimdLevel::Avx512) ? SimdLevel::Avx512
                                : level_supported(SimdLevel::Avx2) ? SimdLevel::Avx2
                                                                   : SimdLevel::Scalar;
  return gemm_kernel_at_level(t, best);
}

const GemmKernel* gemm_kernel_interleaved(DType t) {
  static const bool avx512 = level_supported(SimdLevel::Avx512);
  return avx512 ? gemm_kernel_interleaved_avx512(t) : nullptr;
}

}  // namespace ondo::core::kernels
