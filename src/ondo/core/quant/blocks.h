// The GGUF quantization block layouts, byte for byte (ggml's block_* structs).
// Layer: core. Half-precision fields are raw IEEE binary16 bits (see core/fp16.h).
#pragma once

#include <cstdint>

namespace ondo::core {

inline constexpr int kQK4_0 = 32;
inline constexpr int kQK4_1 = 32;
inline constexpr int kQK5_0 = 32;
inline constexpr int kQK5_1 = 32;
inline constexpr int kQK8_0 = 32;
inline constexpr int kQK8_1 = 32;
inline constexpr int kQK_K = 256;       // super-block size of the K types
inline constexpr int kKScaleSize = 12;  // packed 6-bit scales/mins of Q4_K and Q5_K

// x[i] = d * (q[i] - 8); q: 4 bits, element j in low nibble of qs[j], j+16 in high nibble.
struct BlockQ4_0 { uint16_t d; uint8_t qs[kQK4_0 / 2]; };
// x[i] = d * q[i] + m
struct BlockQ4_1 { uint16_t d; uint16_t m; uint8_t qs[kQK4_1 / 2]; };
// x[i] = d * (q[i] - 16); q: 5 bits, 5th bit of element j is bit j of qh (little-endian u32).
struct BlockQ5_0 { uint16_t d; uint8_t qh[4]; uint8_t qs[kQK5_0 / 2]; };
// x[i] = d * q[i] + m
struct BlockQ5_1 { uint16_t d; uint16_t m; uint8_t qh[4]; uint8_t qs[kQK5_1 / 2]; };
// x[i] = d * q[i]
struct BlockQ8_0 { uint16_t d; int8_t qs[kQK8_0]; };
// x[i] = d * q[i]; s = d * sum(q[i]) (activation partner of Q4_1/Q5_1)
struct BlockQ8_1 { uint16_t d; uint16_t s; int8_t qs[kQK8_1]; };

// 16 sub-blocks of 16: x = d * (scales & 0xF) * q - dmin * (scales >> 4); q: 2 bits
struct BlockQ2_K { uint8_t scales[kQK_K / 16]; uint8_t qs[kQK_K / 4]; uint16_t d; uint16_t dmin; };
// 16 sub-blocks of 16: x = d * (scale6 - 32) * (q3 - 4 * !hbit); 6-bit scales packed in 12 bytes
struct BlockQ3_K { uint8_t hmask[kQK_K / 8]; uint8_t qs[kQK_K / 4]; uint8_t scales[12]; uint16_t d; };
// 8 sub-blocks of 32: x = d * sc * q - dmin * m; 6-bit sc and m packed in 12 bytes
struct BlockQ4_K { uint16_t d; uint16_t dmin; uint8_t scales[kKScaleSize]; uint8_t qs[kQK_K / 2]; };
// as Q4_K with a 5th bit per element in qh
struct BlockQ5_K { uint16_t d; uint16_t dmin; uint8_t scales[kKScaleSize]; uint8_t qh[kQK_K / 8]; uint8_t qs[kQK_K / 2]; };
// 16 sub-blocks of 16: x = d * scales[j] * (q6 - 32); low 4 bits in ql, high 2 in qh
struct BlockQ6_K { uint8_t ql[kQK_K / 2]; uint8_t qh[kQK_K / 4]; int8_t scales[kQK_K / 16]; uint16_t d; };
// activation partner of the K types: x = d * q; bsums[j] = sum of q over elements 16j..16j+15
struct BlockQ8_K { float d; int8_t qs[kQK_K]; int16_t bsums[kQK_K / 16]; };

static_assert(sizeof(BlockQ4_0) == 18);
static_assert(sizeof(BlockQ4_1) == 20);
static_assert(sizeof(BlockQ5_0) == 22);
static_assert(sizeof(BlockQ5_1) == 24);
static_assert(sizeof(BlockQ8_0) == 34);
static_assert(sizeof(BlockQ8_1) == 36);
static_assert(sizeof(BlockQ2_K) == 84);
static_assert(sizeof(BlockQ3_K) == 110);
static_assert(sizeof(BlockQ4_K) == 144);
static_assert(sizeof(BlockQ5_K) == 176);
static_assert(sizeof(BlockQ6_K) == 210);
static_assert(sizeof(BlockQ8_K) == 292);

}  // namespace ondo::core
