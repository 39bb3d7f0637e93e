// C = A B^T: work split and the scalar tile kernel. Layer: train.
#include "ondo/train/gemm.h"

#include <algorithm>

#include "ondo/core/cpu_features.h"

namespace ondo::train {
namespace {

// Multiply-adds per participant in one run() at most (about 0.1-0.5 ms): each run() ends at a
// preemption point where a Background caller (a trainer) yields to serving work
// (core/compute_pool.h, "Serving priority").
constexpr int64_t kRunMacs = int64_t(1) << 21;

// Splits C into blocks of 64 x 64 and hands them out round-robin in a fixed order, in runs of
// at most kRunMacs per participant. A block's result does not depend on which participant or
// which run computes it, so the slicing changes no bit.
void run_tiles(GemmTileFn fn, const float* A, const float* B, float* C, int64_t M, int64_t N, int64_t L,
               bool accumulate, core::ThreadPool& pool) {
  constexpr int64_t kBm = 64, kBn = 64;
  const int64_t bm = (M + kBm - 1) / kBm, bn = (N + kBn - 1) / kBn;
  const int64_t per_run = std::max<int64_t>(1, kRunMacs / (kBm * kBn * std::max<int64_t>(1, L))) * pool.size();
  for (int64_t first = 0; first < bm * bn; first += per_run) {
    const int64_t last = std::min(bm * bn, first + per_run);
    pool.run([&](int ith, int nth) {
      for (int64_t b = first + ith; b < last; b += nth) {
        const int64_t m0 = (b / bn) * kBm, n0 = (b % bn) * kBn;
        fn(A, B, C, N, L, m0, std::min(M, m0 + kBm), n0, std::min(N, n0 + kBn), accumulate);
      }
    });
  }
}

}  // namespace

void gemm_tile_scalar(const float* A, const float* B, float* C, int64_t N, int64_t L, int64_t m0, int64_t m1,
                      int64_t n0, int64_t n1, bool accumulate) {
  const int64_t L8 = L / 8 * 8;
  for (int64_t m = m0; m < m1; ++m) {
    const float* a = A + m * L;
    for (int64_t n = n0; n < n1; ++n) {
      const float* b = B + n * L;
      float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
      for (int64_t l = 0; l < L8; l += 8) {
        for (int j = 0; j < 8; ++j) acc[j] += a[l + j] * b[l + j];
      }
      // lane sum in the order the AVX2 kernel uses: (0+4, 1+5, 2+6, 3+7) then pairs
      float s = ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]));
      for (int64_t l = L8; l < L; ++l) s += a[l] * b[l];
      float* c = C + m * N + n;
      *c = accumulate ? *c + s : s;
    }
  }
}

void gemm_nt(const float* A, const float* B, float* C, int64_t M, int64_t N, int64_t L, bool accumulate,
             core::ThreadPool& pool) {
  const GemmTileFn fn = core::cpu_features().avx2 ? gemm_tile_avx2 : gemm_tile_scalar;
  run_tiles(fn, A, B, C, M, N, L, accumulate, pool);
}

void gemm_nt_scalar(const float* A, const float* B, float* C, int64_t M, int64_t N, int64_t L, bool accumulate,
                    core::ThreadPool& pool) {
  run_tiles(gemm_tile_scalar, A, B, C, M, N, L, accumulate, pool);
}

void transpose(const float* in, int64_t rows, int64_t cols, float* out) {
  constexpr int64_t kB = 32;
  for (int64_t r0 = 0; r0 < rows; r0 += kB) {
    for (int64_t c0 = 0; c0 < cols; c0 += kB) {
      const int64_t r1 = std::min(rows, r0 + kB), c1 = std::min(cols, c0 + kB);
      for (int64_t r = r0; r < r1; ++r) {
        for (int64_t c = c0; c < c1; ++c) out[c * rows + r] = in[r * cols + c];
      }
    }
  }
}

}  // namespace ondo::train
