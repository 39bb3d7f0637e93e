// Run-time choice of the GEMM kernels (gemm.h) by CPU level, from each type's traits row.
// Layer: core.
#include "ondo/core/kernels/gemm.h"

namespace ondo::core::kernels {

const GemmKernel* gemm_kernel_at_level(DType t, SimdLevel level) {
  const DTypeKernels& k = dtype_info(t).kernels;
  GemmKernelFn f = nullptr;
  switch (level) {
    case SimdLevel::Scalar: f = k.gemm_scalar; break;
    case SimdLevel::Avx2: f = k.gemm_avx2; break;
    case SimdLevel::Avx512: f = k.gemm_avx512; break;
  }
  return f ? f() : nullptr;
}

const GemmKernel* gemm_kernel_scalar(DType t) { return gemm_kernel_at_level(t, SimdLevel::Scalar); }

const GemmKernel* gemm_kernel(DType t) {
  static const SimdLevel best = level_supported(SimdLevel::Avx512) ? SimdLevel::Avx512
                                : level_supported(SimdLevel::Avx2) ? SimdLevel::Avx2
                                                                   : SimdLevel::Scalar;
  return gemm_kernel_at_level(t, best);
}

const GemmKernel* gemm_kernel_interleaved(DType t) {
  static const bool avx512 = level_supported(SimdLevel::Avx512);
  const GemmKernelFn f = dtype_info(t).kernels.gemm_repacked_avx512;
  return avx512 && f ? f() : nullptr;
}

}  // namespace ondo::core::kernels
