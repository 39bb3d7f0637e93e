// The AVX2 row kernels (gemm_avx2_rows.h) per type, defined in gemm_kquants_avx2.cpp and
// gemm_legacy_avx2.cpp; gemm_avx2.cpp names them as each type's AVX2 GEMM kernel. Layer: core.
// Private to core/kernels.
#pragma once

#include "ondo/core/kernels/gemm.h"

namespace ondo::core::kernels {

const GemmKernel* gemm_rows_avx2_q8_0();
const GemmKernel* gemm_rows_avx2_q4_0();
const GemmKernel* gemm_rows_avx2_q5_0();
const GemmKernel* gemm_rows_avx2_q2_K();
const GemmKernel* gemm_rows_avx2_q3_K();
const GemmKernel* gemm_rows_avx2_q4_K();
const GemmKernel* gemm_rows_avx2_q5_K();
const GemmKernel* gemm_rows_avx2_q6_K();

}  // namespace ondo::core::kernels
