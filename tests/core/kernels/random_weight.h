// Test support for kernel tests: a random weight matrix quantized to a dtype with the scalar
// reference, owned together with the Tensor that views it. Layer: tests of core.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "ondo/core/dtype.h"
#include "ondo/core/tensor.h"

namespace ondo::core::testing {

struct Weight {
  std::vector<uint8_t> bytes;
  Tensor t;  // views `bytes`: do not copy a Weight whose t is in use
};

// N rows of K standard-normal values, converted to `type` row by row.
inline Weight random_weight(DType type, int64_t K, int64_t N, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::vector<float> f(static_cast<size_t>(K));
  Weight w;
  const size_t rb = size_t(*row_bytes(type, K));
  w.bytes.resize(rb * size_t(N));
  for (int64_t n = 0; n < N; ++n) {
    for (auto& x : f) x = nd(rng);
    dtype_info(type).scalar.from_float(f.data(), w.bytes.data() + size_t(n) * rb, K);
  }
  w.t.type = type;
  w.t.ne[0] = K;
  w.t.ne[1] = N;
  w.t.data = w.bytes.data();
  w.t.row_bytes = rb;
  return w;
}

}  // namespace ondo::core::testing
