// Known-block tests of the legacy quant references (Q4_0..Q8_1, F16, BF16): hand-built
// blocks decoded from the documented bit layout, exact quantizations of representable
// grids, and the rounding rules taken from llama.cpp. Layer: core (tests).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "ondo/core/fp16.h"
#include "ondo/core/quant/blocks.h"
#include "ondo/core/quant/reference.h"

namespace ondo::core::quant {
namespace {

constexpr uint16_t kHalfOne = 0x3C00;     // 1.0
constexpr uint16_t kHalfHalf = 0x3800;    // 0.5
constexpr uint16_t kHalfMinusOne = 0xBC00;  // -1.0

TEST(LegacyLayout, Q4_0DecodesLowNibblesFirst) {
  BlockQ4_0 b{};
  b.d = kHalfOne;
  for (int j = 0; j < 16; ++j) b.qs[j] = uint8_t(j | ((15 - j) << 4));
  float out[32];
  dequantize_row_q4_0(&b, out, 32);
  for (int j = 0; j < 16; ++j) {
    EXPECT_EQ(out[j], float(j - 8)) << j;
    EXPECT_EQ(out[j + 16], float(7 - j)) << j;
  }
}

TEST(LegacyLayout, Q4_1DecodesWithMin) {
  BlockQ4_1 b{};
  b.d = kHalfHalf;
  b.m = kHalfMinusOne;
  for (int j = 0; j < 16; ++j) b.qs[j] = uint8_t(j | (3 << 4));
  float out[32];
  dequantize_row_q4_1(&b, out, 32);
  for (int j = 0; j < 16; ++j) {
    EXPECT_EQ(out[j], 0.5f * float(j) - 1.0f) << j;
    EXPECT_EQ(out[j + 16], 0.5f) << j;
  }
}

TEST(LegacyLayout, Q5_0HighBitIsLittleEndianBitK) {
  BlockQ5_0 b{};
  b.d = kHalfOne;
  // qh = 0x80000001 as little-endian bytes: element 0 and element 31 get the 5th bit
  b.qh[0] = 0x01; b.qh[1] = 0x00; b.qh[2] = 0x00; b.qh[3] = 0x80;
  for (int j = 0; j < 16; ++j) b.qs[j] = uint8_t(0x5 | (0xA << 4));
  float out[32];
  dequantize_row_q5_0(&b, out, 32);
  EXPECT_EQ(out[0], float(0x15 - 16));
  EXPECT_EQ(out[31], float(0x1A - 16));
  for (int k = 1; k < 16; ++k) EXPECT_EQ(out[k], float(0x5 - 16)) << k;
  for (int k = 16; k < 31; ++k) EXPECT_EQ(out[k], float(0xA - 16)) << k;
}

TEST(LegacyLayout, Q5_1HighBitsAndMin) {
  BlockQ5_1 b{};
  b.d = kHalfHalf;
  b.m = kHalfOne;
  b.qh[0] = 0x00; b.qh[1] = 0x01; b.qh[2] = 0x02; b.qh[3] = 0x00;  // bits 8 and 17
  std::memset(b.qs, 0, sizeof(b.qs));
  float out[32];
  dequantize_row_q5_1(&b, out, 32);
  for (int k = 0; k < 32; ++k) {
    const float want = (k == 8 || k == 17) ? 0.5f * 16.0f + 1.0f : 1.0f;
    EXPECT_EQ(out[k], want) << k;
  }
}

TEST(LegacyLayout, Q8_0AndQ8_1AreSignedBytes) {
  BlockQ8_0 a{};
  BlockQ8_1 b{};
  a.d = kHalfHalf;
  b.d = kHalfHalf;
  b.s = kHalfOne;  // ignored by dequantize
  for (int k = 0; k < 32; ++k) a.qs[k] = b.qs[k] = int8_t(k * 8 - 128);
  float oa[32], ob[32];
  dequantize_row_q8_0(&a, oa, 32);
  dequantize_row_q8_1(&b, ob, 32);
  for (int k = 0; k < 32; ++k) {
    EXPECT_EQ(oa[k], 0.5f * float(k * 8 - 128)) << k;
    EXPECT_EQ(ob[k], oa[k]) << k;
  }
}

// Values on the exact grid of a type come back unchanged, whichever sign the extreme has.
TEST(LegacyLayout, GridValuesRoundTripExactly) {
  for (float sign : {1.0f, -1.0f}) {
    float x[32];
    for (int k = 0; k < 32; ++k) x[k] = sign * 0.25f * float((k % 16) - 8);  // -2 .. 1.75
    BlockQ4_0 q4;
    quantize_row_q4_0(x, &q4, 32);
    EXPECT_EQ(fp16_to_f32(q4.d), sign * 0.25f);
    float out[32];
    dequantize_row_q4_0(&q4, out, 32);
    for (int k = 0; k < 32; ++k) EXPECT_EQ(out[k], x[k]) << k;

    for (int k = 0; k < 32; ++k) x[k] = sign * 0.5f * float(k - 16);  // -8 .. 7.5
    BlockQ5_0 q5;
    quantize_row_q5_0(x, &q5, 32);
    dequantize_row_q5_0(&q5, out, 32);
    for (int k = 0; k < 32; ++k) EXPECT_EQ(out[k], x[k]) << k;
  }
  float x[32];
  for (int k = 0; k < 32; ++k) x[k] = 1.0f + 0.5f * float(k % 16);  // min 1, step 0.5
  BlockQ4_1 q41;
  quantize_row_q4_1(x, &q41, 32);
  EXPECT_EQ(fp16_to_f32(q41.d), 0.5f);
  EXPECT_EQ(fp16_to_f32(q41.m), 1.0f);
  float out[32];
  dequantize_row_q4_1(&q41, out, 32);
  for (int k = 0; k < 32; ++k) EXPECT_EQ(out[k], x[k]) << k;
  for (int k = 0; k < 32; ++k) x[k] = -3.0f + 0.25f * float(31 - k);
  BlockQ5_1 q51;
  quantize_row_q5_1(x, &q51, 32);
  dequantize_row_q5_1(&q51, out, 32);
  for (int k = 0; k < 32; ++k) EXPECT_EQ(out[k], x[k]) << k;
}

// Q4_0 puts the signed extreme at q = 0; the opposite extreme (q would be 16) clamps to 15.
TEST(LegacyLayout, Q4_0ClampsTheOppositeExtreme) {
  float x[32] = {};
  x[0] = -4.0f;  // the extreme: d = -4 / -8 = 0.5, q = 0
  x[1] = 4.0f;   // x * id = 8 -> 16.5 -> 16 -> clamped to 15 -> 3.5
  BlockQ4_0 b;
  quantize_row_q4_0(x, &b, 32);
  EXPECT_EQ(b.qs[0] & 0x0F, 0);
  EXPECT_EQ(b.qs[1] & 0x0F, 15);
  EXPECT_EQ(b.qs[2] & 0x0F, 8);  // zero sits at the offset
}

// The activation quantizers round ties to even (x86 _mm256_round_ps); the model-file
// quantizer of Q8_0 uses roundf (ties away from zero), as llama.cpp does.
TEST(LegacyLayout, Q8ActivationRoundsTiesToEven) {
  float x[32] = {};
  x[0] = 127.0f;  // amax 127: id = 1 exactly, d = 1
  x[1] = 2.5f;
  x[2] = -2.5f;
  x[3] = 3.5f;
  BlockQ8_0 a, m;
  BlockQ8_1 b;
  quantize_row_q8_0(x, &a, 32);
  quantize_row_q8_0_model(x, &m, 32);
  quantize_row_q8_1(x, &b, 32);
  EXPECT_EQ(fp16_to_f32(a.d), 1.0f);
  EXPECT_EQ(a.qs[0], 127);
  EXPECT_EQ(a.qs[1], 2);
  EXPECT_EQ(a.qs[2], -2);
  EXPECT_EQ(a.qs[3], 4);
  EXPECT_EQ(m.qs[1], 3);
  EXPECT_EQ(m.qs[2], -3);
  EXPECT_EQ(std::memcmp(a.qs, b.qs, 32), 0);
  // s = d * sum(q) of the integers: 127 + 2 - 2 + 4
  EXPECT_EQ(fp16_to_f32(b.s), 131.0f);
}

TEST(LegacyLayout, Q8_1SumUsesFloatScale) {
  float x[32];
  for (int k = 0; k < 32; ++k) x[k] = 0.37f * float(k + 1) / 32.0f;
  BlockQ8_1 b;
  quantize_row_q8_1(x, &b, 32);
  int sum = 0;
  for (int k = 0; k < 32; ++k) sum += b.qs[k];
  const float d = 0.37f / 127.0f;  // the float scale, before its fp16 rounding
  EXPECT_EQ(b.s, f32_to_fp16(d * float(sum)));
  EXPECT_EQ(b.qs[31], 127);
}

TEST(LegacyLayout, HalfAndBfloatConversions) {
  const float in[] = {1.0f, -2.0f, 65504.0f, 65520.0f, 5.9604645e-8f, 1.0f + 1.0f / 2048.0f,
                      1.0f + 3.0f / 2048.0f, 0.0f, -0.0f};
  const uint16_t want16[] = {0x3C00, 0xC000, 0x7BFF, 0x7C00, 0x0001, 0x3C00, 0x3C02, 0x0000, 0x8000};
  uint16_t got[9];
  quantize_row_f16(in, got, 9);
  for (int i = 0; i < 9; ++i) EXPECT_EQ(got[i], want16[i]) << i;
  const float inb[] = {1.0f, 1.0f + 1.0f / 256.0f, 1.0f + 3.0f / 256.0f, -3.0f};
  const uint16_t wantb[] = {0x3F80, 0x3F80, 0x3F82, 0xC040};
  uint16_t gotb[4];
  quantize_row_bf16(inb, gotb, 4);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(gotb[i], wantb[i]) << i;
  float back[4];
  dequantize_row_bf16(gotb, back, 4);
  EXPECT_EQ(back[3], -3.0f);
}

}  // namespace
}  // namespace ondo::core::quant
