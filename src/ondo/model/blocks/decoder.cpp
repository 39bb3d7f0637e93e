// The forward pass of a llama-style decoder (llama, qwen2): embeddings, then per layer
// RMSNorm -> Q/K/V (+bias) -> RoPE -> causal GQA attention over the KV store -> output
// projection + residual -> RMSNorm -> SwiGLU FFN + residual; final RMSNorm -> logits.
// Layer: model. Architecture differences come from the registry row (ArchSpec), not switches.
#include <algorithm>
#include <cmath>
#include <string>

#include "ondo/core/kernels/attention.h"
#include "ondo/core/kernels/matmul.h"
#include "ondo/core/kernels/ops.h"
#include "ondo/model/model.h"

namespace ondo::model {

ForwardScratch::ForwardScratch(const HParams& hp, int32_t max_tokens_, int32_t n_ctx_, int n_threads)
    : max_tokens(max_tokens_), n_ctx(n_ctx_) {
  const size_t T = size_t(max_tokens_);
  x.resize(T * size_t(hp.n_embd));
  xn.resize(T * size_t(hp.n_embd));
  q.resize(T * size_t(hp.q_dim()));
  k.resize(T * size_t(hp.kv_dim()));
  v.resize(T * size_t(hp.kv_dim()));
  attn.resize(T * size_t(hp.q_dim()));
  gate.resize(T * size_t(hp.n_ff));
  up.resize(T * size_t(hp.n_ff));
  proj.resize(T * size_t(hp.n_embd));
  scores.resize(size_t(n_threads) * size_t(n_ctx_));
  out_rows.reserve(T);
}

namespace {

// Causal attention of every (token, head) pair of the batch over its sequence's KV slot.
// q: [T][H*D] (already rotated); out: [T][H*D].
void attention(std::span<const BatchToken> batch, const HParams& hp, const KvStore& kv, int32_t layer,
               ForwardScratch& s, core::ThreadPool& pool) {
  const int64_t T = int64_t(batch.size());
  const int H = hp.n_head, D = hp.head_dim, group = hp.n_head / hp.n_head_kv;
  const float scale = 1.0f / std::sqrt(float(D));
  const core::AttendFn attend = core::best_attend();
  pool.run([&](int ith, int nth) {
    float* sc = s.scores.data() + size_t(ith) * size_t(s.n_ctx);
    int64_t i0, i1;
    core::split_range(T * H, ith, nth, &i0, &i1);
    for (int64_t i = i0; i < i1; ++i) {
      const int64_t t = i / H;
      const int h = int(i % H), hkv = h / group;
      const BatchToken& bt = batch[size_t(t)];
      const float* kbase = kv.k + kv.offset(layer, bt.seq, 0) + size_t(hkv) * size_t(D);
      const float* vbase = kv.v + kv.offset(layer, bt.seq, 0) + size_t(hkv) * size_t(D);
      attend(s.q.data() + t * hp.q_dim() + int64_t(h) * D, kbase, vbase, kv.kv_dim, bt.pos + 1, D, scale, sc,
             s.attn.data() + t * hp.q_dim() + int64_t(h) * D);
    }
  });
}

// Runs fn(t0, t1) over the rows [0, T) split across the pool; small batches run inline,
// where waking the workers would cost more than the work. Each row's result is the same
// either way (row-local operations only).
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

void add_bias(float* y, const core::Tensor& b, int64_t T, int64_t n) {
  if (!b.valid()) return;
  const float* bias = static_cast<const float*>(b.data);
  for (int64_t t = 0; t < T; ++t) core::add_inplace(y + t * n, bias, n);
}

Status validate(std::span<const BatchToken> batch, const HParams& hp, const KvStore& kv, const ForwardScratch& s) {
  if (batch.empty()) return make_error(ErrorCode::InvalidArgument, "forward: empty batch");
  if (int64_t(batch.size()) > s.max_tokens) {
    return make_error(ErrorCode::InvalidArgument, "forward: batch of " + std::to_string(batch.size()) +
                                                      " tokens exceeds the scratch size " + std::to_string(s.max_tokens));
  }
  if (kv.n_layer != hp.n_layer || kv.kv_dim != hp.kv_dim()) {
    return make_error(ErrorCode::InvalidArgument, "forward: KV store shape does not match the model");
  }
  for (const BatchToken& t : batch) {
    if (t.token < 0 || t.token >= hp.n_vocab) {
      return make_error(ErrorCode::InvalidArgument, "forward: token id " + std::to_string(t.token) +
                                                        " is out of range (vocabulary " + std::to_string(hp.n_vocab) + ")");
    }
    if (t.pos < 0 || t.pos >= kv.n_ctx || t.pos >= s.n_ctx) {
      return make_error(ErrorCode::InvalidArgument, "forward: position " + std::to_string(t.pos) +
                                                        " is outside the context of " + std::to_string(kv.n_ctx));
    }
    if (t.seq < 0 || t.seq >= kv.n_seq) {
      return make_error(ErrorCode::InvalidArgument, "forward: sequence slot " + std::to_string(t.seq) + " does not exist");
    }
  }
  return ok_status();
}

}  // namespace

Status Model::forward(std::span<const BatchToken> batch, KvStore& kv, ForwardScratch& s,
                      core::ThreadPool& pool, float* logits) const {
  ONDO_TRY(validate(batch, hp_, kv, s));
  const int64_t T = int64_t(batch.size());
  const int64_t C = hp_.n_embd, QD = hp_.q_dim(), KVD = hp_.kv_dim(), F = hp_.n_ff;
  core::RopeParams rope{hp_.rope_style, hp_.rope_dims, hp_.rope_base,
                        w_.rope_freqs.valid() ? static_cast<const float*>(w_.rope_freqs.data) : nullptr};

  // x[t] = token_embd[token_t]
  for (int64_t t = 0; t < T; ++t) core::get_row(w_.token_embd, batch[size_t(t)].token, s.x.data() + t * C);

  for (int32_t l = 0; l < hp_.n_layer; ++l) {
    const LayerWeights& L = w_.layers[size_t(l)];
    // xn = rms_norm(x) * attn_norm
    for_rows(pool, T, C, [&](int64_t t0, int64_t t1) {
      for (int64_t t = t0; t < t1; ++t) {
        core::rms_norm(s.x.data() + t * C, static_cast<const float*>(L.attn_norm.data), hp_.rms_eps, C, s.xn.data() + t * C);
      }
    });
    // q = xn Wq^T (+bq), k = xn Wk^T (+bk), v = xn Wv^T (+bv)
    const core::MatmulOutput qkv[] = {{&L.wq, s.q.data(), QD}, {&L.wk, s.k.data(), KVD}, {&L.wv, s.v.data(), KVD}};
    core::matmul_many(qkv, s.xn.data(), T, s.mm, pool);
    add_bias(s.q.data(), L.bq, T, QD);
    add_bias(s.k.data(), L.bk, T, KVD);
    add_bias(s.v.data(), L.bv, T, KVD);
    // RoPE on q and k at each token's position; store k, v in the KV slot
    for_rows(pool, T, QD + KVD, [&](int64_t t0, int64_t t1) {
      for (int64_t t = t0; t < t1; ++t) {
        const BatchToken& bt = batch[size_t(t)];
        core::rope(s.q.data() + t * QD, hp_.n_head, hp_.head_dim, bt.pos, rope);
        core::rope(s.k.data() + t * KVD, hp_.n_head_kv, hp_.head_dim, bt.pos, rope);
        const size_t off = kv.offset(l, bt.seq, bt.pos);
        std::copy_n(s.k.data() + t * KVD, KVD, kv.k + off);
        std::copy_n(s.v.data() + t * KVD, KVD, kv.v + off);
      }
    });
    // attn = softmax(q k^T / sqrt(D)) v, causal, per head (GQA: head h reads kv head h/group)
    attention(batch, hp_, kv, l, s, pool);
    // x += attn Wo^T
    core::matmul(L.wo, s.attn.data(), T, s.proj.data(), C, s.mm, pool);
    // xn = rms_norm(x) * ffn_norm; x += (silu(xn Wg^T) * (xn Wu^T)) Wd^T
    for_rows(pool, T, C, [&](int64_t t0, int64_t t1) {
      core::add_inplace(s.x.data() + t0 * C, s.proj.data() + t0 * C, (t1 - t0) * C);
      for (int64_t t = t0; t < t1; ++t) {
        core::rms_norm(s.x.data() + t * C, static_cast<const float*>(L.ffn_norm.data), hp_.rms_eps, C, s.xn.data() + t * C);
      }
    });
    const core::MatmulOutput gate_up[] = {{&L.w_gate, s.gate.data(), F}, {&L.w_up, s.up.data(), F}};
    core::matmul_many(gate_up, s.xn.data(), T, s.mm, pool);
    for_rows(pool, T, F * 8, [&](int64_t t0, int64_t t1) {
      core::swiglu(s.gate.data() + t0 * F, s.up.data() + t0 * F, (t1 - t0) * F, s.gate.data() + t0 * F);
    });
    core::matmul(L.w_down, s.gate.data(), T, s.proj.data(), C, s.mm, pool);
    for_rows(pool, T, C, [&](int64_t t0, int64_t t1) {
      core::add_inplace(s.x.data() + t0 * C, s.proj.data() + t0 * C, (t1 - t0) * C);
    });
  }

  // logits for the rows that want them: output(rms_norm(x) * output_norm)
  s.out_rows.clear();
  for (int64_t t = 0; t < T; ++t) {
    if (batch[size_t(t)].logits) s.out_rows.push_back(int32_t(t));
  }
  if (s.out_rows.empty()) return ok_status();
  const int64_t R = int64_t(s.out_rows.size());
  for (int64_t r = 0; r < R; ++r) {
    core::rms_norm(s.x.data() + int64_t(s.out_rows[size_t(r)]) * C, static_cast<const float*>(w_.output_norm.data),
                   hp_.rms_eps, C, s.xn.data() + r * C);
  }
  core::matmul(w_.output, s.xn.data(), R, logits, hp_.n_vocab, s.mm, pool);
  return ok_status();
}

}  // namespace ondo::model
