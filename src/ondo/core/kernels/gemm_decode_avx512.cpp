// The AVX-512 VNNI decode kernels (gemm_decode.h) by weight type. All run a row at a time:
// Q4_K, Q6_K in gemm_decode_q4k_q6k_avx512.cpp; Q8_0, Q4_0 in gemm_decode_q8_0_q4_0_avx512.cpp;
// Q5_K, Q3_K, Q2_K, Q5_0 in gemm_decode_q5k_q3k_q2k_q5_0_avx512.cpp. Layer: core. Must not
// touch anything above core.
#include "ondo/core/kernels/gemm_decode.h"

namespace ondo::core::kernels {

GemmFn gemm_decode_avx512(DType t) {
  switch (t) {
    case DType::Q4_K:
    case DType::Q6_K: return gemm_decode_q4k_q6k_avx512(t);
    case DType::Q8_0:
    case DType::Q4_0: return gemm_decode_q8_0_q4_0_avx512(t);
    case DType::Q5_K:
    case DType::Q3_K:
    case DType::Q2_K:
    case DType::Q5_0: return gemm_decode_q5k_q3k_q2k_q5_0_avx512(t);
    default: return nullptr;
  }
}

}  // namespace ondo::core::kernels
