// Row-at-a-time AVX-512 VNNI block sums for few tokens (decode), used by gemm_avx512.cpp
// where T is too small to pay for a panel. Layer: core. Private: include only from
// gemm_avx512.cpp, after gemm_levels.h. Each isum_* returns the exact integers of one block
// (gemm_levels.h): isum (and msum for the types with mins), straight from the GGUF layout.
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "ondo/core/quant/blocks.h"

namespace ondo::core::kernels {
namespace {

struct BlockSums { int32_t isum, msum; };

inline __m512i cat256(const void* a, const void* b) {
  return _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256(static_cast<const __m256i*>(a))),
                            _mm256_loadu_si256(static_cast<const __m256i*>(b)), 1);
}

// Q8_0: (w + 128) as unsigned bytes against x, minus 128 * sum(x) (both exact).
inline BlockSums isum_q8_0(const void* wb, const uint8_t* xrow, int64_t b) {
  const auto& w = static_cast<const BlockQ8_0*>(wb)[0];
  const int8_t* x = reinterpret_cast<const BlockQ8_0*>(xrow)[b].qs;
  const __m256i xv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x));
  const __m256i u = _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w.qs)), _mm256_set1_epi8(char(0x80)));
  __m256i p = _mm256_dpbusd_epi32(_mm256_setzero_si256(), u, xv);
  p = _mm256_sub_epi32(p, _mm256_slli_epi32(_mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_set1_epi8(1), xv), 7));
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(p), _mm256_extracti128_si256(p, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
  return {_mm_cvtsi128_si32(s), 0};
}

// Q4_K: nibbles are the unsigned operand; zmm of qs[0..63] low nibbles = sub-blocks 0 and
// 2, high = 1 and 3 (qs[64..127]: 4, 6 and 5, 7). Scales per lane by vpermd, then mullo.
inline BlockSums isum_q4_K(const void* wb, const uint8_t* xrow, int64_t b) {
  const auto& w = *static_cast<const BlockQ4_K*>(wb);
  const auto& xb = reinterpret_cast<const BlockQ8_K*>(xrow)[b];
  uint32_t u[3];
  std::memcpy(u, w.scales, 12);
  const uint32_t m6 = 0x3f3f3f3f, m4 = 0x0f0f0f0f, m2 = 0x03030303;
  // bytes 0..7: scales of sub-blocks 0..7, bytes 8..15: mins (layout: quant/q4_K.cpp)
  const __m128i sm = _mm_setr_epi32(int(u[0] & m6), int((u[2] & m4) | (((u[0] >> 6) & m2) << 4)),
                                    int(u[1] & m6), int(((u[2] >> 4) & m4) | (((u[1] >> 6) & m2) << 4)));
  const __m512i s32 = _mm512_cvtepu8_epi32(sm);
  const __m512i m0f = _mm512_set1_epi8(0x0F);
  const __m512i q0 = _mm512_loadu_si512(w.qs), q1 = _mm512_loadu_si512(w.qs + 64);
  const int8_t* x = xb.qs;
  const __m512i z = _mm512_setzero_si512();
  __m512i p0 = _mm512_dpbusd_epi32(z, _mm512_and_si512(q0, m0f), cat256(x, x + 64));
  __m512i p1 = _mm512_dpbusd_epi32(z, _mm512_and_si512(_mm512_srli_epi16(q0, 4), m0f), cat256(x + 32, x + 96));
  __m512i p2 = _mm512_dpbusd_epi32(z, _mm512_and_si512(q1, m0f), cat256(x + 128, x + 192));
  __m512i p3 = _mm512_dpbusd_epi32(z, _mm512_and_si512(_mm512_srli_epi16(q1, 4), m0f), cat256(x + 160, x + 224));
  const __m512i i02 = _mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2);
  const __m512i one = _mm512_set1_epi32(1), four = _mm512_set1_epi32(4);
  p0 = _mm512_mullo_epi32(p0, _mm512_permutexvar_epi32(i02, s32));
  p1 = _mm512_mullo_epi32(p1, _mm512_permutexvar_epi32(_mm512_add_epi32(i02, one), s32));
  p2 = _mm512_mullo_epi32(p2, _mm512_permutexvar_epi32(_mm512_add_epi32(i02, four), s32));
  p3 = _mm512_mullo_epi32(p3, _mm512_permutexvar_epi32(_mm512_add_epi32(i02, _mm512_add_epi32(four, one)), s32));
  const int32_t isum = _mm512_reduce_add_epi32(_mm512_add_epi32(_mm512_add_epi32(p0, p1), _mm512_add_epi32(p2, p3)));
  // mins: m_s * (bsums_2s + bsums_2s+1), m_s duplicated into words 2s, 2s+1
  const __m256i mins = _mm256_cvtepu8_epi16(_mm_unpackhi_epi8(sm, sm));
  const __m256i pm = _mm256_madd_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(xb.bsums)), mins);
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(pm), _mm256_extracti128_si256(pm, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
  return {isum, _mm_cvtsi128_si32(s)};
}

// Q6_K: unsigned q6 in [0, 63] against x, minus 32 * sum_s sc_s * bsums_s. Per half h the
// 64 bytes ql[64h..] give elements 128h + 0..63 (low nibbles) and + 64..127 (high), with qh
// bits moved to 4..5 by per-half variable shifts.
inline BlockSums isum_q6_K(const void* wb, const uint8_t* xrow, int64_t b) {
  const auto& w = *static_cast<const BlockQ6_K*>(wb);
  const auto& xb = reinterpret_cast<const BlockQ8_K*>(xrow)[b];
  const __m512i m0f = _mm512_set1_epi8(0x0F), m30 = _mm512_set1_epi8(0x30);
  const __m512i shl = _mm512_inserti64x4(_mm512_set1_epi16(4), _mm256_set1_epi16(2), 1);
  const __m512i shr = _mm512_inserti64x4(_mm512_setzero_si512(), _mm256_set1_epi16(2), 1);
  const __m512i sc32 = _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w.scales)));
  const __m512i quarter = _mm512_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3);
  __m512i acc = _mm512_setzero_si512();
  for (int h = 0; h < 2; ++h) {
    const __m512i ql = _mm512_loadu_si512(w.ql + 64 * h);
    const __m512i qh = cat256(w.qh + 32 * h, w.qh + 32 * h);
    const __m512i ua = _mm512_or_si512(_mm512_and_si512(ql, m0f), _mm512_and_si512(_mm512_sllv_epi16(qh, shl), m30));
    const __m512i ub = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(ql, 4), m0f),
                                       _mm512_and_si512(_mm512_srlv_epi16(qh, shr), m30));
    const __m512i pa = _mm512_dpbusd_epi32(_mm512_setzero_si512(), ua, _mm512_loadu_si512(xb.qs + 128 * h));
    const __m512i pb = _mm512_dpbusd_epi32(_mm512_setzero_si512(), ub, _mm512_loadu_si512(xb.qs + 128 * h + 64));
    const __m512i sa = _mm512_permutexvar_epi32(_mm512_add_epi32(quarter, _mm512_set1_epi32(8 * h)), sc32);
    const __m512i sb = _mm512_permutexvar_epi32(_mm512_add_epi32(quarter, _mm512_set1_epi32(8 * h + 4)), sc32);
    acc = _mm512_add_epi32(acc, _mm512_add_epi32(_mm512_mullo_epi32(pa, sa), _mm512_mullo_epi32(pb, sb)));
  }
  const __m256i off = _mm256_madd_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(xb.bsums)),
                                        _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w.scales))));
  acc = _mm512_sub_epi32(acc, _mm512_inserti64x4(_mm512_setzero_si512(), _mm256_slli_epi32(off, 5), 0));
  return {_mm512_reduce_add_epi32(acc), 0};
}

}  // namespace
}  // namespace ondo::core::kernels
