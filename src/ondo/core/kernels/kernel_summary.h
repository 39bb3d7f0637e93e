// Which matmul kernels this CPU runs, described for people (`ondo info`). Layer: core.
#pragma once

#include <cstdint>
#include <string>

#include "ondo/core/dtype.h"

namespace ondo::core {

// How matmul() (kernels/matmul.h) multiplies weights of type t with `rows` rows on this
// CPU: the kernel family and its SIMD level, and the weight layout, e.g. "gemm avx2",
// "gemm avx512 + decode avx512, rows16 layout", "vec_dot avx2"; "none" for a type matmul
// cannot take. Fixes the SIMD level (as any kernel dispatch does).
std::string matmul_kernel_summary(DType t, int64_t rows);

}  // namespace ondo::core
