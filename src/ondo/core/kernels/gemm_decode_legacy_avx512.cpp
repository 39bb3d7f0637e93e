// The AVX-512 VNNI decode kernels (gemm_decode.h) of the 32-element types Q8_0, Q4_0, Q5_0
// against Q8_0 activations, by type: all run a row at a time (Q8_0, Q4_0:
// gemm_decode_legacy_rows_avx512.cpp; Q5_0: gemm_decode_rows2_avx512.cpp). Layer: core.
// Must not touch anything above core.
#include "ondo/core/kernels/gemm_decode.h"

namespace ondo::core::kernels {

GemmFn gemm_decode_legacy_avx512(DType t) {
  switch (t) {
    case DType::Q8_0:
    case DType::Q4_0: return gemm_decode_legacy_rows_avx512(t);
    case DType::Q5_0: return gemm_decode_rows2_avx512(t);
    default: return nullptr;
  }
}

}  // namespace ondo::core::kernels
