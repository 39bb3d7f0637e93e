// Element-wise and row kernels of the transformer forward pass. Layer: core.
// Each mirrors the arithmetic of llama.cpp's CPU op of the same name (noted per function)
// so logits agree to float rounding.
#pragma once

#include <cstdint>

namespace ondo::core {

// y[i] = x[i] / sqrt(mean(x^2) + eps) * w[i]; sum of squares accumulated in double.
// w may be null (no weight). y may alias x.
void rms_norm(const float* x, const float* w, float eps, int64_t n, float* y);

enum class RopeStyle { Normal, Neox };  // Normal: rotate pairs (2i, 2i+1); Neox: (i, i + d/2)

struct RopeParams {
  RopeStyle style = RopeStyle::Normal;
  int n_dims = 0;                     // rotated dims per head (<= head_dim)
  float freq_base = 10000.0f;
  const float* freq_factors = nullptr;  // n_dims/2 divisors of each frequency (Llama 3.1), or null
};

// Rotates `n_heads` heads of `head_dim` floats at position `pos` in place.
// theta_i = pos * base^(-2i/n_dims) / freq_factor_i, computed as llama.cpp does (iterated
// product in float).
void rope(float* x, int n_heads, int head_dim, int32_t pos, const RopeParams& p);

// x[i] = exp(x[i] - max) / sum, over n values; sum in double.
void softmax(float* x, int64_t n);

// y[i] = silu(g[i]) * u[i], silu(v) = v / (1 + exp(-v)).
void swiglu(const float* g, const float* u, int64_t n, float* y);

// y[i] += x[i]
void add_inplace(float* y, const float* x, int64_t n);

// LayerNorm as ggml_norm + ggml_mul + ggml_add: mean and variance of x summed in double,
// y[i] = (x[i] - mean) / sqrt(var + eps) * w[i] + b[i]. w and b may be null (none).
// y may alias x.
void layer_norm(const float* x, const float* w, const float* b, float eps, int64_t n, float* y);

// GELU, tanh form, as ggml's CPU backend computes it (GGML_GELU_FP16): x <= -10 gives 0,
// x >= 10 gives x; otherwise x is rounded to fp16 and looked up in a 65536-entry table of
// fp16(0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))). y may alias x.
void gelu(const float* x, int64_t n, float* y);
// The exact value the table holds for one x (0.5 x (1 + tanh(...)) in float, no rounding);
// the scalar reference the table is built from.
float gelu_tanh_exact(float x);

// Scales x to unit L2 norm in place as llama.cpp's common_embd_normalize(.., 2): sum of
// squares in double, norm = float(1 / sqrt(sum)), x[i] *= norm. An all-zero x stays zero.
void l2_normalize(float* x, int64_t n);

}  // namespace ondo::core
