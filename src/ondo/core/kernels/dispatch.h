// Run-time choice of SIMD kernels for each dtype. Layer: core.
// A type's traits row (dtype.h: DTypeKernels) names its SIMD overrides per level; entries a
// level leaves alone stay those of the level below (finally scalar).
#pragma once

#include "ondo/core/dtype.h"

namespace ondo::core::kernels {

enum class SimdLevel { Scalar = 0, Avx2 = 1, Avx512 = 2 };

// The kernels at exactly `level` (falling back to lower levels per entry), whether or not
// this CPU supports it. Tests compare these against SimdLevel::Scalar; call only levels
// `level_supported` says this CPU runs.
QuantOps ops_at_level(DType t, SimdLevel level);
bool level_supported(SimdLevel level);

}  // namespace ondo::core::kernels
