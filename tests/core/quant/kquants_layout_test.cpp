// Hand-built Q2_K..Q6_K blocks checked against the GGUF layouts documented in q2_K.cpp ..
// q6_K.cpp: each expected value is worked out by hand from the bit positions, and checked
// at every SIMD level this CPU runs. Layer: core (tests).
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "ondo/core/dtype.h"
#include "ondo/core/kernels/dispatch.h"
#include "ondo/core/quant/blocks.h"

namespace ondo::core {
namespace {

using kernels::SimdLevel;

constexpr uint16_t kHalf1 = 0x3C00, kHalfHalf = 0x3800, kHalfQuarter = 0x3400;  // 1, 0.5, 0.25

struct Want { int index; float value; };

template <class Block>
void expect_values(DType t, const Block& b, std::initializer_list<Want> wants) {
  for (SimdLevel level : {SimdLevel::Scalar, SimdLevel::Avx2, SimdLevel::Avx512}) {
    if (!kernels::level_supported(level)) continue;
    std::vector<float> out(kQK_K);
    kernels::ops_at_level(t, level).to_float(&b, out.data(), kQK_K);
    for (const Want& w : wants) {
      EXPECT_EQ(out[size_t(w.index)], w.value)
          << dtype_name(t) << " element " << w.index << " level " << int(level);
    }
  }
}

TEST(KQuantLayout, Q2K) {
  BlockQ2_K b;
  std::memset(&b, 0, sizeof(b));
  b.d = kHalfHalf;
  b.dmin = kHalfQuarter;
  b.scales[5] = 3 | (2 << 4);   // sub-block 5: scale 3, min 2
  b.qs[23] = 2 << 4;            // element 87 = 32*2 + 23: bits 4-5 of qs[23]
  b.scales[14] = 1 | (1 << 4);  // sub-block 14: scale 1, min 1
  b.qs[32 + 5] = 3 << 6;        // element 229 = 128 + 32*3 + 5: bits 6-7 of qs[37]
  expect_values(DType::Q2_K, b, {{87, 0.5f * 3 * 2 - 0.25f * 2}, {86, -0.5f},
                                 {229, 0.5f * 1 * 3 - 0.25f}, {0, 0.f}});
}

TEST(KQuantLayout, Q3K) {
  BlockQ3_K b;
  std::memset(&b, 0, sizeof(b));
  b.d = kHalfHalf;
  // sub-block 13: signed scale 5 -> biased 37 = 0b10'0101: low nibble 5 in the high nibble of
  // scales[5], high bits 2 in bits 6-7 of scales[8 + 13 % 4]
  b.scales[5] = 5 << 4;
  b.scales[9] = 2 << 6;
  // element 210 = 128 + 32*2 + 18: low bits 4-5 of qs[32 + 18], high bit 210/32 = 6 of hmask[18]
  b.qs[50] = 1 << 4;
  b.hmask[18] = 1 << 6;
  // element 211: low 1, high bit clear -> 1 - 4
  b.qs[51] = 1 << 4;
  // sub-block 0 keeps biased scale 0 (= -32) and level 0 - 4
  expect_values(DType::Q3_K, b, {{210, 0.5f * 5 * 1}, {211, 0.5f * 5 * -3},
                                 {208, 0.5f * 5 * -4}, {3, 0.5f * -32 * -4}});
}

// Q4_K/Q5_K scales shared by both tests.
template <class Block>
void set_k4_scales(Block& b) {
  // sub-block 6: sc 37 = 0b10'0101, m 18 = 0b01'0010
  b.scales[10] = 5 | (2 << 4);           // low nibbles of sc6 and m6
  b.scales[2] = uint8_t(2 << 6);         // high bits of sc6 (bits 6-7 of scales[6 - 4])
  b.scales[6] = uint8_t(1 << 6);         // high bits of m6 (bits 6-7 of scales[6])
  // sub-block 7: sc 1, m 2
  b.scales[11] = 1 | (2 << 4);
  // sub-block 1: sc 7 (scales[1] & 63), m 3 (scales[5] & 63); bit 6 of scales[1] is sc5's
  b.scales[1] = 7 | (1 << 6);
  b.scales[5] = 3;
}

TEST(KQuantLayout, Q4K) {
  BlockQ4_K b;
  std::memset(&b, 0, sizeof(b));
  b.d = kHalf1;
  b.dmin = kHalfHalf;
  set_k4_scales(b);
  b.qs[96 + 8] = 9;      // element 200 = 64*3 + 8: low nibble of qs[104] (sub-block 6)
  b.qs[96 + 6] = 0xF0;   // element 230 = 64*3 + 32 + 6: high nibble of qs[102] (sub-block 7)
  b.qs[8] = 4 << 4;      // element 40 = 32 + 8: high nibble of qs[8] (sub-block 1)
  b.qs[64] = 2 << 4;     // element 160 = 64*2 + 32: high nibble of qs[64] (sub-block 5)
  expect_values(DType::Q4_K, b, {{200, 37.f * 9 - 0.5f * 18}, {230, 15.f - 0.5f * 2},
                                 {40, 7.f * 4 - 0.5f * 3}, {41, -0.5f * 3},
                                 {160, 16.f * 2}});  // sub-block 5: sc 16 from bit 6 of scales[1]
}

TEST(KQuantLayout, Q5K) {
  BlockQ5_K b;
  std::memset(&b, 0, sizeof(b));
  b.d = kHalf1;
  b.dmin = kHalfHalf;
  set_k4_scales(b);
  b.qs[96 + 8] = 9;
  b.qs[8] = 4 << 4;
  b.qh[8] = (1 << 6) | (1 << 1);  // 5th bits of element 200 (bit 200/32 = 6), 40 (bit 1)
  expect_values(DType::Q5_K, b, {{200, 37.f * 25 - 0.5f * 18}, {40, 7.f * 20 - 0.5f * 3},
                                 {8, 0.f}});
}

TEST(KQuantLayout, Q6K) {
  BlockQ6_K b;
  std::memset(&b, 0, sizeof(b));
  b.d = kHalfQuarter;
  b.scales[11] = -3;
  b.scales[15] = 100;
  // element 180 = 128 + 32*1 + 20: low nibble of ql[64 + 32 + 20], bits 2-3 of qh[32 + 20]
  b.ql[116] = 0xA;
  b.qh[52] = 2 << 2;
  // element 245 = 128 + 32*3 + 21: high nibble of ql[64 + 32 + 21], bits 6-7 of qh[32 + 21]
  b.ql[117] = 0x30;
  b.qh[53] = 1 << 6;
  expect_values(DType::Q6_K, b, {{180, 0.25f * -3 * 10}, {245, 0.25f * 100 * -13},
                                 {181, 0.25f * -3 * -32}, {0, 0.f}});
}

}  // namespace
}  // namespace ondo::core
