// Shared pieces of the AVX-512 VNNI decode kernels (gemm_decode_*_avx512.cpp). Layer: core.
// Private: include only from *_avx512.cpp; everything has internal linkage.
//
// Shape of every decode kernel: 16 weight rows at a time (lane r of a zmm = row n + r), all
// blocks of the row in order. Per block (or per 4 legacy blocks / one super-block):
// 1. per row, the weight bytes as they lie in the GGUF block become unsigned levels (nibble
//    masks, shifts, biases) and vpdpbusd multiplies them with the signed activations; each
//    128-bit lane of a product holds 4 partial sums of one (row, sub-block) group. Offsets
//    (Q8_0's +128, Q4_0's +8, ...) are removed exactly by starting the accumulator at
//    -offset * (sum of the 4 activations of the lane), one vector per token.
// 2. reduce_rows: a transpose-add tree turns 16 rows x 4 lanes into 4 zmm whose lane r is the
//    exact int32 sum of row r's 128-bit lane k (sum4x4 + transpose_lanes).
// 3. scales, d, dmin of the 16 rows are gathered (one dword per row, gather_rows) so the per-sub-block
//    scale products and the float steps of gemm.h run with lanes = rows: the same IEEE
//    operations, in the same block order, as the scalar reference, hence the same bits.
#pragma once
#if defined(__GNUC__) && !defined(__clang__)  // GCC 12's AVX-512 headers trip these falsely
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ondo::core::kernels {
namespace {

constexpr int kDecRows = 16;

// 16 weight rows: row r's block 0 at base + off[r]; rows past the valid ones repeat the last
// valid row (read, never stored).
struct Rows {
  const uint8_t* base;
  size_t stride;  // bytes from one row to the next
  int32_t off[kDecRows];
  __mmask16 valid;
};

inline Rows make_rows(const uint8_t* w, size_t w_row_bytes, int64_t n, int rows) {
  Rows R;
  R.base = w + size_t(n) * w_row_bytes;
  R.stride = w_row_bytes;
  for (int r = 0; r < kDecRows; ++r) R.off[r] = int32_t(size_t(r < rows ? r : rows - 1) * w_row_bytes);
  R.valid = __mmask16((1u << rows) - 1u);
  return R;
}

// Dword at byte `at` of each row (lane r = row r). Sixteen scalar loads: faster here than
// vpgatherdd (measured on Zen 4: Q4_0 GEMV 18 vs 13.5 GB/s with the weights in L2).
inline __m512i gather_rows(const Rows& R, size_t at) {
  int32_t v[kDecRows];
  #pragma GCC unroll 16
  for (int r = 0; r < kDecRows; ++r) std::memcpy(&v[r], R.base + R.off[r] + at, 4);
  return _mm512_loadu_si512(v);
}

// fp16 in the low / high half of each dword, as floats (exact).
inline __m512 half_lo(__m512i v) { return _mm512_cvtph_ps(_mm512_cvtepi32_epi16(v)); }
inline __m512 half_hi(__m512i v) { return half_lo(_mm512_srli_epi32(v, 16)); }

// Byte k (0..3) of each dword, zero-extended.
inline __m512i dword_byte(__m512i v, int k) {
  return _mm512_and_si512(_mm512_srli_epi32(v, 8 * k), _mm512_set1_epi32(0xFF));
}

inline __m512i cat256(const void* a, const void* b) {
  return _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256(static_cast<const __m256i*>(a))),
                            _mm256_loadu_si256(static_cast<const __m256i*>(b)), 1);
}

inline __m512i cat128(const void* a, const void* b, const void* c, const void* d) {
  __m512i v = _mm512_castsi128_si512(_mm_loadu_si128(static_cast<const __m128i*>(a)));
  v = _mm512_inserti32x4(v, _mm_loadu_si128(static_cast<const __m128i*>(b)), 1);
  v = _mm512_inserti32x4(v, _mm_loadu_si128(static_cast<const __m128i*>(c)), 2);
  return _mm512_inserti32x4(v, _mm_loadu_si128(static_cast<const __m128i*>(d)), 3);
}

// Lane k (128-bit), dword j of the result = sum of the 4 dwords of lane k of z_j.
inline __m512i sum4x4(__m512i z0, __m512i z1, __m512i z2, __m512i z3) {
  // a: lane k = [z0_0+z0_2, z1_0+z1_2, z0_1+z0_3, z1_1+z1_3]; b likewise for z2, z3
  const __m512i a = _mm512_add_epi32(_mm512_unpacklo_epi32(z0, z1), _mm512_unpackhi_epi32(z0, z1));
  const __m512i b = _mm512_add_epi32(_mm512_unpacklo_epi32(z2, z3), _mm512_unpackhi_epi32(z2, z3));
  return _mm512_add_epi32(_mm512_unpacklo_epi64(a, b), _mm512_unpackhi_epi64(a, b));
}

// out[k] = [e0 lane k, e1 lane k, e2 lane k, e3 lane k] (a 4x4 transpose of 128-bit lanes).
inline void transpose_lanes(const __m512i e[4], __m512i out[4]) {
  const __m512i t0 = _mm512_shuffle_i32x4(e[0], e[1], _MM_SHUFFLE(1, 0, 1, 0));
  const __m512i t1 = _mm512_shuffle_i32x4(e[0], e[1], _MM_SHUFFLE(3, 2, 3, 2));
  const __m512i t2 = _mm512_shuffle_i32x4(e[2], e[3], _MM_SHUFFLE(1, 0, 1, 0));
  const __m512i t3 = _mm512_shuffle_i32x4(e[2], e[3], _MM_SHUFFLE(3, 2, 3, 2));
  out[0] = _mm512_shuffle_i32x4(t0, t2, _MM_SHUFFLE(2, 0, 2, 0));
  out[1] = _mm512_shuffle_i32x4(t0, t2, _MM_SHUFFLE(3, 1, 3, 1));
  out[2] = _mm512_shuffle_i32x4(t1, t3, _MM_SHUFFLE(2, 0, 2, 0));
  out[3] = _mm512_shuffle_i32x4(t1, t3, _MM_SHUFFLE(3, 1, 3, 1));
}

// Row products of 16 rows in N streams (N = tokens x products per row, N <= 8): prod(r, z, j)
// writes stream s's product of row r to z[s][j]; rows are reduced per group of 4 as soon as
// the group is complete, so at most 4 N products are live. out[s][k] lane r = sum of the 4
// dwords of 128-bit lane k of row r's product in stream s.
template <int N, class Prod>
inline void reduce_rows(Prod prod, __m512i out[][4]) {
  __m512i e[N][4];
  #pragma GCC unroll 4
  for (int g = 0; g < 4; ++g) {
    __m512i z[N][4];
    #pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) prod(4 * g + j, z, j);
    #pragma GCC unroll 8
    for (int s = 0; s < N; ++s) e[s][g] = sum4x4(z[s][0], z[s][1], z[s][2], z[s][3]);
  }
  #pragma GCC unroll 8
  for (int s = 0; s < N; ++s) transpose_lanes(e[s], out[s]);
}

// Accumulator init that removes an unsigned bias `bias` of the weight levels exactly:
// -bias * (sum of the 4 activations of each dword lane).
inline __m512i bias_init(__m512i x, int bias) {
  return _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_dpbusd_epi32(_mm512_setzero_si512(), _mm512_set1_epi8(char(bias)), x));
}

// ---- the canonical float steps (gemm.h), lanes = rows ----

// Q8_0, Q4_0, Q5_0: acc += double(d_w * d_x * float(isum)), two 8-lane double halves.
inline void legacy_step(__m512d acc[2], __m512 dw, float dx, __m512i isum) {
  const __m512 prod = _mm512_mul_ps(_mm512_mul_ps(dw, _mm512_set1_ps(dx)), _mm512_cvtepi32_ps(isum));
  acc[0] = _mm512_add_pd(acc[0], _mm512_cvtps_pd(_mm512_castps512_ps256(prod)));
  acc[1] = _mm512_add_pd(acc[1], _mm512_cvtps_pd(_mm512_extractf32x8_ps(prod, 1)));
}

inline void legacy_store(const __m512d acc[2], float* y, __mmask16 valid) {
  const __m512 out = _mm512_insertf32x8(_mm512_castps256_ps512(_mm512_cvtpd_ps(acc[0])), _mm512_cvtpd_ps(acc[1]), 1);
  _mm512_mask_storeu_ps(y, valid, out);
}

// K types with mins: acc + (d_w*d_x * float(isum) - (dmin_w*d_x) * float(msum)).
inline __m512 kquant_step_min(__m512 acc, __m512 dw, __m512 dminw, float dx, __m512i isum, __m512i msum) {
  const __m512 x = _mm512_set1_ps(dx);
  const __m512 a = _mm512_mul_ps(_mm512_mul_ps(dw, x), _mm512_cvtepi32_ps(isum));
  const __m512 m = _mm512_mul_ps(_mm512_mul_ps(dminw, x), _mm512_cvtepi32_ps(msum));
  return _mm512_add_ps(acc, _mm512_sub_ps(a, m));
}

// K types without mins: acc + d_w*d_x * float(isum).
inline __m512 kquant_step(__m512 acc, __m512 dw, float dx, __m512i isum) {
  return _mm512_add_ps(acc, _mm512_mul_ps(_mm512_mul_ps(dw, _mm512_set1_ps(dx)), _mm512_cvtepi32_ps(isum)));
}

// Runs Kern::run<T> over rows [n0, n1) in groups of 16 (the GemmFn of gemm.h for T <= 4).
template <class Kern>
void decode_rows(const void* w, size_t w_row_bytes, const void* xq, size_t x_row_bytes, int64_t K,
                 int64_t n0, int64_t n1, int64_t T, float* y, int64_t ldy) {
  const int64_t nb = K / Kern::kBlock;
  const auto* xb = static_cast<const uint8_t*>(xq);
  for (int64_t n = n0; n < n1; n += kDecRows) {
    const int rows = int(n1 - n < kDecRows ? n1 - n : kDecRows);
    const Rows R = make_rows(static_cast<const uint8_t*>(w), w_row_bytes, n, rows);
    switch (T) {
      case 1: Kern::template run<1>(R, nb, xb, x_row_bytes, y + n, ldy); break;
      case 2: Kern::template run<2>(R, nb, xb, x_row_bytes, y + n, ldy); break;
      case 3: Kern::template run<3>(R, nb, xb, x_row_bytes, y + n, ldy); break;
      default: Kern::template run<4>(R, nb, xb, x_row_bytes, y + n, ldy); break;
    }
  }
}

}  // namespace
}  // namespace ondo::core::kernels
