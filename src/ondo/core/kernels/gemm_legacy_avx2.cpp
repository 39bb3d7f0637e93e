// AVX2 GEMM / decode kernels (gemm.h) of the 32-element types against Q8_0 activations:
// Q8_0, Q4_0, Q5_0. Layer: core. Must not touch anything above core.
//
// A block unpacks into one vector of 32 levels. Q4_0 / Q5_0 levels are stored unsigned
// (q + 8, q + 16) and vpmaddubsw multiplies them with the signed activations; the bias comes
// off exactly as -bias * (sum of the block's activations), precomputed per call
// (gemm_avx2_rows.h). Q8_0 uses |w| against sign(x, w): exact since Q8_0 activations lie in
// [-127, 127] (core/quant/q8_0.cpp; the one exception, every quant -128 when amax is below
// ~3.7e-37, has d_x = 0, so the product is 0 either way). The driver does the reductions
// and the float steps of gemm.h, so results equal gemm_scalar.cpp bit for bit.
#pragma GCC optimize("fp-contract=off")

#include <immintrin.h>

#include "ondo/core/kernels/dtype_kernels.h"
#include "ondo/core/kernels/gemm.h"
#include "ondo/core/kernels/gemm_avx2.h"
#include "ondo/core/kernels/gemm_avx2_rows.h"
#include "ondo/core/quant/blocks.h"

namespace ondo::core::kernels {
namespace {

struct LW {
  __m256i u, s;  // levels (Q8_0: |w|), and Q8_0's signed weights
  float dw, dmin;
};

template <class Block, int kBias_>
struct LegacyBase {
  static constexpr Step kStep = Step::Legacy;
  static constexpr int kBlock = 32, kBytes = sizeof(Block), kActBytes = sizeof(BlockQ8_0), kRowsT1 = 2;
  static constexpr int kBias = kBias_;
  using W = LW;
  static __m256i mdot(const LW&, const uint8_t*) { return _mm256_setzero_si256(); }
};

inline __m256i act_qs(const uint8_t* xb) { return load256(reinterpret_cast<const BlockQ8_0*>(xb)->qs); }

struct Q8_0Rows : LegacyBase<BlockQ8_0, 0> {
  static void unpack(const uint8_t* p, LW& k) {
    const auto& b = *reinterpret_cast<const BlockQ8_0*>(p);
    k.s = load256(b.qs);
    k.u = _mm256_abs_epi8(k.s);  // -128 -> 0x80, read as unsigned 128
    k.dw = _cvtsh_ss(b.d);
  }
  template <int N>
  static void dots(const LW& k, const uint8_t* const* xb, __m256i* out) {
    const __m256i ones = _mm256_set1_epi16(1);
    #pragma GCC unroll 4
    for (int t = 0; t < N; ++t) out[t] = madd_u8s8(k.u, _mm256_sign_epi8(act_qs(xb[t]), k.s), ones);
  }
};

template <class Block, int kBias_>
struct NibbleRows : LegacyBase<Block, kBias_> {
  template <int N>
  static void dots(const LW& k, const uint8_t* const* xb, __m256i* out) {
    const __m256i ones = _mm256_set1_epi16(1);
    #pragma GCC unroll 4
    for (int t = 0; t < N; ++t) out[t] = madd_u8s8(k.u, act_qs(xb[t]), ones);
  }
};

// Q4_0 (layout: quant/q4_0.cpp): element j < 16 is the low nibble of qs[j], j + 16 the high.
inline __m256i nibbles(const uint8_t* qs) {
  const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qs)), m0f = _mm_set1_epi8(0x0F);
  return _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(q, 4), m0f), _mm_and_si128(q, m0f));
}

struct Q4_0Rows : NibbleRows<BlockQ4_0, 8> {
  static void unpack(const uint8_t* p, LW& k) {
    const auto& b = *reinterpret_cast<const BlockQ4_0*>(p);
    k.u = nibbles(b.qs);
    k.dw = _cvtsh_ss(b.d);
  }
};

// Q5_0 (layout: quant/q5_0.cpp): bit j of qh is bit 4 of element j.
struct Q5_0Rows : NibbleRows<BlockQ5_0, 16> {
  static void unpack(const uint8_t* p, LW& k) {
    const auto& b = *reinterpret_cast<const BlockQ5_0*>(p);
    uint32_t qh;
    std::memcpy(&qh, b.qh, 4);
    // byte j of the vector = byte j / 8 of qh, then its bit j % 8 tested
    const __m256i spread = _mm256_shuffle_epi8(_mm256_set1_epi32(int(qh)),
                                               _mm256_setr_epi64x(0, 0x0101010101010101, 0x0202020202020202,
                                                                  0x0303030303030303));
    const __m256i bit = _mm256_set1_epi64x(int64_t(0x8040201008040201));
    const __m256i set = _mm256_cmpeq_epi8(_mm256_and_si256(spread, bit), bit);
    k.u = _mm256_or_si256(nibbles(b.qs), _mm256_and_si256(set, _mm256_set1_epi8(0x10)));
    k.dw = _cvtsh_ss(b.d);
  }
};

constexpr GemmKernel kQ8_0{gemm_rows_avx2<Q8_0Rows>, 1};
constexpr GemmKernel kQ4_0{gemm_rows_avx2<Q4_0Rows>, 1};
constexpr GemmKernel kQ5_0{gemm_rows_avx2<Q5_0Rows>, 1};

}  // namespace

const GemmKernel* gemm_rows_avx2_q8_0() { return &kQ8_0; }
const GemmKernel* gemm_rows_avx2_q4_0() { return &kQ4_0; }
const GemmKernel* gemm_rows_avx2_q5_0() { return &kQ5_0; }

}  // namespace ondo::core::kernels
