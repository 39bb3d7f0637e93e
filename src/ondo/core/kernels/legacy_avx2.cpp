// AVX2 + FMA + F16C kernels for F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1
// (compiled with -mavx2 -mfma -mf16c -mbmi2). Layer: core. Must not touch anything above core.
// Each is differential-tested against its scalar reference (core/quant/*.cpp): the activation
// quantizers and dequantizers bit for bit, the dot products up to float summation order.
#include <immintrin.h>

#include <cfloat>
#include <cstring>

#include "ondo/core/fp16.h"
#include "ondo/core/kernels/dtype_kernels.h"
#include "ondo/core/quant/blocks.h"
#include "ondo/core/quant/legacy_util.h"

namespace ondo::core::kernels {
namespace {

inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

inline int32_t hsum_i32(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_unpackhi_epi64(s, s));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(s);
}

inline float h2f(uint16_t h) { return _cvtsh_ss(h); }

// 16 bytes of nibbles -> 32 bytes 0..15: bytes 0..15 the low nibbles (elements 0..15),
// bytes 16..31 the high nibbles (elements 16..31), the order of the quants in Q8 blocks.
inline __m256i unpack_nibbles(const uint8_t* qs) {
  const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qs));
  const __m256i both = _mm256_set_m128i(_mm_srli_epi16(raw, 4), raw);
  return _mm256_and_si256(both, _mm256_set1_epi8(0x0F));
}

// 32 bits of qh (little-endian) -> 32 bytes, 0xFF where the bit is set.
inline __m256i expand_bits(const uint8_t* qh) {
  uint32_t bits;
  std::memcpy(&bits, qh, 4);
  // byte k takes byte k/8 of qh, then tests bit k%8
  const __m256i shuf = _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202,
                                         0x0101010101010101, 0x0000000000000000);
  const __m256i bytes = _mm256_shuffle_epi8(_mm256_set1_epi32(int32_t(bits)), shuf);
  const __m256i sel = _mm256_set1_epi64x(int64_t(0x8040201008040201));
  return _mm256_cmpeq_epi8(_mm256_and_si256(bytes, sel), sel);
}

// 8 int32 lanes of partial sums of x[k]*y[k], x unsigned bytes (0..31), y signed:
// maddubs (u8 x s8 -> s16 pairs), then pairs of s16 -> s32.
inline __m256 dot_u8(__m256i x, __m256i y) {
  const __m256i p16 = _mm256_maddubs_epi16(x, y);
  return _mm256_cvtepi32_ps(_mm256_madd_epi16(p16, _mm256_set1_epi16(1)));
}

inline __m256i load32(const int8_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }

// ---- weight quants as signed/unsigned bytes, one block each ----
inline __m256i q4_0_bytes(const BlockQ4_0& b) {
  return _mm256_sub_epi8(unpack_nibbles(b.qs), _mm256_set1_epi8(8));
}
// q - 16 = nibble | 0xF0 when the 5th bit is clear (two's complement), nibble when set
inline __m256i q5_0_bytes(const BlockQ5_0& b) {
  return _mm256_or_si256(unpack_nibbles(b.qs),
                         _mm256_andnot_si256(expand_bits(b.qh), _mm256_set1_epi8(int8_t(0xF0))));
}
inline __m256i q5_1_bytes(const BlockQ5_1& b) {
  return _mm256_or_si256(unpack_nibbles(b.qs),
                         _mm256_and_si256(expand_bits(b.qh), _mm256_set1_epi8(0x10)));
}

// ---- dot products: two blocks per iteration into two accumulators ----
// Only Q4_1 and Q5_1: Q4_0, Q5_0 and Q8_0 have GEMM kernels (gemm.h) at every level, which
// matmul uses instead of vec_dot, so those keep only their scalar vec_dot (the oracle).

// Q4_1 x Q8_1: sum_b d_w d_x sum_k q_k y_k + m_w s_x (q unsigned, no offset).
float vec_dot_q4_1_q8_1(const void* vw, const void* vx, int64_t n) {
  const auto* w = static_cast<const BlockQ4_1*>(vw);
  const auto* x = static_cast<const BlockQ8_1*>(vx);
  const int64_t nb = n / kQK8_1;
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  float summs = 0.0f;
  int64_t i = 0;
  for (; i + 1 < nb; i += 2) {
    const __m256 p0 = dot_u8(unpack_nibbles(w[i].qs), load32(x[i].qs));
    const __m256 p1 = dot_u8(unpack_nibbles(w[i + 1].qs), load32(x[i + 1].qs));
    acc0 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w[i].d) * h2f(x[i].d)), p0, acc0);
    acc1 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w[i + 1].d) * h2f(x[i + 1].d)), p1, acc1);
    summs += h2f(w[i].m) * h2f(x[i].s) + h2f(w[i + 1].m) * h2f(x[i + 1].s);
  }
  if (i < nb) {
    const __m256 p0 = dot_u8(unpack_nibbles(w[i].qs), load32(x[i].qs));
    acc0 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w[i].d) * h2f(x[i].d)), p0, acc0);
    summs += h2f(w[i].m) * h2f(x[i].s);
  }
  return hsum(_mm256_add_ps(acc0, acc1)) + summs;
}

// Q5_1 x Q8_1: as Q4_1 with q in 0..31.
float vec_dot_q5_1_q8_1(const void* vw, const void* vx, int64_t n) {
  const auto* w = static_cast<const BlockQ5_1*>(vw);
  const auto* x = static_cast<const BlockQ8_1*>(vx);
  const int64_t nb = n / kQK8_1;
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  float summs = 0.0f;
  int64_t i = 0;
  for (; i + 1 < nb; i += 2) {
    const __m256 p0 = dot_u8(q5_1_bytes(w[i]), load32(x[i].qs));
    const __m256 p1 = dot_u8(q5_1_bytes(w[i + 1]), load32(x[i + 1].qs));
    acc0 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w[i].d) * h2f(x[i].d)), p0, acc0);
    acc1 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w[i + 1].d) * h2f(x[i + 1].d)), p1, acc1);
    summs += h2f(w[i].m) * h2f(x[i].s) + h2f(w[i + 1].m) * h2f(x[i + 1].s);
  }
  if (i < nb) {
    const __m256 p0 = dot_u8(q5_1_bytes(w[i]), load32(x[i].qs));
    acc0 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(w[i].d) * h2f(x[i].d)), p0, acc0);
    summs += h2f(w[i].m) * h2f(x[i].s);
  }
  return hsum(_mm256_add_ps(acc0, acc1)) + summs;
}

// ---- plain float dot products: 32 elements per iteration, four accumulators ----

inline __m256 load_f16(const uint16_t* p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
inline __m256 load_bf16(const uint16_t* p) {
  const __m256i u = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  return _mm256_castsi256_ps(_mm256_slli_epi32(u, 16));
}
inline __m256 load_f32(const float* p) { return _mm256_loadu_ps(p); }

// E: element type, load: 8 elements -> __m256, tail: one element -> float.
template <class E, __m256 (*load)(const E*), float (*one)(E)>
float dot_plain(const void* vw, const void* vx, int64_t n) {
  const E* a = static_cast<const E*>(vw);
  const E* b = static_cast<const E*>(vx);
  __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    for (int k = 0; k < 4; ++k) acc[k] = _mm256_fmadd_ps(load(a + i + 8 * k), load(b + i + 8 * k), acc[k]);
  }
  for (; i + 8 <= n; i += 8) acc[0] = _mm256_fmadd_ps(load(a + i), load(b + i), acc[0]);
  float sum = hsum(_mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3])));
  for (; i < n; ++i) sum += one(a[i]) * one(b[i]);
  return sum;
}

inline float one_f32(float v) { return v; }
inline float one_f16(uint16_t v) { return fp16_to_f32(v); }
inline float one_bf16(uint16_t v) { return bf16_to_f32(v); }

// ---- activation quantizers: bit-identical to the scalar ones ----

// Non-finite lanes of |v| (NaN or inf) as a bit mask.
inline int nonfinite_mask(__m256 av) {
  return _mm256_movemask_ps(_mm256_cmp_ps(av, _mm256_set1_ps(FLT_MAX), _CMP_NLE_UQ));
}

// One block of 32 floats -> int32 quants (round to nearest even), d, and whether finite.
struct Q8Lanes { __m256i q[4]; float d; bool finite; };

inline Q8Lanes quantize_lanes(const float* x) {
  Q8Lanes r;
  const __m256 sign = _mm256_set1_ps(-0.0f);
  __m256 v[4], amax = _mm256_setzero_ps();
  int bad = 0;
  for (int k = 0; k < 4; ++k) {
    v[k] = _mm256_loadu_ps(x + 8 * k);
    const __m256 av = _mm256_andnot_ps(sign, v[k]);
    bad |= nonfinite_mask(av);
    amax = _mm256_max_ps(amax, av);
  }
  r.finite = bad == 0;
  __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(amax), _mm256_extractf128_ps(amax, 1));
  m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
  m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
  const float am = _mm_cvtss_f32(m4);
  r.d = am / 127.0f;
  const __m256 id = _mm256_set1_ps(am != 0.0f ? 127.0f / am : 0.0f);
  for (int k = 0; k < 4; ++k) {
    const __m256 s = _mm256_round_ps(_mm256_mul_ps(v[k], id), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    r.q[k] = _mm256_cvtps_epi32(s);  // out of range -> INT32_MIN, as the scalar emulates
  }
  return r;
}

// int32 x 32 -> int8 x 32 with saturation, in element order.
inline void store_q8(const __m256i q[4], int8_t* dst) {
  const __m256i a = _mm256_packs_epi32(q[0], q[1]);
  const __m256i b = _mm256_packs_epi32(q[2], q[3]);
  const __m256i c = _mm256_packs_epi16(a, b);  // lanes interleaved by 4-byte groups
  const __m256i ordered = _mm256_permutevar8x32_epi32(c, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), ordered);
}

void quantize_row_q8_0(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ8_0*>(dst);
  for (int64_t i = 0; i < n / kQK8_0; ++i, src += kQK8_0) {
    const Q8Lanes r = quantize_lanes(src);
    if (!r.finite) {
      y[i].d = quant::kFp16NaN;
      std::memset(y[i].qs, 0, sizeof(y[i].qs));
      continue;
    }
    y[i].d = f32_to_fp16(r.d);
    store_q8(r.q, y[i].qs);
  }
}

void quantize_row_q8_1(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ8_1*>(dst);
  for (int64_t i = 0; i < n / kQK8_1; ++i, src += kQK8_1) {
    const Q8Lanes r = quantize_lanes(src);
    if (!r.finite) {
      y[i].d = quant::kFp16NaN;
      y[i].s = quant::kFp16NaN;
      std::memset(y[i].qs, 0, sizeof(y[i].qs));
      continue;
    }
    y[i].d = f32_to_fp16(r.d);
    const int32_t sum = hsum_i32(_mm256_add_epi32(_mm256_add_epi32(r.q[0], r.q[1]),
                                                  _mm256_add_epi32(r.q[2], r.q[3])));
    y[i].s = f32_to_fp16(r.d * float(sum));
    store_q8(r.q, y[i].qs);
  }
}

void quantize_row_f16(const float* src, void* dst, int64_t n) {
  auto* d = static_cast<uint16_t*>(dst);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(d + i), h);
  }
  for (; i < n; ++i) d[i] = f32_to_fp16(src[i]);
}

// Round to nearest even on the bit pattern, quiet NaNs kept NaN (same rule as f32_to_bf16).
void quantize_row_bf16(const float* src, void* dst, int64_t n) {
  auto* d = static_cast<uint16_t*>(dst);
  const __m256i abs_mask = _mm256_set1_epi32(0x7fffffff);
  const __m256i inf = _mm256_set1_epi32(0x7f800000);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256i u = _mm256_castps_si256(_mm256_loadu_ps(src + i));
    const __m256i nan = _mm256_cmpgt_epi32(_mm256_and_si256(u, abs_mask), inf);
    const __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(u, 16), _mm256_set1_epi32(1));
    const __m256i r = _mm256_srli_epi32(_mm256_add_epi32(u, _mm256_add_epi32(lsb, _mm256_set1_epi32(0x7fff))), 16);
    const __m256i q = _mm256_or_si256(_mm256_srli_epi32(u, 16), _mm256_set1_epi32(64));
    const __m256i v = _mm256_blendv_epi8(r, q, nan);
    const __m256i packed = _mm256_permute4x64_epi64(_mm256_packus_epi32(v, v), 0x08);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(d + i), _mm256_castsi256_si128(packed));
  }
  for (; i < n; ++i) d[i] = f32_to_bf16(src[i]);
}

// ---- dequantizers: q * d (+ m) with a separate multiply and add, as the scalar code ----

inline void store_scaled(float* dst, __m256i q32, __m256 d) {
  _mm256_storeu_ps(dst, _mm256_mul_ps(_mm256_cvtepi32_ps(q32), d));
}
inline void store_scaled_min(float* dst, __m256i q32, __m256 d, __m256 m) {
  _mm256_storeu_ps(dst, _mm256_add_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(q32), d), m));
}
// bytes (32, signed) -> 4 x 8 int32
inline void widen_i8(__m256i b, __m256i out[4]) {
  const __m128i lo = _mm256_castsi256_si128(b), hi = _mm256_extracti128_si256(b, 1);
  out[0] = _mm256_cvtepi8_epi32(lo);
  out[1] = _mm256_cvtepi8_epi32(_mm_srli_si128(lo, 8));
  out[2] = _mm256_cvtepi8_epi32(hi);
  out[3] = _mm256_cvtepi8_epi32(_mm_srli_si128(hi, 8));
}

template <class Block, __m256i (*bytes)(const Block&)>
void dequant_signed(const void* src, float* dst, int64_t n) {
  const auto* x = static_cast<const Block*>(src);
  for (int64_t i = 0; i < n / 32; ++i, dst += 32) {
    const __m256 d = _mm256_set1_ps(h2f(x[i].d));
    __m256i q[4];
    widen_i8(bytes(x[i]), q);
    for (int k = 0; k < 4; ++k) store_scaled(dst + 8 * k, q[k], d);
  }
}

template <class Block, __m256i (*bytes)(const Block&)>
void dequant_min(const void* src, float* dst, int64_t n) {
  const auto* x = static_cast<const Block*>(src);
  for (int64_t i = 0; i < n / 32; ++i, dst += 32) {
    const __m256 d = _mm256_set1_ps(h2f(x[i].d));
    const __m256 m = _mm256_set1_ps(h2f(x[i].m));
    __m256i q[4];
    widen_i8(bytes(x[i]), q);
    for (int k = 0; k < 4; ++k) store_scaled_min(dst + 8 * k, q[k], d, m);
  }
}

inline __m256i q4_1_bytes(const BlockQ4_1& b) { return unpack_nibbles(b.qs); }
inline __m256i q8_0_bytes(const BlockQ8_0& b) { return load32(b.qs); }
inline __m256i q8_1_bytes(const BlockQ8_1& b) { return load32(b.qs); }

void dequantize_row_f16(const void* src, float* dst, int64_t n) {
  const auto* s = static_cast<const uint16_t*>(src);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, load_f16(s + i));
  for (; i < n; ++i) dst[i] = fp16_to_f32(s[i]);
}

void dequantize_row_bf16(const void* src, float* dst, int64_t n) {
  const auto* s = static_cast<const uint16_t*>(src);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, load_bf16(s + i));
  for (; i < n; ++i) dst[i] = bf16_to_f32(s[i]);
}

}  // namespace

// The AVX2 overrides of each type's ops (dtype.cpp's traits rows point here).
void avx2_ops_f32(QuantOps& ops) {
    ops.vec_dot = dot_plain<float, load_f32, one_f32>;
}

void avx2_ops_f16(QuantOps& ops) {
    ops.vec_dot = dot_plain<uint16_t, load_f16, one_f16>;
    ops.from_float = quantize_row_f16;
    ops.to_float = dequantize_row_f16;
}

void avx2_ops_bf16(QuantOps& ops) {
    ops.vec_dot = dot_plain<uint16_t, load_bf16, one_bf16>;
    ops.from_float = quantize_row_bf16;
    ops.to_float = dequantize_row_bf16;
}

void avx2_ops_q4_0(QuantOps& ops) {
    ops.to_float = dequant_signed<BlockQ4_0, q4_0_bytes>;
}

void avx2_ops_q4_1(QuantOps& ops) {
    ops.vec_dot = vec_dot_q4_1_q8_1;
    ops.to_float = dequant_min<BlockQ4_1, q4_1_bytes>;
}

void avx2_ops_q5_0(QuantOps& ops) {
    ops.to_float = dequant_signed<BlockQ5_0, q5_0_bytes>;
}

void avx2_ops_q5_1(QuantOps& ops) {
    ops.vec_dot = vec_dot_q5_1_q8_1;
    ops.to_float = dequant_min<BlockQ5_1, q5_1_bytes>;
}

void avx2_ops_q8_0(QuantOps& ops) {
    ops.from_float = quantize_row_q8_0;
    ops.to_float = dequant_signed<BlockQ8_0, q8_0_bytes>;
}

void avx2_ops_q8_1(QuantOps& ops) {
    ops.from_float = quantize_row_q8_1;
    ops.to_float = dequant_signed<BlockQ8_1, q8_1_bytes>;
}

}  // namespace ondo::core::kernels
