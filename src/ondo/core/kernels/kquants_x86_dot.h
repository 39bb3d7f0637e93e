// K-quant x Q8_K dot products in 256-bit AVX2 integer SIMD, shared by kquants_avx2.cpp and
// kquants_avx512.cpp. Layer: core. Private: include only from those two files, after
// defining ONDO_KQ_MADD_ACC(acc, p16, sc16) = acc + madd_epi16(p16, sc16) (AVX2 madd + add,
// or one AVX-512 VNNI vpdpwssd). Everything has internal linkage, so each unit keeps the
// copy compiled for its own ISA.
//
// Scheme for every type, per super-block of 256: weights as unsigned bytes w, then
// maddubs(w, q8) -> int16 pair sums, then ONDO_KQ_MADD_ACC with the sub-block's scale -> int32
// lanes. Offsets (Q3_K's -4, Q6_K's -32) and mins (Q2/4/5_K) come out of the Q8_K bsums:
// sum sc*(w - off)*q8 = sum sc*w*q8 - off * sum_s sc_s*bsums_s. All integer sums are exact, so
// results differ from the scalar references only in the order of float additions.
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "ondo/core/quant/blocks.h"

#ifndef ONDO_KQ_MADD_ACC
#error "define ONDO_KQ_MADD_ACC before including kquants_x86_dot.h"
#endif

namespace ondo::core::kernels {
namespace {

inline float kq_hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

inline float kq_f16(uint16_t h) { return _cvtsh_ss(h); }

// sc8: 8 int16 scales in both 128-bit lanes. Returns word 2k in every low-lane word and word
// 2k+1 in every high-lane word: the scales of the two 16-element halves of a 32-byte vector.
inline __m256i kq_scale_pair(__m256i sc8, int k) {
  const __m128i lo = _mm_set1_epi16(int16_t((4 * k) | ((4 * k + 1) << 8)));
  const __m128i hi = _mm_set1_epi16(int16_t((4 * k + 2) | ((4 * k + 3) << 8)));
  return _mm256_shuffle_epi8(sc8, _mm256_setr_m128i(lo, hi));
}

// Word w of sc8 (8 int16 in both lanes) in every word.
inline __m256i kq_scale_one(__m256i sc8, int w) {
  return _mm256_shuffle_epi8(sc8, _mm256_set1_epi16(int16_t((2 * w) | ((2 * w + 1) << 8))));
}

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

float kq_dot_q2_K(const void* w, const void* xv, int64_t n) {
  const auto* x = static_cast<const BlockQ2_K*>(w);
  const auto* y = static_cast<const BlockQ8_K*>(xv);
  const __m256i m3 = _mm256_set1_epi8(3);
  __m256 acc = _mm256_setzero_ps(), acc_m = _mm256_setzero_ps();
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const float dall = y[i].d * kq_f16(x[i].d);
    const float dmin = y[i].d * kq_f16(x[i].dmin);
    const __m128i sc = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x[i].scales));
    const __m128i scl = _mm_and_si128(sc, _mm_set1_epi8(0xF));
    const __m128i mn = _mm_and_si128(_mm_srli_epi16(sc, 4), _mm_set1_epi8(0xF));
    // mins: sum_s m_s * bsums_s -> 8 int32 lanes
    const __m256i prod_m = _mm256_madd_epi16(kq_load(y[i].bsums), _mm256_cvtepu8_epi16(mn));
    acc_m = _mm256_fmadd_ps(_mm256_set1_ps(dmin), _mm256_cvtepi32_ps(prod_m), acc_m);
    const int8_t* q8 = y[i].qs;
    __m256i s0 = _mm256_setzero_si256(), s1 = _mm256_setzero_si256();
    for (int h = 0; h < 2; ++h) {
      const __m256i sc8 = _mm256_broadcastsi128_si256(_mm_cvtepu8_epi16(h == 0 ? scl : _mm_srli_si128(scl, 8)));
      const __m256i q2 = kq_load(x[i].qs + 32 * h);
      // w_j = (q2 >> 2j) & 3 covers elements 128h + 32j .. +31 (sub-blocks 8h+2j, 8h+2j+1)
      const __m256i p0 = _mm256_maddubs_epi16(_mm256_and_si256(q2, m3), kq_load(q8));
      const __m256i p1 = _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(q2, 2), m3), kq_load(q8 + 32));
      const __m256i p2 = _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(q2, 4), m3), kq_load(q8 + 64));
      const __m256i p3 = _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(q2, 6), m3), kq_load(q8 + 96));
      s0 = ONDO_KQ_MADD_ACC(s0, p0, kq_scale_pair(sc8, 0));
      s1 = ONDO_KQ_MADD_ACC(s1, p1, kq_scale_pair(sc8, 1));
      s0 = ONDO_KQ_MADD_ACC(s0, p2, kq_scale_pair(sc8, 2));
      s1 = ONDO_KQ_MADD_ACC(s1, p3, kq_scale_pair(sc8, 3));
      q8 += 128;
    }
    acc = _mm256_fmadd_ps(_mm256_set1_ps(dall), _mm256_cvtepi32_ps(_mm256_add_epi32(s0, s1)), acc);
  }
  return kq_hsum(acc) - kq_hsum(acc_m);
}

float kq_dot_q3_K(const void* w, const void* xv, int64_t n) {
  const auto* x = static_cast<const BlockQ3_K*>(w);
  const auto* y = static_cast<const BlockQ8_K*>(xv);
  const __m256i m3 = _mm256_set1_epi8(3), m4 = _mm256_set1_epi8(4);
  __m256 acc = _mm256_setzero_ps();
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const float d = y[i].d * kq_f16(x[i].d);
    const __m128i sc = kq_unpack_q3_scales(x[i].scales);
    // offset: w = q3 + 4 in [0, 7], so subtract 4 * sum_s sc_s * bsums_s
    const __m256i off = _mm256_madd_epi16(kq_load(y[i].bsums), _mm256_cvtepi8_epi16(sc));
    __m256i s0 = _mm256_slli_epi32(off, 2), s1 = _mm256_setzero_si256();
    s0 = _mm256_sub_epi32(_mm256_setzero_si256(), s0);
    // hbit of element e is bit e/32 of hmask[e % 32]; hm >> k moves bit k to bit 0 of each byte
    __m256i hm = kq_load(x[i].hmask);
    const int8_t* q8 = y[i].qs;
    for (int h = 0; h < 2; ++h) {
      const __m256i sc8 = _mm256_broadcastsi128_si256(_mm_cvtepi8_epi16(h == 0 ? sc : _mm_srli_si128(sc, 8)));
      const __m256i q2 = kq_load(x[i].qs + 32 * h);
      __m256i wv[4];
      for (int j = 0; j < 4; ++j) {
        const __m256i low = _mm256_and_si256(_mm256_srli_epi16(q2, 2 * j), m3);
        const __m256i hb = _mm256_and_si256(_mm256_slli_epi16(hm, 2), m4);
        wv[j] = _mm256_or_si256(low, hb);
        hm = _mm256_srli_epi16(hm, 1);
      }
      s0 = ONDO_KQ_MADD_ACC(s0, _mm256_maddubs_epi16(wv[0], kq_load(q8)), kq_scale_pair(sc8, 0));
      s1 = ONDO_KQ_MADD_ACC(s1, _mm256_maddubs_epi16(wv[1], kq_load(q8 + 32)), kq_scale_pair(sc8, 1));
      s0 = ONDO_KQ_MADD_ACC(s0, _mm256_maddubs_epi16(wv[2], kq_load(q8 + 64)), kq_scale_pair(sc8, 2));
      s1 = ONDO_KQ_MADD_ACC(s1, _mm256_maddubs_epi16(wv[3], kq_load(q8 + 96)), kq_scale_pair(sc8, 3));
      q8 += 128;
    }
    acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(_mm256_add_epi32(s0, s1)), acc);
  }
  return kq_hsum(acc);
}

// Q4_K and Q5_K share everything but the 5th bit: kHigh selects Q5_K.
template <bool kHigh, class Block>
float kq_dot_q45_K(const void* w, const void* xv, int64_t n) {
  const auto* x = static_cast<const Block*>(w);
  const auto* y = static_cast<const BlockQ8_K*>(xv);
  const __m256i m4 = _mm256_set1_epi8(0xF), m16 = _mm256_set1_epi8(16);
  __m256 acc = _mm256_setzero_ps(), acc_m = _mm256_setzero_ps();
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const float d = y[i].d * kq_f16(x[i].d);
    const float dmin = y[i].d * kq_f16(x[i].dmin);
    const __m128i smv = kq_unpack_k4(x[i].scales);
    // mins: each min covers two bsums; duplicate m_s into words 2s and 2s+1
    const __m128i mins = _mm_unpackhi_epi8(smv, smv);
    const __m256i prod_m = _mm256_madd_epi16(kq_load(y[i].bsums), _mm256_cvtepu8_epi16(mins));
    acc_m = _mm256_fmadd_ps(_mm256_set1_ps(dmin), _mm256_cvtepi32_ps(prod_m), acc_m);
    const __m256i sc8 = _mm256_broadcastsi128_si256(_mm_cvtepu8_epi16(smv));
    __m256i hb;
    if constexpr (kHigh) hb = kq_load(x[i].qh);
    __m256i s0 = _mm256_setzero_si256(), s1 = _mm256_setzero_si256();
    for (int c = 0; c < 4; ++c) {
      // 32 bytes of qs: low nibbles = sub-block 2c, high nibbles = sub-block 2c+1
      const __m256i q4 = kq_load(x[i].qs + 32 * c);
      __m256i lo = _mm256_and_si256(q4, m4);
      __m256i hi = _mm256_and_si256(_mm256_srli_epi16(q4, 4), m4);
      if constexpr (kHigh) {  // bit 2c of qh -> 16 for lo, bit 2c+1 for hi
        lo = _mm256_or_si256(lo, _mm256_and_si256(_mm256_slli_epi16(hb, 4), m16));
        hi = _mm256_or_si256(hi, _mm256_and_si256(_mm256_slli_epi16(hb, 3), m16));
        hb = _mm256_srli_epi16(hb, 2);
      }
      const __m256i plo = _mm256_maddubs_epi16(lo, kq_load(y[i].qs + 64 * c));
      const __m256i phi = _mm256_maddubs_epi16(hi, kq_load(y[i].qs + 64 * c + 32));
      s0 = ONDO_KQ_MADD_ACC(s0, plo, kq_scale_one(sc8, 2 * c));
      s1 = ONDO_KQ_MADD_ACC(s1, phi, kq_scale_one(sc8, 2 * c + 1));
    }
    acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(_mm256_add_epi32(s0, s1)), acc);
  }
  return kq_hsum(acc) - kq_hsum(acc_m);
}

float kq_dot_q6_K(const void* w, const void* xv, int64_t n) {
  const auto* x = static_cast<const BlockQ6_K*>(w);
  const auto* y = static_cast<const BlockQ8_K*>(xv);
  const __m256i m4 = _mm256_set1_epi8(0xF), m30 = _mm256_set1_epi8(0x30);
  __m256 acc = _mm256_setzero_ps();
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const float d = y[i].d * kq_f16(x[i].d);
    const __m128i sc = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x[i].scales));
    // offset: w = q6 in [0, 63] stands for q6 - 32, so subtract 32 * sum_s sc_s * bsums_s
    const __m256i off = _mm256_madd_epi16(kq_load(y[i].bsums), _mm256_cvtepi8_epi16(sc));
    __m256i s0 = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(off, 5));
    __m256i s1 = _mm256_setzero_si256();
    const int8_t* q8 = y[i].qs;
    for (int h = 0; h < 2; ++h) {
      const __m256i sc8 = _mm256_broadcastsi128_si256(_mm_cvtepi8_epi16(h == 0 ? sc : _mm_srli_si128(sc, 8)));
      const __m256i ql0 = kq_load(x[i].ql + 64 * h), ql1 = kq_load(x[i].ql + 64 * h + 32);
      const __m256i qh = kq_load(x[i].qh + 32 * h);
      // element 32k + l of this half: low nibble source and qh bits 2k..2k+1 moved to 4..5
      const __m256i w0 = _mm256_or_si256(_mm256_and_si256(ql0, m4), _mm256_and_si256(_mm256_slli_epi16(qh, 4), m30));
      const __m256i w1 = _mm256_or_si256(_mm256_and_si256(ql1, m4), _mm256_and_si256(_mm256_slli_epi16(qh, 2), m30));
      const __m256i w2 = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), m4), _mm256_and_si256(qh, m30));
      const __m256i w3 = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), m4),
                                         _mm256_and_si256(_mm256_srli_epi16(qh, 2), m30));
      s0 = ONDO_KQ_MADD_ACC(s0, _mm256_maddubs_epi16(w0, kq_load(q8)), kq_scale_pair(sc8, 0));
      s1 = ONDO_KQ_MADD_ACC(s1, _mm256_maddubs_epi16(w1, kq_load(q8 + 32)), kq_scale_pair(sc8, 1));
      s0 = ONDO_KQ_MADD_ACC(s0, _mm256_maddubs_epi16(w2, kq_load(q8 + 64)), kq_scale_pair(sc8, 2));
      s1 = ONDO_KQ_MADD_ACC(s1, _mm256_maddubs_epi16(w3, kq_load(q8 + 96)), kq_scale_pair(sc8, 3));
      q8 += 128;
    }
    acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(_mm256_add_epi32(s0, s1)), acc);
  }
  return kq_hsum(acc);
}

}  // namespace
}  // namespace ondo::core::kernels
