// Scalar reference GEMM kernels (gemm.h): the oracle every SIMD variant must equal bit for
// bit. One weight row at a time, the canonical steps of gemm_levels.h; fp-contract off keeps
// every float step a separate IEEE operation. Layer: core. Must not touch anything above core.
#pragma GCC optimize("fp-contract=off")

#include "ondo/core/kernels/gemm.h"
#include "ondo/core/kernels/gemm_levels.h"
#include "ondo/core/kernels/dtype_kernels.h"

namespace ondo::core::kernels {
namespace {

int32_t dot_scalar(const int8_t* q, const int8_t* x, int len) {
  int32_t s = 0;
  for (int e = 0; e < len; ++e) s += int32_t(q[e]) * int32_t(x[e]);
  return s;
}

template <class Tr>
void gemm_scalar(const void* w, size_t w_row_bytes, const void* xq, size_t x_row_bytes, int64_t K,
                 int64_t n0, int64_t n1, int64_t T, float* y, int64_t ldy) {
  gemm_rowwise<Tr>(static_cast<const uint8_t*>(w), w_row_bytes, static_cast<const uint8_t*>(xq),
                   x_row_bytes, K, n0, n1, T, y, ldy, dot_scalar);
}

template <class Tr>
constexpr GemmKernel kKernel{gemm_scalar<Tr>, 1};

}  // namespace

// The kernels dtype.cpp's traits rows name, one per type with GEMM traits (gemm_levels.h).
#define ONDO_GEMM_SCALAR(t) \
  template <> \
  const GemmKernel* gemm_scalar_of<DType::t>() { return &kKernel<Gemm##t>; }
ONDO_FOR_EACH_GEMM_DTYPE(ONDO_GEMM_SCALAR)
#undef ONDO_GEMM_SCALAR

}  // namespace ondo::core::kernels
