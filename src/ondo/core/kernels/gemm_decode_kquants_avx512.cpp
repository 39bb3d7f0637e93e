// The AVX-512 VNNI decode kernels (gemm_decode.h) of the K types against Q8_K activations,
// by type: all run a row at a time (Q4_K, Q6_K: gemm_decode_rows_avx512.cpp; Q5_K, Q3_K,
// Q2_K: gemm_decode_rows2_avx512.cpp). Layer: core. Must not touch anything above core.
#include "ondo/core/kernels/gemm_decode.h"

namespace ondo::core::kernels {

GemmFn gemm_decode_kquants_avx512(DType t) {
  switch (t) {
    case DType::Q4_K:
    case DType::Q6_K: return gemm_decode_rows_avx512(t);
    case DType::Q5_K:
    case DType::Q3_K:
    case DType::Q2_K: return gemm_decode_rows2_avx512(t);
    default: return nullptr;
  }
}

}  // namespace ondo::core::kernels
