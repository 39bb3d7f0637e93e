// AVX-512 kernels for F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1 (compiled with
// AVX-512 F/BW/VL/DQ/VNNI/BF16; installed only where level_supported(Avx512), i.e. with VNNI;
// the BF16 dot uses vdpbf16ps only where the CPU has AVX512_BF16). Layer: core.
// Must not touch anything above core. Each kernel is differential-tested against its scalar
// reference: quantizers and dequantizers bit for bit, dot products up to summation order.
// GCC 12's AVX-512 headers trip -W(maybe-)uninitialized on their own _mm512_undefined_*
// placeholders (GCC bug 105593, fixed in GCC 13): silence that false positive here only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <immintrin.h>

#include <cfloat>
#include <cstring>

#include "ondo/core/cpu_features.h"
#include "ondo/core/fp16.h"
#include "ondo/core/kernels/dtype_kernels.h"
#include "ondo/core/quant/blocks.h"
#include "ondo/core/quant/legacy_util.h"

namespace ondo::core::kernels {
namespace {

inline float h2f(uint16_t h) { return _cvtsh_ss(h); }

inline uint32_t load_u32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

inline float hsum256(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// ---- dot products of Q4_1 / Q5_1 with Q8_1: sum_b d_w d_x sum_k u_k y_k + m_w s_x ----
// Only these two: Q4_0, Q5_0 and Q8_0 have GEMM kernels (gemm.h) at every level, which
// matmul uses instead of vec_dot, so those keep only their scalar vec_dot (the oracle).
// Weight quants as unsigned bytes u in 0..31.
// Two blocks per zmm, lanes [a 0..15 | a 16..31 | b 0..15 | b 16..31], matching two Q8
// blocks loaded back to back; one block per ymm for the tail.

// 2 x 16 bytes of nibbles -> [a_lo, a_hi, b_lo, b_hi]
inline __m512i nibbles2(const uint8_t* a, const uint8_t* b) {
  const __m256i ab = _mm256_inserti128_si256(
      _mm256_castsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a))),
      _mm_loadu_si128(reinterpret_cast<const __m128i*>(b)), 1);
  const __m512i z = _mm512_inserti64x4(_mm512_castsi256_si512(ab), _mm256_srli_epi16(ab, 4), 1);
  // 128-bit lanes [a, b, a>>4, b>>4] -> [a, a>>4, b, b>>4]
  return _mm512_and_si512(_mm512_shuffle_i64x2(z, z, _MM_SHUFFLE(3, 1, 2, 0)), _mm512_set1_epi8(0x0F));
}
inline __m256i nibbles1(const uint8_t* a) {
  const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a));
  return _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(raw, 4), raw), _mm256_set1_epi8(0x0F));
}
inline __m512i load2(const int8_t* a, const int8_t* b) {
  return _mm512_inserti64x4(
      _mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a))),
      _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b)), 1);
}
inline __m256i load1(const int8_t* a) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a)); }

// add 16 to the bytes whose bit is set in qh (element k <-> bit k, little-endian)
inline __m512i add_high2(__m512i u, const uint8_t* qha, const uint8_t* qhb) {
  const __mmask64 k = __mmask64(load_u32(qha)) | (__mmask64(load_u32(qhb)) << 32);
  return _mm512_mask_add_epi8(u, k, u, _mm512_set1_epi8(16));
}
inline __m256i add_high1(__m256i u, const uint8_t* qh) {
  return _mm256_mask_add_epi8(u, __mmask32(load_u32(qh)), u, _mm256_set1_epi8(16));
}

struct KQ4_1 {
  using W = BlockQ4_1; using X = BlockQ8_1;
  static __m512i u2(const W& a, const W& b) { return nibbles2(a.qs, b.qs); }
  static __m256i u1(const W& a) { return nibbles1(a.qs); }
};
struct KQ5_1 {
  using W = BlockQ5_1; using X = BlockQ8_1;
  static __m512i u2(const W& a, const W& b) { return add_high2(nibbles2(a.qs, b.qs), a.qh, b.qh); }
  static __m256i u1(const W& a) { return add_high1(nibbles1(a.qs), a.qh); }
};

// 16 int32 lanes (8 per block) of sum u * y via VNNI dpbusd (u unsigned, y signed bytes)
inline __m512 lanes2(__m512i u, __m512i y) {
  return _mm512_cvtepi32_ps(_mm512_dpbusd_epi32(_mm512_setzero_si512(), u, y));
}
inline __m256 lanes1(__m256i u, __m256i y) {
  return _mm256_cvtepi32_ps(_mm256_dpbusd_epi32(_mm256_setzero_si256(), u, y));
}

// [d_w d_x of block a] x 8 | [of block b] x 8
template <class K>
inline __m512 scales2(const typename K::W& wa, const typename K::X& xa,
                      const typename K::W& wb, const typename K::X& xb) {
  return _mm512_insertf32x8(_mm512_set1_ps(h2f(wa.d) * h2f(xa.d)), _mm256_set1_ps(h2f(wb.d) * h2f(xb.d)), 1);
}

// d_w d_x of blocks i..i+3, converted together: [d0 x8 | d1 x8] and [d2 x8 | d3 x8]
template <class K>
inline void scales4(const typename K::W* w, const typename K::X* x, __m512& s01, __m512& s23) {
  __m128i hw = _mm_cvtsi32_si128(w[0].d), hx = _mm_cvtsi32_si128(x[0].d);
  hw = _mm_insert_epi16(hw, w[1].d, 1); hx = _mm_insert_epi16(hx, x[1].d, 1);
  hw = _mm_insert_epi16(hw, w[2].d, 2); hx = _mm_insert_epi16(hx, x[2].d, 2);
  hw = _mm_insert_epi16(hw, w[3].d, 3); hx = _mm_insert_epi16(hx, x[3].d, 3);
  const __m512 d = _mm512_castps128_ps512(_mm_mul_ps(_mm_cvtph_ps(hw), _mm_cvtph_ps(hx)));
  s01 = _mm512_permutexvar_ps(_mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1), d);
  s23 = _mm512_permutexvar_ps(_mm512_setr_epi32(2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3), d);
}

// sum over blocks of d_w d_x sum_k u_k y_k + m_w s_x: four blocks per
// iteration in two accumulators, then a pair, then one block.  w: [nb] K::W, x: [nb] K::X.
template <class K>
float dot_blocks(const void* vw, const void* vx, int64_t n) {
  const auto* w = static_cast<const typename K::W*>(vw);
  const auto* x = static_cast<const typename K::X*>(vx);
  const int64_t nb = n / 32;
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
  float summs = 0.0f;
  int64_t i = 0;
  for (; i + 3 < nb; i += 4) {
    const __m512 p0 = lanes2(K::u2(w[i], w[i + 1]), load2(x[i].qs, x[i + 1].qs));
    const __m512 p1 = lanes2(K::u2(w[i + 2], w[i + 3]), load2(x[i + 2].qs, x[i + 3].qs));
    __m512 s01, s23;
    scales4<K>(w + i, x + i, s01, s23);
    acc0 = _mm512_fmadd_ps(s01, p0, acc0);
    acc1 = _mm512_fmadd_ps(s23, p1, acc1);
    summs += h2f(w[i].m) * h2f(x[i].s) + h2f(w[i + 1].m) * h2f(x[i + 1].s) +
             h2f(w[i + 2].m) * h2f(x[i + 2].s) + h2f(w[i + 3].m) * h2f(x[i + 3].s);
  }
  for (; i + 1 < nb; i += 2) {
    const __m512 p0 = lanes2(K::u2(w[i], w[i + 1]), load2(x[i].qs, x[i + 1].qs));
    acc0 = _mm512_fmadd_ps(scales2<K>(w[i], x[i], w[i + 1], x[i + 1]), p0, acc0);
    summs += h2f(w[i].m) * h2f(x[i].s) + h2f(w[i + 1].m) * h2f(x[i + 1].s);
  }
  float tail = 0.0f;
  if (i < nb) {
    const __m256 p = lanes1(K::u1(w[i]), load1(x[i].qs));
    tail = hsum256(_mm256_mul_ps(_mm256_set1_ps(h2f(w[i].d) * h2f(x[i].d)), p));
    summs += h2f(w[i].m) * h2f(x[i].s);
  }
  return _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1)) + tail + summs;
}

// ---- plain float dot products: 64 elements per iteration, masked tail ----

inline __m512 f32_16(const float* p, __mmask16 m) { return _mm512_maskz_loadu_ps(m, p); }
inline __m512 f16_16(const uint16_t* p, __mmask16 m) { return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, p)); }
inline __m512 bf16_16(const uint16_t* p, __mmask16 m) {
  return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(m, p)), 16));
}

template <class E, __m512 (*load)(const E*, __mmask16)>
float dot_plain(const void* vw, const void* vx, int64_t n) {
  const E* a = static_cast<const E*>(vw);
  const E* b = static_cast<const E*>(vx);
  const __mmask16 all = 0xFFFF;
  __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
  int64_t i = 0;
  for (; i + 64 <= n; i += 64) {
    for (int k = 0; k < 4; ++k) acc[k] = _mm512_fmadd_ps(load(a + i + 16 * k, all), load(b + i + 16 * k, all), acc[k]);
  }
  for (; i + 16 <= n; i += 16) acc[0] = _mm512_fmadd_ps(load(a + i, all), load(b + i, all), acc[0]);
  if (i < n) {
    const __mmask16 m = __mmask16((1u << (n - i)) - 1u);
    acc[1] = _mm512_fmadd_ps(load(a + i, m), load(b + i, m), acc[1]);
  }
  return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(acc[0], acc[1]), _mm512_add_ps(acc[2], acc[3])));
}

// BF16 x BF16 with vdpbf16ps: products of bf16 pairs are exact in f32; the instruction
// flushes denormals (as llama.cpp's AVX512_BF16 path does). 32 elements per instruction.
float dot_bf16_dp(const void* vw, const void* vx, int64_t n) {
  const auto* a = static_cast<const uint16_t*>(vw);
  const auto* b = static_cast<const uint16_t*>(vx);
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
  int64_t i = 0;
  for (; i + 64 <= n; i += 64) {
    acc0 = _mm512_dpbf16_ps(acc0, (__m512bh)_mm512_loadu_si512(a + i), (__m512bh)_mm512_loadu_si512(b + i));
    acc1 = _mm512_dpbf16_ps(acc1, (__m512bh)_mm512_loadu_si512(a + i + 32), (__m512bh)_mm512_loadu_si512(b + i + 32));
  }
  for (; i < n; i += 32) {
    const int64_t left = n - i;
    const __mmask32 m = left >= 32 ? ~__mmask32(0) : __mmask32((1u << left) - 1u);
    acc0 = _mm512_dpbf16_ps(acc0, (__m512bh)_mm512_maskz_loadu_epi16(m, a + i),
                            (__m512bh)_mm512_maskz_loadu_epi16(m, b + i));
  }
  return _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
}

// ---- activation quantizers: bit-identical to the scalar ones (see quant/q8_0.cpp) ----

struct Q8Zmm { __m512i q0, q1; float d; bool finite; };

inline Q8Zmm quantize_block(const float* x) {
  const __m512 v0 = _mm512_loadu_ps(x), v1 = _mm512_loadu_ps(x + 16);
  const __m512 a0 = _mm512_abs_ps(v0), a1 = _mm512_abs_ps(v1);
  const __m512 big = _mm512_set1_ps(FLT_MAX);
  Q8Zmm r;
  r.finite = (_mm512_cmp_ps_mask(a0, big, _CMP_NLE_UQ) | _mm512_cmp_ps_mask(a1, big, _CMP_NLE_UQ)) == 0;
  const float amax = _mm512_reduce_max_ps(_mm512_max_ps(a0, a1));
  r.d = amax / 127.0f;
  const __m512 id = _mm512_set1_ps(amax != 0.0f ? 127.0f / amax : 0.0f);
  // round to nearest even; out of range -> INT32_MIN, as the scalar code emulates
  r.q0 = _mm512_cvt_roundps_epi32(_mm512_mul_ps(v0, id), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  r.q1 = _mm512_cvt_roundps_epi32(_mm512_mul_ps(v1, id), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  return r;
}

inline void store_q8(const Q8Zmm& r, int8_t* qs) {
  _mm_storeu_si128(reinterpret_cast<__m128i*>(qs), _mm512_cvtsepi32_epi8(r.q0));  // saturating
  _mm_storeu_si128(reinterpret_cast<__m128i*>(qs + 16), _mm512_cvtsepi32_epi8(r.q1));
}

void quantize_row_q8_0(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ8_0*>(dst);
  for (int64_t i = 0; i < n / kQK8_0; ++i, src += kQK8_0) {
    const Q8Zmm r = quantize_block(src);
    if (!r.finite) {
      y[i].d = quant::kFp16NaN;
      std::memset(y[i].qs, 0, sizeof(y[i].qs));
      continue;
    }
    y[i].d = f32_to_fp16(r.d);
    store_q8(r, y[i].qs);
  }
}

void quantize_row_q8_1(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ8_1*>(dst);
  for (int64_t i = 0; i < n / kQK8_1; ++i, src += kQK8_1) {
    const Q8Zmm r = quantize_block(src);
    if (!r.finite) {
      y[i].d = quant::kFp16NaN;
      y[i].s = quant::kFp16NaN;
      std::memset(y[i].qs, 0, sizeof(y[i].qs));
      continue;
    }
    y[i].d = f32_to_fp16(r.d);
    const int32_t sum = _mm512_reduce_add_epi32(_mm512_add_epi32(r.q0, r.q1));
    y[i].s = f32_to_fp16(r.d * float(sum));
    store_q8(r, y[i].qs);
  }
}

inline __mmask16 tail_mask(int64_t left) { return left >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << left) - 1u); }

void quantize_row_f16(const float* src, void* dst, int64_t n) {
  auto* d = static_cast<uint16_t*>(dst);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = tail_mask(n - i);
    const __m256i h = _mm512_cvtps_ph(_mm512_maskz_loadu_ps(m, src + i), _MM_FROUND_TO_NEAREST_INT);
    _mm256_mask_storeu_epi16(d + i, m, h);
  }
}

// Round to nearest even on the bit pattern, NaN -> quiet NaN: the rule of f32_to_bf16.
// (vcvtneps2bf16 would flush denormals and differ from the scalar reference.)
void quantize_row_bf16(const float* src, void* dst, int64_t n) {
  auto* d = static_cast<uint16_t*>(dst);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = tail_mask(n - i);
    const __m512i u = _mm512_castps_si512(_mm512_maskz_loadu_ps(m, src + i));
    const __mmask16 nan = _mm512_cmpgt_epu32_mask(_mm512_and_si512(u, _mm512_set1_epi32(0x7fffffff)),
                                                  _mm512_set1_epi32(0x7f800000));
    const __m512i hi = _mm512_srli_epi32(u, 16);
    const __m512i lsb = _mm512_and_si512(hi, _mm512_set1_epi32(1));
    __m512i r = _mm512_srli_epi32(_mm512_add_epi32(u, _mm512_add_epi32(lsb, _mm512_set1_epi32(0x7fff))), 16);
    r = _mm512_mask_or_epi32(r, nan, hi, _mm512_set1_epi32(64));
    _mm256_mask_storeu_epi16(d + i, m, _mm512_cvtepi32_epi16(r));
  }
}

// ---- dequantizers: float(q - offset) * d (+ m), multiply and add kept separate ----

template <class Block, int kOffset, bool kHigh>
inline void q_lanes(const Block& b, __m512i& lo, __m512i& hi) {
  const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.qs));
  lo = _mm512_cvtepu8_epi32(_mm_and_si128(raw, _mm_set1_epi8(0x0F)));
  hi = _mm512_cvtepu8_epi32(_mm_and_si128(_mm_srli_epi16(raw, 4), _mm_set1_epi8(0x0F)));
  if constexpr (kHigh) {
    const uint32_t qh = load_u32(b.qh);
    lo = _mm512_mask_add_epi32(lo, __mmask16(qh), lo, _mm512_set1_epi32(16));
    hi = _mm512_mask_add_epi32(hi, __mmask16(qh >> 16), hi, _mm512_set1_epi32(16));
  }
  lo = _mm512_sub_epi32(lo, _mm512_set1_epi32(kOffset));
  hi = _mm512_sub_epi32(hi, _mm512_set1_epi32(kOffset));
}

template <class Block, int kOffset, bool kHigh, bool kMin>
void dequant_nibbles(const void* src, float* dst, int64_t n) {
  const auto* x = static_cast<const Block*>(src);
  for (int64_t i = 0; i < n / 32; ++i, dst += 32) {
    __m512i lo, hi;
    q_lanes<Block, kOffset, kHigh>(x[i], lo, hi);
    const __m512 d = _mm512_set1_ps(h2f(x[i].d));
    __m512 flo = _mm512_mul_ps(_mm512_cvtepi32_ps(lo), d), fhi = _mm512_mul_ps(_mm512_cvtepi32_ps(hi), d);
    if constexpr (kMin) {
      const __m512 m = _mm512_set1_ps(h2f(x[i].m));
      flo = _mm512_add_ps(flo, m);
      fhi = _mm512_add_ps(fhi, m);
    }
    _mm512_storeu_ps(dst, flo);
    _mm512_storeu_ps(dst + 16, fhi);
  }
}

template <class Block>
void dequant_q8(const void* src, float* dst, int64_t n) {
  const auto* x = static_cast<const Block*>(src);
  for (int64_t i = 0; i < n / 32; ++i, dst += 32) {
    const __m512 d = _mm512_set1_ps(h2f(x[i].d));
    const __m128i* q = reinterpret_cast<const __m128i*>(x[i].qs);
    _mm512_storeu_ps(dst, _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(q))), d));
    _mm512_storeu_ps(dst + 16, _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(q + 1))), d));
  }
}

void dequantize_row_f16(const void* src, float* dst, int64_t n) {
  const auto* s = static_cast<const uint16_t*>(src);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = tail_mask(n - i);
    _mm512_mask_storeu_ps(dst + i, m, f16_16(s + i, m));
  }
}

void dequantize_row_bf16(const void* src, float* dst, int64_t n) {
  const auto* s = static_cast<const uint16_t*>(src);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = tail_mask(n - i);
    _mm512_mask_storeu_ps(dst + i, m, bf16_16(s + i, m));
  }
}

}  // namespace

// The AVX-512 overrides of each type's ops (dtype.cpp's traits rows point here).
void avx512_ops_f32(QuantOps& ops) {
    ops.vec_dot = dot_plain<float, f32_16>;
}

void avx512_ops_f16(QuantOps& ops) {
    ops.vec_dot = dot_plain<uint16_t, f16_16>;
    ops.from_float = quantize_row_f16;
    ops.to_float = dequantize_row_f16;
}

void avx512_ops_bf16(QuantOps& ops) {
    ops.vec_dot = cpu_features().avx512_bf16 ? dot_bf16_dp : dot_plain<uint16_t, bf16_16>;
    ops.from_float = quantize_row_bf16;
    ops.to_float = dequantize_row_bf16;
}

void avx512_ops_q4_0(QuantOps& ops) {
    ops.to_float = dequant_nibbles<BlockQ4_0, 8, false, false>;
}

void avx512_ops_q4_1(QuantOps& ops) {
    ops.vec_dot = dot_blocks<KQ4_1>;
    ops.to_float = dequant_nibbles<BlockQ4_1, 0, false, true>;
}

void avx512_ops_q5_0(QuantOps& ops) {
    ops.to_float = dequant_nibbles<BlockQ5_0, 16, true, false>;
}

void avx512_ops_q5_1(QuantOps& ops) {
    ops.vec_dot = dot_blocks<KQ5_1>;
    ops.to_float = dequant_nibbles<BlockQ5_1, 0, true, true>;
}

void avx512_ops_q8_0(QuantOps& ops) {
    ops.from_float = quantize_row_q8_0;
    ops.to_float = dequant_q8<BlockQ8_0>;
}

void avx512_ops_q8_1(QuantOps& ops) {
    ops.from_float = quantize_row_q8_1;
    ops.to_float = dequant_q8<BlockQ8_1>;
}

}  // namespace ondo::core::kernels
