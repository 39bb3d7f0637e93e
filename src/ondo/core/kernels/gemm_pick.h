// The weight type -> GEMM traits table shared by gemm_scalar.cpp, gemm_avx2.cpp and
// gemm_avx512.cpp, so the set of types with GEMM kernels is written once. Layer: core.
// Private: include only from gemm_*.cpp.
#pragma once

#include "ondo/core/kernels/gemm.h"
#include "ondo/core/kernels/gemm_levels.h"

namespace ondo::core::kernels {

// The one table from weight type to GEMM traits: calls pick.template operator()<Traits>() for
// the traits of `t` (a kernel per SIMD level is picked this way); nullptr for other types.
template <class Pick>
static inline const GemmKernel* pick_gemm_traits(DType t, Pick&& pick) {
  switch (t) {
    case DType::Q8_0: return pick.template operator()<GemmQ8_0>();
    case DType::Q4_0: return pick.template operator()<GemmQ4_0>();
    case DType::Q5_0: return pick.template operator()<GemmQ5_0>();
    case DType::Q2_K: return pick.template operator()<GemmQ2_K>();
    case DType::Q3_K: return pick.template operator()<GemmQ3_K>();
    case DType::Q4_K: return pick.template operator()<GemmQ4_K>();
    case DType::Q5_K: return pick.template operator()<GemmQ5_K>();
    case DType::Q6_K: return pick.template operator()<GemmQ6_K>();
    default: return nullptr;
  }
}

}  // namespace ondo::core::kernels
