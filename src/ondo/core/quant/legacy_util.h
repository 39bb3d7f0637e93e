// Shared helpers of the legacy quant references (Q4_0..Q8_1): x86 conversion semantics
// and the non-finite policy. Layer: core. Private to core/quant and core/kernels.
// Must not touch anything above core.
#pragma once

#include <cmath>
#include <cstdint>

namespace ondo::core::quant {

// NaN policy of every legacy quantizer (weights and activations): a block holding a NaN
// or an infinity stores d = NaN (and m = NaN / s = NaN where the block has them) with all
// quants 0, so the dot products and dequantized values it touches become NaN instead of
// silently finite garbage. llama.cpp leaves such blocks unspecified (and its file loader
// rejects them), so this changes no result on finite data.
inline constexpr uint16_t kFp16NaN = 0x7e00;

inline bool block_is_finite(const float* x, int n) {
  bool ok = true;
  for (int i = 0; i < n; ++i) ok &= std::fabs(x[i]) <= 3.40282347e+38f;  // false for NaN too
  return ok;
}

// cvtps2dq (round to nearest, ties to even): out of int32 range or NaN gives INT32_MIN,
// the "integer indefinite" value the x86 instruction returns.
inline int32_t x86_cvt_round(float v) {
  if (!(std::fabs(v) < 2147483648.0f)) return INT32_MIN;
  return static_cast<int32_t>(std::nearbyint(v));  // default rounding mode: ties to even
}

// cvttss2si (truncate toward zero) with the same out-of-range rule. GCC on x86-64 turns
// a float -> int8_t/uint8_t cast into this 32-bit conversion followed by taking the low byte,
// which is what llama.cpp's reference quantizers get on the machines they run on.
inline int32_t x86_cvt_trunc(float v) {
  if (!(std::fabs(v) < 2147483648.0f)) return INT32_MIN;
  return static_cast<int32_t>(v);
}

// Saturation of packs_epi32 followed by packs_epi16: clamp to [-128, 127].
inline int8_t sat_i8(int32_t v) { return static_cast<int8_t>(v < -128 ? -128 : (v > 127 ? 127 : v)); }

}  // namespace ondo::core::quant
