// Scalar element-wise and row kernels (the forward pass's non-matmul work). Layer: core.
#include "ondo/core/kernels/ops.h"

#include <array>
#include <cmath>

#include "ondo/core/fp16.h"

namespace ondo::core {

void rms_norm(const float* x, const float* w, float eps, int64_t n, float* y) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += double(x[i]) * double(x[i]);
  const float mean = float(sum / double(n));
  const float scale = 1.0f / std::sqrt(mean + eps);
  if (w) {
    for (int64_t i = 0; i < n; ++i) y[i] = (x[i] * scale) * w[i];
  } else {
    for (int64_t i = 0; i < n; ++i) y[i] = x[i] * scale;
  }
}

void rope(float* x, int n_heads, int head_dim, int32_t pos, const RopeParams& p) {
  const float theta_scale = std::pow(p.freq_base, -2.0f / float(p.n_dims));
  const int half = p.n_dims / 2;
  // cos/sin per pair, shared by every head
  float cs[512], sn[512];
  float theta = float(pos);
  for (int i = 0; i < half && i < 512; ++i) {
    const float ff = p.freq_factors ? p.freq_factors[i] : 1.0f;
    const float t = theta / ff;
    cs[i] = std::cos(t);
    sn[i] = std::sin(t);
    theta *= theta_scale;
  }
  for (int h = 0; h < n_heads; ++h) {
    float* v = x + int64_t(h) * head_dim;
    for (int i = 0; i < half; ++i) {
      const int a = p.style == RopeStyle::Normal ? 2 * i : i;
      const int b = p.style == RopeStyle::Normal ? 2 * i + 1 : i + half;
      const float x0 = v[a], x1 = v[b];
      v[a] = x0 * cs[i] - x1 * sn[i];
      v[b] = x0 * sn[i] + x1 * cs[i];
    }
  }
}

void softmax(float* x, int64_t n) {
  float mx = -INFINITY;
  for (int64_t i = 0; i < n; ++i) mx = x[i] > mx ? x[i] : mx;
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const float e = std::exp(x[i] - mx);
    x[i] = e;
    sum += double(e);
  }
  const float inv = float(1.0 / sum);
  for (int64_t i = 0; i < n; ++i) x[i] *= inv;
}

void swiglu(const float* g, const float* u, int64_t n, float* y) {
  for (int64_t i = 0; i < n; ++i) {
    const float v = g[i];
    y[i] = (v / (1.0f + std::exp(-v))) * u[i];
  }
}

void add_inplace(float* y, const float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] += x[i];
}

void layer_norm(const float* x, const float* w, const float* b, float eps, int64_t n, float* y) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += double(x[i]);
  const float mean = float(sum / double(n));
  double sum2 = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i] - mean;
    y[i] = v;
    sum2 += double(v * v);
  }
  const float variance = float(sum2 / double(n));
  const float scale = 1.0f / std::sqrt(variance + eps);
  for (int64_t i = 0; i < n; ++i) {
    float v = y[i] * scale;
    if (w) v *= w[i];
    if (b) v += b[i];
    y[i] = v;
  }
}

float gelu_tanh_exact(float x) {
  constexpr float kSqrt2OverPi = 0.79788456080286535587989211986876f;
  constexpr float kCoefA = 0.044715f;
  return 0.5f * x * (1.0f + std::tanh(kSqrt2OverPi * x * (1.0f + kCoefA * x * x)));
}

namespace {

// fp16(gelu(fp16 value i)) for every fp16 bit pattern i, built once (thread-safe static).
const std::array<uint16_t, 65536>& gelu_table() {
  static const std::array<uint16_t, 65536> table = [] {
    std::array<uint16_t, 65536> t{};
    for (uint32_t i = 0; i < 65536; ++i) t[i] = f32_to_fp16(gelu_tanh_exact(fp16_to_f32(uint16_t(i))));
    return t;
  }();
  return table;
}

}  // namespace

void gelu(const float* x, int64_t n, float* y) {
  const std::array<uint16_t, 65536>& table = gelu_table();
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    if (v <= -10.0f) y[i] = 0.0f;
    else if (v >= 10.0f) y[i] = v;
    else y[i] = fp16_to_f32(table[f32_to_fp16(v)]);
  }
}

void l2_normalize(float* x, int64_t n) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += double(x[i] * x[i]);
  if (sum <= 0.0) return;
  const float norm = float(1.0 / std::sqrt(sum));
  for (int64_t i = 0; i < n; ++i) x[i] *= norm;
}

}  // namespace ondo::core
