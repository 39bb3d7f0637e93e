// Run-time choice of SIMD kernels for each dtype. Layer: core.
// Each SIMD translation unit (legacy_avx2.cpp, kquants_avx512.cpp, ...) overrides the
// entries of QuantOps it accelerates; anything it leaves alone stays scalar.
#pragma once

#include "ondo/core/dtype.h"

namespace ondo::core::kernels {

enum class SimdLevel { Scalar = 0, Avx2 = 1, Avx512 = 2 };

// The kernels at exactly `level` (falling back to lower levels per entry), whether or not
// this CPU supports it. Tests compare these against SimdLevel::Scalar; call only levels
// `level_supported` says this CPU runs.
QuantOps ops_at_level(DType t, SimdLevel level);
bool level_supported(SimdLevel level);

// Implemented by the SIMD translation units: each overwrites the entries of `ops` it
// accelerates for type `t` and leaves the rest. Plain and legacy types (F32, F16, BF16,
// Q4_0..Q8_1) live in legacy_{avx2,avx512}.cpp, the K types in kquants_{avx2,avx512}.cpp.
void install_legacy_avx2(DType t, QuantOps& ops);
void install_legacy_avx512(DType t, QuantOps& ops);
void install_kquants_avx2(DType t, QuantOps& ops);
void install_kquants_avx512(DType t, QuantOps& ops);

}  // namespace ondo::core::kernels
