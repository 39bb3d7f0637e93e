// Hand-written forward/backward passes of the decoder's operations. Layer: train.
#include "ondo/train/ops.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "ondo/core/kernels/ops.h"
#include "ondo/train/gemm.h"

namespace ondo::train {

void linear_forward(const float* x, const float* w, int64_t T, int64_t K, int64_t N, float* y, core::ThreadPool& pool) {
  // y[t][n] = x[t] . W[n]
  gemm_nt(x, w, y, T, N, K, false, pool);
}

void linear_backward(const float* x, const float* w, const float* dy, int64_t T, int64_t K, int64_t N, float* dx,
                     bool accumulate_dx, float* dw, LinearScratch& s, core::ThreadPool& pool) {
  if (dx) {
    // dx[t][k] = sum_n dy[t][n] W[n][k] = dy[t] . Wt[k]
    s.a.resize(size_t(K * N));
    transpose(w, N, K, s.a.data());
    gemm_nt(dy, s.a.data(), dx, T, K, N, accumulate_dx, pool);
  }
  // dW[n][k] += sum_t dy[t][n] x[t][k] = dyT[n] . xT[k]
  s.b.resize(size_t(N * T));
  s.c.resize(size_t(K * T));
  transpose(dy, T, N, s.b.data());
  transpose(x, T, K, s.c.data());
  gemm_nt(s.b.data(), s.c.data(), dw, N, K, T, true, pool);
}

void rms_norm_forward(const float* x, const float* w, float eps, int64_t T, int64_t C, float* y, float* rstd) {
  for (int64_t t = 0; t < T; ++t) {
    const float* xt = x + t * C;
    double ss = 0.0;
    for (int64_t i = 0; i < C; ++i) ss += double(xt[i]) * double(xt[i]);
    const float r = 1.0f / std::sqrt(float(ss / double(C)) + eps);
    rstd[t] = r;
    float* yt = y + t * C;
    for (int64_t i = 0; i < C; ++i) yt[i] = xt[i] * r * w[i];
  }
}

void rms_norm_backward(const float* x, const float* w, const float* rstd, const float* dy, int64_t T, int64_t C,
                       float* dx, bool accumulate_dx, float* dw) {
  for (int64_t t = 0; t < T; ++t) {
    const float* xt = x + t * C;
    const float* gt = dy + t * C;
    const float r = rstd[t];
    // dot = sum_i dy_i w_i x_i
    double dot = 0.0;
    for (int64_t i = 0; i < C; ++i) dot += double(gt[i]) * double(w[i]) * double(xt[i]);
    const float c = float(dot / double(C)) * r * r * r;
    float* dt = dx + t * C;
    for (int64_t i = 0; i < C; ++i) {
      const float g = gt[i] * w[i] * r - xt[i] * c;
      dt[i] = accumulate_dx ? dt[i] + g : g;
      dw[i] += gt[i] * xt[i] * r;
    }
  }
}

void rope_forward(float* x, int64_t T, int n_heads, int D, const int32_t* pos, float base) {
  const core::RopeParams p{core::RopeStyle::Normal, D, base, nullptr};
  for (int64_t t = 0; t < T; ++t) core::rope(x + t * int64_t(n_heads) * D, n_heads, D, pos[t], p);
}

void rope_backward(float* dx, int64_t T, int n_heads, int D, const int32_t* pos, float base) {
  // The rotation is orthogonal: its transpose is the rotation by -theta, i.e. position -pos
  // (theta is pos times a product computed without pos, so negating pos negates theta exactly).
  const core::RopeParams p{core::RopeStyle::Normal, D, base, nullptr};
  for (int64_t t = 0; t < T; ++t) core::rope(dx + t * int64_t(n_heads) * D, n_heads, D, -pos[t], p);
}

void swiglu_forward(const float* g, const float* u, int64_t n, float* h) {
  for (int64_t i = 0; i < n; ++i) h[i] = g[i] / (1.0f + std::exp(-g[i])) * u[i];
}

void swiglu_backward(const float* g, const float* u, const float* dh, int64_t n, float* dg, float* du) {
  for (int64_t i = 0; i < n; ++i) {
    // silu'(g) = s + g s (1 - s), s = sigmoid(g)
    const float s = 1.0f / (1.0f + std::exp(-g[i]));
    du[i] = dh[i] * g[i] * s;
    dg[i] = dh[i] * u[i] * (s + g[i] * s * (1.0f - s));
  }
}

void embedding_forward(const float* E, const int32_t* tok, int64_t T, int64_t C, float* x) {
  for (int64_t t = 0; t < T; ++t) std::memcpy(x + t * C, E + int64_t(tok[t]) * C, size_t(C) * sizeof(float));
}

void embedding_backward(const float* dx, const int32_t* tok, int64_t T, int64_t C, float* dE) {
  for (int64_t t = 0; t < T; ++t) {
    float* row = dE + int64_t(tok[t]) * C;
    for (int64_t i = 0; i < C; ++i) row[i] += dx[t * C + i];
  }
}

namespace {

// -log softmax(row)[target] with the log-sum-exp in double.
double row_nll(const float* row, int64_t V, int32_t target, float* mx_out, double* sum_out) {
  float mx = -INFINITY;
  for (int64_t i = 0; i < V; ++i) mx = std::max(mx, row[i]);
  double sum = 0.0;
  for (int64_t i = 0; i < V; ++i) sum += std::exp(double(row[i] - mx));
  *mx_out = mx;
  *sum_out = sum;
  return std::log(sum) - double(row[target] - mx);
}

}  // namespace

double cross_entropy(float* logits, const int32_t* target, const uint8_t* mask, int64_t T, int64_t V,
                     int64_t* n_counted, core::ThreadPool& pool) {
  int64_t n = 0;
  for (int64_t t = 0; t < T; ++t) n += mask[t] != 0;
  *n_counted = n;
  std::vector<double> nll(size_t(T), 0.0);
  const float inv_n = n > 0 ? 1.0f / float(n) : 0.0f;
  pool.run([&](int ith, int nth) {
    int64_t t0, t1;
    core::split_range(T, ith, nth, &t0, &t1);
    for (int64_t t = t0; t < t1; ++t) {
      float* row = logits + t * V;
      if (!mask[t]) {
        std::fill(row, row + V, 0.0f);
        continue;
      }
      float mx;
      double sum;
      nll[size_t(t)] = row_nll(row, V, target[t], &mx, &sum);
      // dlogits = (softmax - onehot) / n
      const double inv_sum = 1.0 / sum;
      for (int64_t i = 0; i < V; ++i) row[i] = float(std::exp(double(row[i] - mx)) * inv_sum) * inv_n;
      row[target[t]] -= inv_n;
    }
  });
  double total = 0.0;
  for (double x : nll) total += x;  // fixed order: deterministic
  return n > 0 ? total / double(n) : 0.0;
}

double cross_entropy_loss(const float* logits, const int32_t* target, const uint8_t* mask, int64_t T, int64_t V,
                          int64_t* n_counted) {
  int64_t n = 0;
  double total = 0.0;
  for (int64_t t = 0; t < T; ++t) {
    if (!mask[t]) continue;
    float mx;
    double sum;
    total += row_nll(logits + t * V, V, target[t], &mx, &sum);
    ++n;
  }
  *n_counted = n;
  return n > 0 ? total / double(n) : 0.0;
}

}  // namespace ondo::train
