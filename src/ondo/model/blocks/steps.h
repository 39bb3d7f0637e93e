// The row steps transformer passes are written from: embedding lookup, norms, biases,
// residual adds, RoPE + KV store, causal attention over the KV store, SwiGLU. Each says the
// shape of its buffers; each row's result does not depend on how rows are split over the
// pool (row-local), so passes stay batch-invariant. Layer: model.
#pragma once

#include <cstdint>
#include <span>

#include "ondo/core/kernels/ops.h"
#include "ondo/core/prepared_tensor.h"
#include "ondo/core/tensor.h"
#include "ondo/core/thread_pool.h"
#include "ondo/model/batch.h"
#include "ondo/model/forward_scratch.h"
#include "ondo/model/hparams.h"

namespace ondo::model::blocks {

// Runs fn(t0, t1) over the rows [0, T) split across the pool; small batches run inline,
// where waking the workers would cost more than the work.
template <class Fn>
void for_rows(core::ThreadPool& pool, int64_t T, int64_t row_cost, Fn&& fn) {
  if (T * row_cost < (int64_t(1) << 16) || pool.size() == 1) {
    fn(int64_t(0), T);
    return;
  }
  pool.run([&](int ith, int nth) {
    int64_t t0, t1;
    core::split_range(T, ith, nth, &t0, &t1);
    if (t0 < t1) fn(t0, t1);
  });
}

// x [T][C] = rows of the embedding matrix for the batch's tokens.
void embed(const core::PreparedTensor& token_embd, std::span<const BatchToken> batch, int64_t C, float* x);

// y [T][C] = rms_norm(x [T][C]) * w [C].
void rms_norm_rows(core::ThreadPool& pool, const float* x, const core::Tensor& w, float eps, int64_t T, int64_t C,
                   float* y);

// x [T][C] += proj [T][C]; then y [T][C] = rms_norm(x) * w (one pass over the rows).
void residual_rms_norm(core::ThreadPool& pool, float* x, const float* proj, const core::Tensor& w, float eps,
                       int64_t T, int64_t C, float* y);

// x [T][n] += proj [T][n].
void residual(core::ThreadPool& pool, float* x, const float* proj, int64_t T, int64_t n);

// y [T][n] += b [n]; nothing when b is invalid (no bias).
void add_bias(float* y, const core::Tensor& b, int64_t T, int64_t n);

// The RoPE parameters of hp with the optional frequency divisors (Llama 3.1 rope_freqs).
core::RopeParams rope_params(const HParams& hp, const core::Tensor& rope_freqs);

// RoPE on s.q [T][H*D] and s.k [T][Hkv*D] at each token's position, then K and V rows into
// the token's KV slot of `layer`.
void rope_and_store_kv(core::ThreadPool& pool, std::span<const BatchToken> batch, const HParams& hp,
                       const core::RopeParams& rope, KvStore& kv, int32_t layer, ForwardScratch& s);

// RoPE on s.q [T][H*D] and s.k [T][Hkv*D] at each token's position (no KV store: encode
// passes of decoders attend within the batch's own K/V rows).
void rope_rows(core::ThreadPool& pool, std::span<const BatchToken> batch, const HParams& hp,
               const core::RopeParams& rope, ForwardScratch& s);

// s.attn [T][H*D] = softmax(q k^T / sqrt(D)) v per head, causal: token (seq, pos) over
// positions 0..pos of its KV slot (GQA: head h reads kv head h / (H / Hkv)).
void causal_attention(core::ThreadPool& pool, std::span<const BatchToken> batch, const HParams& hp,
                      const KvStore& kv, int32_t layer, ForwardScratch& s);

// gate [T][F] = silu(gate) * up.
void swiglu_rows(core::ThreadPool& pool, float* gate, const float* up, int64_t T, int64_t F);

// s.out_rows = the batch indices of the tokens that want logits, in batch order; returns
// their count R.
int64_t gather_logit_rows(std::span<const BatchToken> batch, ForwardScratch& s);

// s.xn [R][C] = rms_norm(s.x[out_rows[r]]) * w, for the R rows of s.out_rows.
void rms_norm_gathered(ForwardScratch& s, const core::Tensor& w, float eps, int64_t C);

}  // namespace ondo::model::blocks
