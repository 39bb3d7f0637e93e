// convert_rows / convert_rows_weighted cut a tensor into slices of rows, one run() each (each
// a point where a Background caller yields to serving work); the bytes equal converting every
// row on its own, for tensors of one slice and of several with a ragged last one. Layer: model (tests).
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "ondo/core/dtype.h"
#include "ondo/core/quant/weighted.h"
#include "ondo/core/thread_pool.h"
#include "ondo/model/quantize/quantize.h"

namespace ondo::model::quantize {
namespace {

std::vector<float> random_rows(int64_t n_rows, int64_t n_per_row) {
  std::mt19937 rng(7);
  std::normal_distribution<float> d(0.0f, 1.0f);
  std::vector<float> x(size_t(n_rows * n_per_row));
  for (float& v : x) v = d(rng);
  return x;
}

// The whole tensor at once on 3 threads against row by row on 1 thread.
void expect_sliced_equals_rowwise(core::DType to, int64_t n_rows, int64_t n_per_row, const float* qw) {
  const std::vector<float> x = random_rows(n_rows, n_per_row);
  const auto* src = reinterpret_cast<const uint8_t*>(x.data());
  const size_t row = size_t(*core::row_bytes(to, n_per_row));
  std::vector<uint8_t> whole(row * size_t(n_rows)), rowwise(row * size_t(n_rows));
  core::ThreadPool three(3), one(1);
  if (qw) {
    convert_rows_weighted(three, core::DType::F32, src, to, whole.data(), n_rows, n_per_row, qw);
  } else {
    convert_rows(three, core::DType::F32, src, to, whole.data(), n_rows, n_per_row);
  }
  for (int64_t r = 0; r < n_rows; ++r) {
    const uint8_t* s = src + size_t(r * n_per_row) * sizeof(float);
    uint8_t* d = rowwise.data() + size_t(r) * row;
    if (qw) {
      convert_rows_weighted(one, core::DType::F32, s, to, d, 1, n_per_row, qw);
    } else {
      convert_rows(one, core::DType::F32, s, to, d, 1, n_per_row);
    }
  }
  EXPECT_EQ(whole, rowwise) << core::dtype_info(to).name << " " << n_rows << " x " << n_per_row;
}

TEST(ConvertRows, SlicesOfRowsGiveTheBytesOfRowByRow) {
  // 2^18 values per slice: 1100 x 512 is 3 slices (512, 512, 76 rows); 40 x 512 is one.
  for (int64_t rows : {int64_t(40), int64_t(1100)}) {
    expect_sliced_equals_rowwise(core::DType::Q8_0, rows, 512, nullptr);
    expect_sliced_equals_rowwise(core::DType::Q4_K, rows, 512, nullptr);
  }
}

TEST(ConvertRows, WeightedSlicesGiveTheBytesOfRowByRow) {
  ASSERT_TRUE(core::quant::has_weighted_quantizer(core::DType::Q4_K));
  std::vector<float> qw(512);
  for (size_t i = 0; i < qw.size(); ++i) qw[i] = 0.5f + float(i % 7);
  expect_sliced_equals_rowwise(core::DType::Q4_K, 1100, 512, qw.data());
}

}  // namespace
}  // namespace ondo::model::quantize
