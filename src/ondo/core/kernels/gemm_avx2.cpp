// AVX2 GEMM kernels (gemm.h): each type's row kernel (gemm_avx2_rows.h; the types in
// gemm_kquants_avx2.cpp and gemm_legacy_avx2.cpp), named here as the kernel dtype.cpp's
// traits rows take. Bitwise equal to gemm_scalar.cpp. Layer: core. Must not touch anything
// above core.
#include "ondo/core/kernels/gemm.h"
#include "ondo/core/kernels/gemm_avx2.h"
#include "ondo/core/kernels/dtype_kernels.h"

namespace ondo::core::kernels {

#define ONDO_GEMM_AVX2(T, t) \
  template <>                \
  const GemmKernel* gemm_avx2_of<DType::T>() { return gemm_rows_avx2_##t(); }
ONDO_GEMM_AVX2(Q8_0, q8_0)
ONDO_GEMM_AVX2(Q4_0, q4_0)
ONDO_GEMM_AVX2(Q5_0, q5_0)
ONDO_GEMM_AVX2(Q2_K, q2_K)
ONDO_GEMM_AVX2(Q3_K, q3_K)
ONDO_GEMM_AVX2(Q4_K, q4_K)
ONDO_GEMM_AVX2(Q5_K, q5_K)
ONDO_GEMM_AVX2(Q6_K, q6_K)
#undef ONDO_GEMM_AVX2

}  // namespace ondo::core::kernels
