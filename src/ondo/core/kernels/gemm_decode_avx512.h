// Shared pieces of the AVX-512 VNNI decode kernels (gemm_decode_q*_avx512.cpp). Layer: core.
// Private: include only from *_avx512.cpp translation units; everything has internal
// linkage, so no SIMD-compiled copy can be shared with baseline code.
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace ondo::core::kernels {
namespace {

// Lane k (128-bit), dword j of the result = sum of the 4 dwords of lane k of z_j.
inline __m512i sum4x4(__m512i z0, __m512i z1, __m512i z2, __m512i z3) {
  const __m512i a = _mm512_add_epi32(_mm512_unpacklo_epi32(z0, z1), _mm512_unpackhi_epi32(z0, z1));
  const __m512i b = _mm512_add_epi32(_mm512_unpacklo_epi32(z2, z3), _mm512_unpackhi_epi32(z2, z3));
  return _mm512_add_epi32(_mm512_unpacklo_epi64(a, b), _mm512_unpackhi_epi64(a, b));
}

// 32 word indices (vpermw / vpermt2w operands), built at compile time.
struct Words32 {
  int16_t w[32];
};

// sum over the 16 dwords of the result = sum_j scale(j) * (dot dword j of d_a and d_b):
// the dots (|dot| < 2^15) packed to words, two per dword, multiplied by their word scales.
inline __m512i scaled_pair(__m512i acc, __m512i da, __m512i db, __m512i scales) {
  return _mm512_dpwssd_epi32(acc, _mm512_packs_epi32(da, db), scales);
}

}  // namespace
}  // namespace ondo::core::kernels
