// Private helpers of the K-quant reference kernels (q2_K.cpp .. q8_K.cpp): rounding, the
// packed-scale decoders and llama.cpp's scale-search quantizers. Layer: core.
// Scalar translation units only: every function here has internal linkage, so a SIMD
// unit that includes this header cannot hand its ISA-specific copy to scalar code.
#pragma once

#include <cstdint>
#include <cstring>

namespace ondo::core::quant::kq {

// Round to nearest, ties to even, for |v| <= 4194303 (2^22 - 1). Same trick as ggml's
// nearest_int: adding 1.5 * 2^23 puts the integer part in the low mantissa bits, and
// the float addition does the rounding. NaN maps to 0.
static inline int nearest_int(float v) {
  const float biased = v + 12582912.f;
  int32_t bits;
  std::memcpy(&bits, &biased, sizeof(bits));
  return (bits & 0x007fffff) - 0x00400000;
}

// Q4_K/Q5_K 12-byte scale block: 8 six-bit scales sc[j] and 8 six-bit mins m[j].
//   j < 4:  sc = s[j] & 63,                          m = s[j+4] & 63
//   j >= 4: sc = (s[j+4] & 0xF) | (s[j-4] >> 6) << 4,  m = (s[j+4] >> 4) | (s[j] >> 6) << 4
static inline void scale_min_k4(int j, const uint8_t* s, uint8_t* sc, uint8_t* m) {
  if (j < 4) {
    *sc = s[j] & 63;
    *m = s[j + 4] & 63;
  } else {
    *sc = uint8_t((s[j + 4] & 0xF) | ((s[j - 4] >> 6) << 4));
    *m = uint8_t((s[j + 4] >> 4) | ((s[j] >> 6) << 4));
  }
}

// Q3_K 12-byte scale block: 16 six-bit scales, stored biased by 32.
//   low 4 bits of scale j:  j < 8 ? s[j] & 0xF : s[j-8] >> 4
//   high 2 bits of scale j: (s[8 + j%4] >> (2*(j/4))) & 3
// Writes the signed scales (value - 32, in [-32, 31]).
static inline void unpack_q3_scales(const uint8_t* s, int8_t out[16]) {
  for (int j = 0; j < 16; ++j) {
    const int lo = j < 8 ? (s[j] & 0xF) : (s[j - 8] >> 4);
    const int hi = (s[8 + j % 4] >> (2 * (j / 4))) & 3;
    out[j] = int8_t((lo | (hi << 4)) - 32);
  }
}

// Packs signed Q3_K scale code l (already biased: 0..63) of sub-block j into s (zeroed first).
static inline void pack_q3_scale(int j, int l, uint8_t* s) {
  if (j < 8) {
    s[j] = uint8_t(s[j] | (l & 0xF));
  } else {
    s[j - 8] = uint8_t(s[j - 8] | ((l & 0xF) << 4));
  }
  s[8 + j % 4] = uint8_t(s[8 + j % 4] | ((l >> 4) << (2 * (j / 4))));
}

// Packs 6-bit scale ls and min lm of sub-block j into a Q4_K/Q5_K scale block (zeroed first
// for j >= 4's shared high bits; j < 4 is written before j >= 4).
static inline void pack_scale_min_k4(int j, uint8_t ls, uint8_t lm, uint8_t* s) {
  if (j < 4) {
    s[j] = ls;
    s[j + 4] = lm;
  } else {
    s[j + 4] = uint8_t((ls & 0xF) | ((lm & 0xF) << 4));
    s[j - 4] = uint8_t(s[j - 4] | ((ls >> 4) << 6));
    s[j] = uint8_t(s[j] | ((lm >> 4) << 6));
  }
}

// llama.cpp's scale searches (ggml-quants.c, the reference quantizers without an importance
// matrix). Each writes quant levels L[0..n) and returns the scale; see kquant_util.cpp.

// Symmetric: x ~ scale * (L - nmax), L in [0, 2*nmax). rmse_type 1 weights errors by x^2.
float make_qx_quants(int n, int nmax, const float* x, int8_t* L, int rmse_type);
// Symmetric for Q3_K: iterative refinement of single levels; L in [0, 2*nmax).
float make_q3_quants(int n, int nmax, const float* x, int8_t* L, bool do_rmse);
// Affine: x ~ scale * L - the_min, L in [0, nmax]; weighted search over nstep+1 scales.
float make_qkx2_quants(int n, int nmax, const float* x, const float* weights, uint8_t* L,
                       float* the_min, uint8_t* Laux, float rmin, float rdelta, int nstep,
                       bool use_mad);

// The importance-weighted variants llama.cpp uses when quantizing with an imatrix
// (kquant_weighted.cpp). `qw` holds one weight per element of x.

// make_qx_quants with the caller's weights in place of x^2: L in [0, 2*nmax).
float make_qx_quants_weighted(int n, int nmax, const float* x, int8_t* L, const float* qw);
// Non-negative x (sub-block scales or mins) ~ scale * L, L in [0, nmax], minimising the
// qw-weighted squared error: 8 trial scales, then up to 5 passes of single-level moves.
float make_qp_quants(int n, int nmax, const float* x, uint8_t* L, const float* qw);

}  // namespace ondo::core::quant::kq
