// Forward and backward passes of each operation of a llama decoder, written by hand for
// training (no autograd). Layer: train. Shapes use STYLE's vocabulary: T tokens of a batch
// (B sequences of S positions, T = B*S), C width, H/Hkv heads, D head size, F ffn, V vocab.
// Backward functions ADD into parameter gradients (dW, dw) and either set or add into the
// input gradient as stated. Thread contract: each call runs on `pool` and returns when done.
#pragma once

#include <cstdint>
#include <vector>

#include "ondo/core/thread_pool.h"

namespace ondo::train {

// Reused temporaries of linear_backward (transposed operands), grown on first use.
struct LinearScratch {
  std::vector<float> a, b, c;
};

// y[T][N] = x[T][K] W[N][K]^T.
void linear_forward(const float* x, const float* w, int64_t T, int64_t K, int64_t N, float* y, core::ThreadPool& pool);
// dx[T][K] (+)= dy[T][N] W (added when `accumulate_dx`; dx may be null: skipped);
// dW[N][K] += dy^T x.
void linear_backward(const float* x, const float* w, const float* dy, int64_t T, int64_t K, int64_t N, float* dx,
                     bool accumulate_dx, float* dw, LinearScratch& s, core::ThreadPool& pool);

// y[t] = x[t] * r[t] * w, r[t] = 1/sqrt(mean(x[t]^2) + eps) (sum of squares in double, as
// core::rms_norm); stores r[t] in rstd[T] for the backward pass.
void rms_norm_forward(const float* x, const float* w, float eps, int64_t T, int64_t C, float* y, float* rstd);
// dx[t] (+)= r (dy*w) - x r^3/C sum(dy*w*x); dw += sum_t dy*x*r. dx added when `accumulate_dx`.
void rms_norm_backward(const float* x, const float* w, const float* rstd, const float* dy, int64_t T, int64_t C,
                       float* dx, bool accumulate_dx, float* dw);

// RoPE in place, "normal" style (pairs 2i, 2i+1) as core::rope: token t of x ([T][n_heads*D])
// sits at position pos[t]. The backward pass is the inverse rotation (position -pos).
void rope_forward(float* x, int64_t T, int n_heads, int D, const int32_t* pos, float base);
void rope_backward(float* dx, int64_t T, int n_heads, int D, const int32_t* pos, float base);

// Causal self-attention within each of B sequences of S tokens: q [T][H*D], k/v [T][Hkv*D]
// (head h reads kv head h / (H/Hkv)); probs [B][H][S][S] (row i holds softmax over j <= i,
// zeros above); out [T][H*D].
struct AttnShape {
  int64_t B, S;
  int H, Hkv, D;
};
void attention_forward(const float* q, const float* k, const float* v, const AttnShape& a, float* probs, float* out,
                       core::ThreadPool& pool);
// Sets dq, dk, dv from dout (probs from the forward pass). `dp` is scratch of [nth][S] floats.
void attention_backward(const float* q, const float* k, const float* v, const float* probs, const float* dout,
                        const AttnShape& a, float* dq, float* dk, float* dv, std::vector<float>& dp,
                        core::ThreadPool& pool);

// h[i] = silu(g[i]) * u[i]; backward sets dg, du.
void swiglu_forward(const float* g, const float* u, int64_t n, float* h);
void swiglu_backward(const float* g, const float* u, const float* dh, int64_t n, float* dg, float* du);

// x[t] = E[tok[t]] (E [V][C]); backward: dE[tok[t]] += dx[t].
void embedding_forward(const float* E, const int32_t* tok, int64_t T, int64_t C, float* x);
void embedding_backward(const float* dx, const int32_t* tok, int64_t T, int64_t C, float* dE);

// Mean cross-entropy over tokens with mask[t] != 0: loss = -1/n sum log softmax(logits[t])[target[t]].
// Replaces logits [T][V] by dloss/dlogits (zero rows where the mask is 0). Returns the loss
// (0 when no token counts) and the count in *n_counted. Runs the rows on the pool.
double cross_entropy(float* logits, const int32_t* target, const uint8_t* mask, int64_t T, int64_t V,
                     int64_t* n_counted, core::ThreadPool& pool);
// The loss only, logits untouched (evaluation).
double cross_entropy_loss(const float* logits, const int32_t* target, const uint8_t* mask, int64_t T, int64_t V,
                          int64_t* n_counted);

}  // namespace ondo::train
