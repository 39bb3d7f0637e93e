// K-quant level unpacking in 256-bit AVX2, shared by kquants_avx2.cpp and kquants_avx512.cpp
// for dequantize_row (embedding row lookup), and its scale unpacking by gemm_kquants_avx2.cpp.
// Layer: core. Private: include only from those three files; internal linkage throughout, so
// each unit keeps the copy compiled for its own ISA.
//
// Each kq_levels_<t> writes one super-block as signed levels q[256] plus per-16-element
// float factors so that x[e] = dl[e/16] * q[e] - ml[e/16], with dl and ml computed by the very
// float operations of the scalar reference (q2_K.cpp..q6_K.cpp); a caller that evaluates
// that expression unfused reproduces the scalar dequantization bit for bit.
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "ondo/core/quant/blocks.h"

namespace ondo::core::kernels {
namespace {

inline float kq_f16(uint16_t h) { return _cvtsh_ss(h); }

inline __m256i kq_load(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }

// Unpacks the 12-byte Q4_K/Q5_K scales: bytes 0..8 scales, 8..16 mins (layout: q4_K.cpp).
// Built with setr (register inserts), not through memory: four 32-bit stores read back as
// one 128-bit load would miss store forwarding.
inline __m128i kq_unpack_k4(const uint8_t* s) {
  uint32_t u[3];
  std::memcpy(u, s, 12);
  const uint32_t m6 = 0x3f3f3f3f, m4 = 0x0f0f0f0f, m2 = 0x03030303;
  return _mm_setr_epi32(int(u[0] & m6), int((u[2] & m4) | (((u[0] >> 6) & m2) << 4)),
                        int(u[1] & m6), int(((u[2] >> 4) & m4) | (((u[1] >> 6) & m2) << 4)));
}

// Unpacks the 12-byte Q3_K scales into 16 signed bytes (value - 32; layout: q3_K.cpp).
inline __m128i kq_unpack_q3_scales(const uint8_t* s) {
  uint32_t a[3];
  std::memcpy(a, s, 12);
  const uint32_t m4 = 0x0f0f0f0f, m2 = 0x03030303;
  const __m128i v = _mm_setr_epi32(int((a[0] & m4) | ((a[2] & m2) << 4)),
                                   int((a[1] & m4) | (((a[2] >> 2) & m2) << 4)),
                                   int(((a[0] >> 4) & m4) | (((a[2] >> 4) & m2) << 4)),
                                   int(((a[1] >> 4) & m4) | (((a[2] >> 6) & m2) << 4)));
  return _mm_sub_epi8(v, _mm_set1_epi8(32));
}

inline void kq_store(int8_t* p, __m256i v) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v); }

inline void kq_levels_q2_K(const BlockQ2_K& b, int8_t* q, float* dl, float* ml) {
  const float d = kq_f16(b.d), dmin = kq_f16(b.dmin);
  for (int s = 0; s < 16; ++s) {
    dl[s] = d * (b.scales[s] & 0xF);
    ml[s] = dmin * (b.scales[s] >> 4);
  }
  const __m256i m3 = _mm256_set1_epi8(3);
  for (int h = 0; h < 2; ++h) {
    const __m256i q2 = kq_load(b.qs + 32 * h);
    for (int j = 0; j < 4; ++j) {
      kq_store(q + 128 * h + 32 * j, _mm256_and_si256(_mm256_srli_epi16(q2, 2 * j), m3));
    }
  }
}

inline void kq_levels_q3_K(const BlockQ3_K& b, int8_t* q, float* dl, float* ml) {
  const float d = kq_f16(b.d);
  alignas(16) int8_t sc[16];
  _mm_store_si128(reinterpret_cast<__m128i*>(sc), kq_unpack_q3_scales(b.scales));
  for (int s = 0; s < 16; ++s) {
    dl[s] = d * sc[s];
    ml[s] = 0.f;
  }
  const __m256i m3 = _mm256_set1_epi8(3), m4 = _mm256_set1_epi8(4);
  __m256i hm = kq_load(b.hmask);
  for (int h = 0; h < 2; ++h) {
    const __m256i q2 = kq_load(b.qs + 32 * h);
    for (int j = 0; j < 4; ++j) {
      const __m256i low = _mm256_and_si256(_mm256_srli_epi16(q2, 2 * j), m3);
      const __m256i hb = _mm256_and_si256(_mm256_slli_epi16(hm, 2), m4);
      kq_store(q + 128 * h + 32 * j, _mm256_sub_epi8(_mm256_or_si256(low, hb), m4));
      hm = _mm256_srli_epi16(hm, 1);
    }
  }
}

template <bool kHigh, class Block>
inline void kq_levels_q45_K(const Block& b, int8_t* q, float* dl, float* ml) {
  const float d = kq_f16(b.d), dmin = kq_f16(b.dmin);
  alignas(16) uint8_t sm[16];
  _mm_store_si128(reinterpret_cast<__m128i*>(sm), kq_unpack_k4(b.scales));
  for (int s = 0; s < 8; ++s) {
    dl[2 * s] = dl[2 * s + 1] = d * sm[s];
    ml[2 * s] = ml[2 * s + 1] = dmin * sm[8 + s];
  }
  const __m256i m4 = _mm256_set1_epi8(0xF), m16 = _mm256_set1_epi8(16);
  __m256i hb;
  if constexpr (kHigh) hb = kq_load(b.qh);
  for (int c = 0; c < 4; ++c) {
    const __m256i q4 = kq_load(b.qs + 32 * c);
    __m256i lo = _mm256_and_si256(q4, m4);
    __m256i hi = _mm256_and_si256(_mm256_srli_epi16(q4, 4), m4);
    if constexpr (kHigh) {
      lo = _mm256_or_si256(lo, _mm256_and_si256(_mm256_slli_epi16(hb, 4), m16));
      hi = _mm256_or_si256(hi, _mm256_and_si256(_mm256_slli_epi16(hb, 3), m16));
      hb = _mm256_srli_epi16(hb, 2);
    }
    kq_store(q + 64 * c, lo);
    kq_store(q + 64 * c + 32, hi);
  }
}

inline void kq_levels_q6_K(const BlockQ6_K& b, int8_t* q, float* dl, float* ml) {
  const float d = kq_f16(b.d);
  for (int s = 0; s < 16; ++s) {
    dl[s] = d * b.scales[s];
    ml[s] = 0.f;
  }
  const __m256i m4 = _mm256_set1_epi8(0xF), m30 = _mm256_set1_epi8(0x30);
  const __m256i m32 = _mm256_set1_epi8(32);
  for (int h = 0; h < 2; ++h) {
    const __m256i ql0 = kq_load(b.ql + 64 * h), ql1 = kq_load(b.ql + 64 * h + 32);
    const __m256i qh = kq_load(b.qh + 32 * h);
    int8_t* o = q + 128 * h;
    kq_store(o, _mm256_sub_epi8(_mm256_or_si256(_mm256_and_si256(ql0, m4),
                                                _mm256_and_si256(_mm256_slli_epi16(qh, 4), m30)), m32));
    kq_store(o + 32, _mm256_sub_epi8(_mm256_or_si256(_mm256_and_si256(ql1, m4),
                                                     _mm256_and_si256(_mm256_slli_epi16(qh, 2), m30)), m32));
    kq_store(o + 64, _mm256_sub_epi8(_mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), m4),
                                                     _mm256_and_si256(qh, m30)), m32));
    kq_store(o + 96, _mm256_sub_epi8(_mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), m4),
                                                     _mm256_and_si256(_mm256_srli_epi16(qh, 2), m30)), m32));
  }
}

}  // namespace
}  // namespace ondo::core::kernels
