// AVX-512 VNNI GEMM kernels (gemm.h). Layer: core. Must not touch anything above core.
//
// Register tile: 32 weight rows (two zmm of 16 lanes, lane = row) x C tokens (C <= 4).
// 1. unpack: the 32 rows of the whole K are converted once into a panel (thread-local,
//    grown once): signed levels interleaved by quads, wq[k/4][2][16 lanes][4 bytes], plus
//    per-lane sub-block scales, the offset correction and mins, and d, dmin.
// 2. per chunk of C tokens: activations as unsigned bytes xu = xq + 128 (so the weights can
//    be the signed vpdpbusd operand and activations the broadcast unsigned one), then for
//    every quad one vpdpbusd per row group and token. The +128 is removed exactly:
//    sum sc * q * xu = isum + 128 * sum_s sc_s * sum_{e in s} q_e, a per-row constant (corr).
// 3. the float steps of gemm.h per block, lanes = rows: bitwise equal to gemm_scalar.cpp.
#pragma GCC optimize("fp-contract=off")
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "ondo/core/kernels/gemm.h"
#include "ondo/core/kernels/gemm_levels.h"
#include "ondo/core/kernels/dtype_kernels.h"
#include "ondo/core/kernels/gemm_decode.h"

namespace ondo::core::kernels {
namespace {

constexpr int kLanes = 16, kGroups = 2, kRows = kLanes * kGroups, kMaxC = 4;

// Views into one thread's scratch for a panel of kRows rows over K and a chunk of tokens.
template <class Tr>
struct Panel {
  static constexpr int kSubLen = Tr::kBlock / Tr::kSub, kPairs = Tr::kMin / 2;
  int64_t nb = 0;
  int8_t* wq = nullptr;     // [K/4][kGroups][kLanes][4]
  int32_t* sc = nullptr;    // [nb][kSub][kRows]
  int32_t* corr = nullptr;  // [nb][kRows]: -128 * sum_s sc_s * sum q
  int32_t* mn = nullptr;    // [nb][kPairs][kRows]: int16 pairs (mn_2j, mn_2j+1)
  float* dw = nullptr;      // [nb][kRows]
  float* dminw = nullptr;   // [nb][kRows]
  uint8_t* xu = nullptr;    // [kMaxC][K]
  int32_t* xs = nullptr;    // [kMaxC][nb][kPairs]: int16 pairs of min-group sums
  float* dx = nullptr;      // [kMaxC][nb]
};

inline uint8_t* align64(uint8_t* p) { return reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(p) + 63) & ~uintptr_t(63)); }

template <class Tr>
Panel<Tr> panel_for(int64_t K) {
  thread_local std::vector<uint8_t> buf;
  Panel<Tr> p;
  p.nb = K / Tr::kBlock;
  const size_t n = size_t(p.nb);
  const size_t sizes[] = {size_t(K) * kRows, n * Tr::kSub * kRows * 4, n * kRows * 4,
                          n * Panel<Tr>::kPairs * kRows * 4, n * kRows * 4, n * kRows * 4,
                          size_t(K) * kMaxC, kMaxC * n * Panel<Tr>::kPairs * 4 + 64, kMaxC * n * 4};
  size_t total = 64;
  for (size_t s : sizes) total += (s + 63) / 64 * 64;
  if (buf.size() < total) buf.resize(total);  // grows once per thread, then reused
  uint8_t* at = align64(buf.data());
  void* ptrs[9];
  for (int i = 0; i < 9; ++i) {
    ptrs[i] = at;
    at += (sizes[i] + 63) / 64 * 64;
  }
  p.wq = static_cast<int8_t*>(ptrs[0]);
  p.sc = static_cast<int32_t*>(ptrs[1]);
  p.corr = static_cast<int32_t*>(ptrs[2]);
  p.mn = static_cast<int32_t*>(ptrs[3]);
  p.dw = static_cast<float*>(ptrs[4]);
  p.dminw = static_cast<float*>(ptrs[5]);
  p.xu = static_cast<uint8_t*>(ptrs[6]);
  p.xs = static_cast<int32_t*>(ptrs[7]);
  p.dx = static_cast<float*>(ptrs[8]);
  return p;
}

// Unpacks rows [n, n + rows) (rows <= kRows; missing lanes become zero weights).
template <class Tr>
void unpack_panel(const Panel<Tr>& p, const uint8_t* w, size_t w_row_bytes, int64_t n, int rows) {
  constexpr int kQuads = Tr::kBlock / 4, kSubLen = Panel<Tr>::kSubLen;
  Levels L;
  for (int r = 0; r < kRows; ++r) {
    const int g = r / kLanes, lane = r % kLanes;
    for (int64_t b = 0; b < p.nb; ++b) {
      if (r < rows) {
        Tr::levels(w + size_t(n + r) * w_row_bytes + size_t(b) * Tr::kBytes, L);
      } else {
        std::memset(&L, 0, sizeof(L));
      }
      int8_t* wq = p.wq + (size_t(b) * kQuads * kGroups + g) * 64 + lane * 4;
      for (int qd = 0; qd < kQuads; ++qd) std::memcpy(wq + size_t(qd) * kGroups * 64, L.q + 4 * qd, 4);
      int32_t corr = 0;
      for (int s = 0; s < Tr::kSub; ++s) {
        int32_t qsum = 0;
        for (int e = 0; e < kSubLen; ++e) qsum += L.q[s * kSubLen + e];
        corr += L.sc[s] * qsum;
        p.sc[(size_t(b) * Tr::kSub + s) * kRows + r] = L.sc[s];
      }
      p.corr[size_t(b) * kRows + r] = -128 * corr;
      for (int j = 0; j < Panel<Tr>::kPairs; ++j) {
        const uint32_t pair = uint16_t(L.mn[2 * j]) | (uint32_t(uint16_t(L.mn[2 * j + 1])) << 16);
        p.mn[(size_t(b) * Panel<Tr>::kPairs + j) * kRows + r] = int32_t(pair);
      }
      p.dw[size_t(b) * kRows + r] = L.d;
      p.dminw[size_t(b) * kRows + r] = Tr::kMin > 0 ? L.dmin : 0.f;
    }
  }
}

// Activations of tokens [t0, t0 + C): unsigned bytes, min-group sum pairs, scales.
template <class Tr>
void prep_tokens(const Panel<Tr>& p, const uint8_t* xq, size_t x_row_bytes, int64_t K, int64_t t0, int C) {
  const __m512i flip = _mm512_set1_epi8(char(0x80));
  for (int c = 0; c < C; ++c) {
    const uint8_t* xrow = xq + size_t(t0 + c) * x_row_bytes;
    uint8_t* xu = p.xu + size_t(c) * K;
    for (int64_t b = 0; b < p.nb; ++b) {
      const int8_t* q = act_q<Tr>(xrow, b);
      for (int e = 0; e < Tr::kBlock; e += 32) {
        const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + e));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(xu + b * Tr::kBlock + e),
                            _mm256_xor_si256(v, _mm512_castsi512_si256(flip)));
      }
      p.dx[size_t(c) * p.nb + b] = act_d<Tr>(xrow, b);
      for (int j = 0; j < Panel<Tr>::kPairs; ++j) {
        const int32_t lo = act_min_sum<Tr>(xrow, b, 2 * j), hi = act_min_sum<Tr>(xrow, b, 2 * j + 1);
        p.xs[(size_t(c) * p.nb + b) * Panel<Tr>::kPairs + j] = int32_t(uint16_t(lo) | (uint32_t(uint16_t(hi)) << 16));
      }
    }
  }
}

// The micro-kernel: kRows rows x C tokens over all blocks; y rows [n, n + rows).
template <class Tr, int C>
void tile(const Panel<Tr>& p, int64_t K, float* y, int64_t ldy, int64_t t0, int64_t n, int rows) {
  constexpr int kQuads = Tr::kBlock / 4, kQPS = Panel<Tr>::kSubLen / 4;
  using AccV = std::conditional_t<Tr::kQ8K, __m512, __m512d>;
  constexpr int kAccPerGroup = Tr::kQ8K ? 1 : 2;
  AccV acc[kGroups][C][kAccPerGroup];
  #pragma GCC unroll 8
  for (auto& a : acc) for (auto& b : a) for (auto& v : b) v = AccV{};
  for (int64_t b = 0; b < p.nb; ++b) {
    __m512i iacc[kGroups][C];
    #pragma GCC unroll 8
    for (int g = 0; g < kGroups; ++g) {
      const __m512i corr = _mm512_loadu_si512(p.corr + b * kRows + g * kLanes);
      #pragma GCC unroll 8
      for (int c = 0; c < C; ++c) iacc[g][c] = corr;
    }
    const int8_t* wq = p.wq + size_t(b) * kQuads * kGroups * 64;
    for (int s = 0; s < Tr::kSub; ++s) {
      __m512i sacc[kGroups][C];
      #pragma GCC unroll 8
      for (int g = 0; g < kGroups; ++g) for (int c = 0; c < C; ++c) sacc[g][c] = _mm512_setzero_si512();
      #pragma GCC unroll 8
      for (int qd = 0; qd < kQPS; ++qd) {
        const int quad = s * kQPS + qd;
        const __m512i w0 = _mm512_load_si512(wq + quad * kGroups * 64);
        const __m512i w1 = _mm512_load_si512(wq + quad * kGroups * 64 + 64);
        #pragma GCC unroll 8
        for (int c = 0; c < C; ++c) {
          int32_t xv;
          std::memcpy(&xv, p.xu + size_t(c) * K + b * Tr::kBlock + 4 * quad, 4);
          const __m512i xb = _mm512_set1_epi32(xv);
          sacc[0][c] = _mm512_dpbusd_epi32(sacc[0][c], xb, w0);
          sacc[1][c] = _mm512_dpbusd_epi32(sacc[1][c], xb, w1);
        }
      }
      #pragma GCC unroll 8
      for (int g = 0; g < kGroups; ++g) {
        if constexpr (Tr::kSub == 1) {
          #pragma GCC unroll 8
          for (int c = 0; c < C; ++c) iacc[g][c] = _mm512_add_epi32(iacc[g][c], sacc[g][c]);
        } else {
          const __m512i sc = _mm512_loadu_si512(p.sc + (b * Tr::kSub + s) * kRows + g * kLanes);
          #pragma GCC unroll 8
          for (int c = 0; c < C; ++c) iacc[g][c] = _mm512_add_epi32(iacc[g][c], _mm512_mullo_epi32(sacc[g][c], sc));
        }
      }
    }
    #pragma GCC unroll 8
    for (int g = 0; g < kGroups; ++g) {
      const __m512 dw = _mm512_loadu_ps(p.dw + b * kRows + g * kLanes);
      #pragma GCC unroll 8
      for (int c = 0; c < C; ++c) {
        const __m512 dx = _mm512_set1_ps(p.dx[c * p.nb + b]);
        const __m512 prod = _mm512_mul_ps(_mm512_mul_ps(dw, dx), _mm512_cvtepi32_ps(iacc[g][c]));
        if constexpr (!Tr::kQ8K) {
          acc[g][c][0] = _mm512_add_pd(acc[g][c][0], _mm512_cvtps_pd(_mm512_castps512_ps256(prod)));
          acc[g][c][1] = _mm512_add_pd(acc[g][c][1], _mm512_cvtps_pd(_mm512_extractf32x8_ps(prod, 1)));
        } else if constexpr (Tr::kMin > 0) {
          __m512i macc = _mm512_setzero_si512();
          #pragma GCC unroll 8
          for (int j = 0; j < Panel<Tr>::kPairs; ++j) {
            const __m512i m = _mm512_loadu_si512(p.mn + (b * Panel<Tr>::kPairs + j) * kRows + g * kLanes);
            macc = _mm512_dpwssd_epi32(macc, m, _mm512_set1_epi32(p.xs[(c * p.nb + b) * Panel<Tr>::kPairs + j]));
          }
          const __m512 dm = _mm512_mul_ps(_mm512_loadu_ps(p.dminw + b * kRows + g * kLanes), dx);
          const __m512 step = _mm512_sub_ps(prod, _mm512_mul_ps(dm, _mm512_cvtepi32_ps(macc)));
          acc[g][c][0] = _mm512_add_ps(acc[g][c][0], step);
        } else {
          acc[g][c][0] = _mm512_add_ps(acc[g][c][0], prod);
        }
      }
    }
  }
  #pragma GCC unroll 8
  for (int g = 0; g < kGroups; ++g) {
    const int valid = std::clamp(rows - g * kLanes, 0, kLanes);
    const __mmask16 m = __mmask16((1u << valid) - 1u);
    #pragma GCC unroll 8
    for (int c = 0; c < C; ++c) {
      __m512 out;
      if constexpr (!Tr::kQ8K) {
        out = _mm512_insertf32x8(_mm512_castps256_ps512(_mm512_cvtpd_ps(acc[g][c][0])), _mm512_cvtpd_ps(acc[g][c][1]), 1);
      } else {
        out = acc[g][c][0];
      }
      _mm512_mask_storeu_ps(y + (t0 + c) * ldy + n + g * kLanes, m, out);
    }
  }
}

template <class Tr>
void gemm_avx512(const void* w, size_t w_row_bytes, const void* xq, size_t x_row_bytes, int64_t K,
                 int64_t n0, int64_t n1, int64_t T, float* y, int64_t ldy) {
  const auto* wb = static_cast<const uint8_t*>(w);
  const auto* xb = static_cast<const uint8_t*>(xq);
  static const GemmFn decode = dtype_info(Tr::kType).kernels.decode_avx512;
  if (decode && T <= kDecodeMaxT) return decode(w, w_row_bytes, xq, x_row_bytes, K, n0, n1, T, y, ldy);
  if (decode && T <= kDecodeBatchMaxT) {
    // a few sequences decoding together: the decode kernel per group of <= kDecodeMaxT tokens
    // over row chunks that stay in L2, so the weights still come from memory once
    constexpr int64_t kChunkRows = 128;
    for (int64_t n = n0; n < n1; n += kChunkRows) {
      const int64_t m1 = std::min(n1, n + kChunkRows);
      for (int64_t t0 = 0; t0 < T; t0 += kDecodeMaxT) {
        decode(w, w_row_bytes, xb + size_t(t0) * x_row_bytes, x_row_bytes, K, n, m1,
               std::min(kDecodeMaxT, T - t0), y + t0 * ldy, ldy);
      }
    }
    return;
  }
  const Panel<Tr> p = panel_for<Tr>(K);
  for (int64_t n = n0; n < n1; n += kRows) {
    const int rows = int(std::min<int64_t>(kRows, n1 - n));
    unpack_panel<Tr>(p, wb, w_row_bytes, n, rows);
    for (int64_t t0 = 0; t0 < T;) {
      const int C = int(std::min<int64_t>(kMaxC, T - t0)) >= 4 ? 4 : int(std::min<int64_t>(2, T - t0));
      prep_tokens<Tr>(p, xb, x_row_bytes, K, t0, C);
      if (C == 4) tile<Tr, 4>(p, K, y, ldy, t0, n, rows);
      else if (C == 2) tile<Tr, 2>(p, K, y, ldy, t0, n, rows);
      else tile<Tr, 1>(p, K, y, ldy, t0, n, rows);
      t0 += C;
    }
  }
}

template <class Tr>
constexpr GemmKernel kKernel{gemm_avx512<Tr>, kRows};

}  // namespace

// The kernels dtype.cpp's traits rows name, one per type with GEMM traits (gemm_levels.h).
#define ONDO_GEMM_AVX512(t) \
  template <> \
  const GemmKernel* gemm_avx512_of<DType::t>() { return &kKernel<Gemm##t>; }
ONDO_FOR_EACH_GEMM_DTYPE(ONDO_GEMM_AVX512)
#undef ONDO_GEMM_AVX512

}  // namespace ondo::core::kernels
