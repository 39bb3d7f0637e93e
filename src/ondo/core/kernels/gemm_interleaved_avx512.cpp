// AVX-512 VNNI kernels of Q4_K and Q6_K weights in the row-interleaved layout
// (core/quant/interleave.h) against Q8_K activations, for every T. Layer: core.
//
// Lane = row: a 64-byte load of the interleaved quants holds the same 4 quant bytes of 16
// rows, so after unpacking to levels one vpdpbusd with the token's 4 activation bytes
// broadcast adds a quad to all 16 rows' sub-block sums at once. A sub-block's sum is then
// scaled once (vpmulld by its 16 scales) into the block's isum, and the float step of gemm.h
// runs lane-wise per block: the same exact integers and IEEE operations as gemm_scalar.cpp,
// so the results are equal bit for bit. Compared with the row-at-a-time decode kernels there
// is no horizontal sum and no per-pair scale shuffle: 4 tokens cost about 2.3x fewer
// instructions per weight. A group's 16 rows are one contiguous stream for the prefetcher.
// Tokens are taken C <= 4 at a time per group, so a group's weights are unpacked once per C
// tokens and stay in L1/L2 for the next C.
#pragma GCC optimize("fp-contract=off")
#if defined(__GNUC__) && !defined(__clang__)  // GCC 12's AVX-512 headers trip these falsely
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "ondo/core/kernels/dtype_kernels.h"
#include "ondo/core/kernels/gemm.h"
#include "ondo/core/quant/blocks.h"
#include "ondo/core/quant/interleave.h"

namespace ondo::core::kernels {
namespace {

constexpr int kR = int(kInterleaveRows);
constexpr int kMaxC = 4;

inline __m512i bcast(const int8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return _mm512_set1_epi32(v);
}

// The hardware prefetcher alone does not run far enough ahead of these kernels when they
// compute for several tokens: memory and compute then take turns instead of overlapping
// (single thread Q4_K 8192x8192, T = 4: 4.7-5.0 ms, about the T = 1 time plus the in-cache
// compute time; 2.4-3.5 ms with this). So each 64-byte load also prefetches the same line
// 4 tiles ahead.
constexpr size_t kPrefetchTiles = 4;
inline void prefetch_ahead(const uint8_t* p, size_t tile_bytes) {
  if constexpr (kPrefetchTiles > 0) _mm_prefetch(reinterpret_cast<const char*>(p + kPrefetchTiles * tile_bytes), _MM_HINT_T0);
}

inline const BlockQ8_K* xrow(const uint8_t* xq, size_t xrb, int64_t t) {
  return reinterpret_cast<const BlockQ8_K*>(xq + size_t(t) * xrb);
}

// One group of 16 rows (at g) x C tokens over all nb blocks, y[c * ldy + 0..15]; aux[c] the
// kernel's per-block activation data of token c.
using GroupFn = void (*)(const uint8_t* g, int64_t nb, const BlockQ8_K* const x[], const int32_t* const aux[],
                         float* y, int64_t ldy);

// Every group of rows [n0, n1), tokens C <= 4 at a time (fns[C - 1]); aux holds per_block
// int32 per token and block.
void run_groups(const GroupFn (&fns)[kMaxC], const std::vector<int32_t>& aux, int per_block, const void* w,
                size_t wrb, const void* xq, size_t xrb, int64_t K, int64_t n0, int64_t n1, int64_t T, float* y,
                int64_t ldy) {
  const auto* wb = static_cast<const uint8_t*>(w);
  const auto* xb = static_cast<const uint8_t*>(xq);
  const int64_t nb = K / kQK_K;
  for (int64_t n = n0; n < n1; n += kR) {
    for (int64_t t0 = 0; t0 < T; t0 += kMaxC) {
      const int C = int(std::min<int64_t>(kMaxC, T - t0));
      const BlockQ8_K* x[kMaxC];
      const int32_t* a[kMaxC];
      for (int c = 0; c < C; ++c) {
        x[c] = xrow(xb, xrb, t0 + c);
        a[c] = aux.data() + size_t((t0 + c) * nb * per_block);
      }
      fns[C - 1](wb + size_t(n) * wrb, nb, x, a, y + t0 * ldy + n, ldy);
    }
  }
}

// ---- Q4_K. Tile (16 blocks): d[16] fp16 @0, dmin[16] @32, 12 scale planes of 16 bytes @64,
// qs dwords @256: dword i of row r at 256 + (16 i + r) * 4. Dword i holds elements
// 64c + 4k .. + 3 (low nibbles, sub-block 2c) and 64c + 32 + 4k .. (high, 2c + 1), c = i / 8,
// k = i % 8 (quant/q4_K.cpp).
constexpr size_t kQ4KTile = size_t(kR) * sizeof(BlockQ4_K);

// Per token and block: the min-group sums of the activations as int16 pairs (2j, 2j + 1).
void q4k_min_pairs(const uint8_t* xq, size_t xrb, int64_t T, int64_t nb, std::vector<int32_t>& out) {
  out.resize(size_t(T * nb * 4));
  for (int64_t t = 0; t < T; ++t) {
    for (int64_t b = 0; b < nb; ++b) {
      const BlockQ8_K& x = xrow(xq, xrb, t)[b];
      for (int j = 0; j < 4; ++j) {
        const int lo = x.bsums[4 * j] + x.bsums[4 * j + 1], hi = x.bsums[4 * j + 2] + x.bsums[4 * j + 3];
        out[size_t((t * nb + b) * 4 + j)] = int32_t(uint32_t(uint16_t(lo)) | (uint32_t(uint16_t(hi)) << 16));
      }
    }
  }
}

// 16 rows (the group at g) x C tokens, all blocks; y[t * ldy + 0..15].
template <int C>
void q4k_group(const uint8_t* g, int64_t nb, const BlockQ8_K* const x[], const int32_t* const mp[], float* y,
               int64_t ldy) {
  const __m512i m0f = _mm512_set1_epi8(0x0F), m3f = _mm512_set1_epi8(0x3F), m30 = _mm512_set1_epi8(0x30);
  __m512 acc[C];
  for (int c = 0; c < C; ++c) acc[c] = _mm512_setzero_ps();
  for (int64_t b = 0; b < nb; ++b) {
    const uint8_t* tb = g + size_t(b) * kQ4KTile;
    #pragma GCC unroll 4
    for (int l = 0; l < 4; ++l) prefetch_ahead(tb + 64 * l, kQ4KTile);
    // 6-bit scales and mins (quant/q4_K.cpp): bytes 0..3 sc0..3 (low 6 bits), 4..7 m0..3,
    // 8..11 low nibble sc4..7 / high nibble m4..7, top 2 bits of bytes 0..7 the rest
    const __m512i pa = _mm512_loadu_si512(tb + 64), pb = _mm512_loadu_si512(tb + 128), pc = _mm512_loadu_si512(tb + 192);
    const __m512i sc_lo = _mm512_and_si512(pa, m3f), mn_lo = _mm512_and_si512(pb, m3f);
    const __m512i sc_hi = _mm512_ternarylogic_epi32(_mm512_and_si512(pc, m0f), _mm512_srli_epi16(pa, 2), m30, 0xF8);
    const __m512i mn_hi =
        _mm512_ternarylogic_epi32(_mm512_and_si512(_mm512_srli_epi16(pc, 4), m0f), _mm512_srli_epi16(pb, 2), m30, 0xF8);
    // min multipliers of the 16 rows as int16 pairs (2j, 2j + 1), one zmm per j
    __m512i mins[4];
    #pragma GCC unroll 2
    for (int h = 0; h < 2; ++h) {
      const __m512i mv = h == 0 ? mn_lo : mn_hi;
      const __m128i m0 = _mm512_castsi512_si128(mv), m1 = _mm512_extracti32x4_epi32(mv, 1);
      const __m128i m2 = _mm512_extracti32x4_epi32(mv, 2), m3 = _mm512_extracti32x4_epi32(mv, 3);
      mins[2 * h] = _mm512_cvtepu8_epi16(_mm256_setr_m128i(_mm_unpacklo_epi8(m0, m1), _mm_unpackhi_epi8(m0, m1)));
      mins[2 * h + 1] = _mm512_cvtepu8_epi16(_mm256_setr_m128i(_mm_unpacklo_epi8(m2, m3), _mm_unpackhi_epi8(m2, m3)));
    }
    __m512i isum[C];
    for (int c = 0; c < C; ++c) isum[c] = _mm512_setzero_si512();
    #pragma GCC unroll 1
    for (int ch = 0; ch < 4; ++ch) {
      const __m512i sv = ch < 2 ? sc_lo : sc_hi;
      // scales of sub-blocks 2ch and 2ch + 1: planes (2ch) % 4 and (2ch + 1) % 4 of sv
      __m512i sa, sb;
      if (ch % 2 == 0) {
        sa = _mm512_cvtepu8_epi32(_mm512_castsi512_si128(sv));
        sb = _mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(sv, 1));
      } else {
        sa = _mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(sv, 2));
        sb = _mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(sv, 3));
      }
      __m512i slo[C], shi[C];
      for (int c = 0; c < C; ++c) slo[c] = shi[c] = _mm512_setzero_si512();
      #pragma GCC unroll 8
      for (int k = 0; k < 8; ++k) {
        const __m512i v = _mm512_loadu_si512(tb + 256 + size_t(8 * ch + k) * 64);
        prefetch_ahead(tb + 256 + size_t(8 * ch + k) * 64, kQ4KTile);
        const __m512i lo = _mm512_and_si512(v, m0f), hi = _mm512_and_si512(_mm512_srli_epi16(v, 4), m0f);
        #pragma GCC unroll 4
        for (int c = 0; c < C; ++c) {
          const int8_t* q = x[c][b].qs + 64 * ch + 4 * k;
          slo[c] = _mm512_dpbusd_epi32(slo[c], lo, bcast(q));
          shi[c] = _mm512_dpbusd_epi32(shi[c], hi, bcast(q + 32));
        }
      }
      #pragma GCC unroll 4
      for (int c = 0; c < C; ++c) {
        isum[c] = _mm512_add_epi32(isum[c], _mm512_add_epi32(_mm512_mullo_epi32(slo[c], sa), _mm512_mullo_epi32(shi[c], sb)));
      }
    }
    const __m512 dw = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(tb)));
    const __m512 dmin = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(tb + 32)));
    #pragma GCC unroll 4
    for (int c = 0; c < C; ++c) {
      const int32_t* p = mp[c] + b * 4;
      __m512i msum = _mm512_dpwssd_epi32(_mm512_setzero_si512(), mins[0], _mm512_set1_epi32(p[0]));
      msum = _mm512_dpwssd_epi32(msum, mins[1], _mm512_set1_epi32(p[1]));
      msum = _mm512_dpwssd_epi32(msum, mins[2], _mm512_set1_epi32(p[2]));
      msum = _mm512_dpwssd_epi32(msum, mins[3], _mm512_set1_epi32(p[3]));
      // block_step (gemm_levels.h): acc + (d * float(isum) - (dmin_w * d_x) * float(msum))
      const __m512 dx = _mm512_set1_ps(x[c][b].d);
      const __m512 prod = _mm512_mul_ps(_mm512_mul_ps(dw, dx), _mm512_cvtepi32_ps(isum[c]));
      const __m512 step = _mm512_sub_ps(prod, _mm512_mul_ps(_mm512_mul_ps(dmin, dx), _mm512_cvtepi32_ps(msum)));
      acc[c] = _mm512_add_ps(acc[c], step);
    }
  }
  for (int c = 0; c < C; ++c) _mm512_storeu_ps(y + c * ldy, acc[c]);
}

void q4k_interleaved(const void* w, size_t wrb, const void* xq, size_t xrb, int64_t K, int64_t n0, int64_t n1,
                     int64_t T, float* y, int64_t ldy) {
  static constexpr GroupFn kGroups[kMaxC] = {q4k_group<1>, q4k_group<2>, q4k_group<3>, q4k_group<4>};
  thread_local std::vector<int32_t> pairs;
  q4k_min_pairs(static_cast<const uint8_t*>(xq), xrb, T, K / kQK_K, pairs);
  run_groups(kGroups, pairs, 4, w, wrb, xq, xrb, K, n0, n1, T, y, ldy);
}

// ---- Q6_K. Tile: 4 quarters of 832 bytes, then d[16] fp16 @3328. Quarter q = (h, jg) =
// (q / 2, q % 2): 4 scale planes of 16 bytes (sub-blocks 8h + jg + 2i, i < 4), then for
// j = 4 jg + jj, jj < 4, three 64-byte units at 64 + 192 jj: ql dwords 16h + j and 16h + 8 + j
// and qh dword 8h + j (quant/q6_K.cpp), which give the levels of elements 128h + 4j (low
// nibbles, qh bits 0-1), 128h + 32 + 4j (low, bits 2-3), 128h + 64 + 4j (high, bits 4-5) and
// 128h + 96 + 4j (high, bits 6-7): sub-blocks 8h + jg + 0, 2, 4, 6.
constexpr size_t kQ6KQuarter = 832, kQ6KD = 4 * kQ6KQuarter;
constexpr size_t kQ6KTile = size_t(kR) * sizeof(BlockQ6_K);

// Per token and block: -32 * bsums[s], the start of sub-block s's sum (levels carry +32).
void q6k_bias(const uint8_t* xq, size_t xrb, int64_t T, int64_t nb, std::vector<int32_t>& out) {
  out.resize(size_t(T * nb * 16));
  for (int64_t t = 0; t < T; ++t) {
    for (int64_t b = 0; b < nb; ++b) {
      const BlockQ8_K& x = xrow(xq, xrb, t)[b];
      for (int s = 0; s < 16; ++s) out[size_t((t * nb + b) * 16 + s)] = -32 * int32_t(x.bsums[s]);
    }
  }
}

template <int C>
void q6k_group(const uint8_t* g, int64_t nb, const BlockQ8_K* const x[], const int32_t* const bias[], float* y,
               int64_t ldy) {
  const __m512i m0f = _mm512_set1_epi8(0x0F), m30 = _mm512_set1_epi8(0x30);
  __m512 acc[C];
  for (int c = 0; c < C; ++c) acc[c] = _mm512_setzero_ps();
  for (int64_t b = 0; b < nb; ++b) {
    const uint8_t* tb = g + size_t(b) * kQ6KTile;
    __m512i isum[C];
    for (int c = 0; c < C; ++c) isum[c] = _mm512_setzero_si512();
    #pragma GCC unroll 1
    for (int hq = 0; hq < 4; ++hq) {
      const int h = hq / 2, jg = hq % 2;
      const uint8_t* qt = tb + size_t(hq) * kQ6KQuarter;
      prefetch_ahead(qt, kQ6KTile);
      // sub-blocks 8h + jg + 2i, i < 4, each sum starting at -32 * bsum
      __m512i sacc[4][C];
      #pragma GCC unroll 4
      for (int i = 0; i < 4; ++i) {
        #pragma GCC unroll 4
        for (int c = 0; c < C; ++c) sacc[i][c] = _mm512_set1_epi32(bias[c][b * 16 + 8 * h + jg + 2 * i]);
      }
      #pragma GCC unroll 4
      for (int jj = 0; jj < 4; ++jj) {
        const int j = 4 * jg + jj;
        const __m512i l0 = _mm512_loadu_si512(qt + 64 + 192 * jj);
        const __m512i l1 = _mm512_loadu_si512(qt + 128 + 192 * jj);
        const __m512i qh = _mm512_loadu_si512(qt + 192 + 192 * jj);
        #pragma GCC unroll 3
        for (int l = 1; l <= 3; ++l) prefetch_ahead(qt + 64 * l + 192 * jj, kQ6KTile);
        __m512i lev[4];
        lev[0] = _mm512_ternarylogic_epi32(_mm512_and_si512(l0, m0f), _mm512_slli_epi16(qh, 4), m30, 0xF8);
        lev[1] = _mm512_ternarylogic_epi32(_mm512_and_si512(l1, m0f), _mm512_slli_epi16(qh, 2), m30, 0xF8);
        lev[2] = _mm512_ternarylogic_epi32(_mm512_and_si512(_mm512_srli_epi16(l0, 4), m0f), qh, m30, 0xF8);
        lev[3] = _mm512_ternarylogic_epi32(_mm512_and_si512(_mm512_srli_epi16(l1, 4), m0f), _mm512_srli_epi16(qh, 2),
                                           m30, 0xF8);
        #pragma GCC unroll 4
        for (int c = 0; c < C; ++c) {
          const int8_t* q = x[c][b].qs + 128 * h + 4 * j;
          #pragma GCC unroll 4
          for (int i = 0; i < 4; ++i) sacc[i][c] = _mm512_dpbusd_epi32(sacc[i][c], lev[i], bcast(q + 32 * i));
        }
      }
      __m512i sc[4];
      #pragma GCC unroll 4
      for (int i = 0; i < 4; ++i) {
        const uint8_t* plane = qt + 16 * i;
        sc[i] = _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(plane)));
      }
      #pragma GCC unroll 4
      for (int c = 0; c < C; ++c) {
        const __m512i a = _mm512_add_epi32(_mm512_mullo_epi32(sacc[0][c], sc[0]), _mm512_mullo_epi32(sacc[1][c], sc[1]));
        const __m512i bsum = _mm512_add_epi32(_mm512_mullo_epi32(sacc[2][c], sc[2]), _mm512_mullo_epi32(sacc[3][c], sc[3]));
        isum[c] = _mm512_add_epi32(isum[c], _mm512_add_epi32(a, bsum));
      }
    }
    prefetch_ahead(tb + kQ6KD, kQ6KTile);
    const __m512 dw = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(tb + kQ6KD)));
    #pragma GCC unroll 4
    for (int c = 0; c < C; ++c) {
      // block_step (gemm_levels.h), no mins: acc + d * float(isum)
      const __m512 dx = _mm512_set1_ps(x[c][b].d);
      acc[c] = _mm512_add_ps(acc[c], _mm512_mul_ps(_mm512_mul_ps(dw, dx), _mm512_cvtepi32_ps(isum[c])));
    }
  }
  for (int c = 0; c < C; ++c) _mm512_storeu_ps(y + c * ldy, acc[c]);
}

void q6k_interleaved(const void* w, size_t wrb, const void* xq, size_t xrb, int64_t K, int64_t n0, int64_t n1,
                     int64_t T, float* y, int64_t ldy) {
  static constexpr GroupFn kGroups[kMaxC] = {q6k_group<1>, q6k_group<2>, q6k_group<3>, q6k_group<4>};
  thread_local std::vector<int32_t> bias;
  q6k_bias(static_cast<const uint8_t*>(xq), xrb, T, K / kQK_K, bias);
  run_groups(kGroups, bias, 16, w, wrb, xq, xrb, K, n0, n1, T, y, ldy);
}

constexpr GemmKernel kQ4K{q4k_interleaved, kR};
constexpr GemmKernel kQ6K{q6k_interleaved, kR};

}  // namespace

// The per-type entry points dtype.cpp's traits rows name.
const GemmKernel* gemm_repacked_avx512_q4_K() { return &kQ4K; }
const GemmKernel* gemm_repacked_avx512_q6_K() { return &kQ6K; }

}  // namespace ondo::core::kernels
