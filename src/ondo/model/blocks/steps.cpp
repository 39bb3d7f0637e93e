// Row steps of transformer passes (steps.h). Layer: model.
#include "ondo/model/blocks/steps.h"

#include <algorithm>
#include <cmath>

#include "ondo/core/kernels/attention.h"
#include "ondo/core/kernels/matmul.h"

namespace ondo::model::blocks {

void embed(const core::PreparedTensor& token_embd, std::span<const BatchToken> batch, int64_t C, float* x) {
  for (size_t t = 0; t < batch.size(); ++t) core::get_row(token_embd, batch[t].token, x + int64_t(t) * C);
}

void rms_norm_rows(core::ThreadPool& pool, const float* x, const core::Tensor& w, float eps, int64_t T, int64_t C,
                   float* y) {
  const float* wd = static_cast<const float*>(w.data);
  for_rows(pool, T, C, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) core::rms_norm(x + t * C, wd, eps, C, y + t * C);
  });
}

void residual_rms_norm(core::ThreadPool& pool, float* x, const float* proj, const core::Tensor& w, float eps,
                       int64_t T, int64_t C, float* y) {
  const float* wd = static_cast<const float*>(w.data);
  for_rows(pool, T, C, [&](int64_t t0, int64_t t1) {
    core::add_inplace(x + t0 * C, proj + t0 * C, (t1 - t0) * C);
    for (int64_t t = t0; t < t1; ++t) core::rms_norm(x + t * C, wd, eps, C, y + t * C);
  });
}

void residual(core::ThreadPool& pool, float* x, const float* proj, int64_t T, int64_t n) {
  for_rows(pool, T, n, [&](int64_t t0, int64_t t1) { core::add_inplace(x + t0 * n, proj + t0 * n, (t1 - t0) * n); });
}

void add_bias(float* y, const core::Tensor& b, int64_t T, int64_t n) {
  if (!b.valid()) return;
  const float* bias = static_cast<const float*>(b.data);
  for (int64_t t = 0; t < T; ++t) core::add_inplace(y + t * n, bias, n);
}

core::RopeParams rope_params(const HParams& hp, const core::Tensor& rope_freqs) {
  return core::RopeParams{hp.rope_style, hp.rope_dims, hp.rope_base,
                          rope_freqs.valid() ? static_cast<const float*>(rope_freqs.data) : nullptr};
}

void rope_and_store_kv(core::ThreadPool& pool, std::span<const BatchToken> batch, const HParams& hp,
                       const core::RopeParams& rope, KvStore& kv, int32_t layer, ForwardScratch& s) {
  const int64_t QD = hp.q_dim(), KVD = hp.kv_dim();
  for_rows(pool, int64_t(batch.size()), QD + KVD, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const BatchToken& bt = batch[size_t(t)];
      core::rope(s.q.data() + t * QD, hp.n_head, hp.head_dim, bt.pos, rope);
      core::rope(s.k.data() + t * KVD, hp.n_head_kv, hp.head_dim, bt.pos, rope);
      const size_t off = kv.offset(layer, bt.seq, bt.pos);
      std::copy_n(s.k.data() + t * KVD, KVD, kv.k + off);
      std::copy_n(s.v.data() + t * KVD, KVD, kv.v + off);
    }
  });
}

void rope_rows(core::ThreadPool& pool, std::span<const BatchToken> batch, const HParams& hp,
               const core::RopeParams& rope, ForwardScratch& s) {
  const int64_t QD = hp.q_dim(), KVD = hp.kv_dim();
  for_rows(pool, int64_t(batch.size()), QD + KVD, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const int32_t pos = batch[size_t(t)].pos;
      core::rope(s.q.data() + t * QD, hp.n_head, hp.head_dim, pos, rope);
      core::rope(s.k.data() + t * KVD, hp.n_head_kv, hp.head_dim, pos, rope);
    }
  });
}

void causal_attention(core::ThreadPool& pool, std::span<const BatchToken> batch, const HParams& hp,
                      const KvStore& kv, int32_t layer, ForwardScratch& s) {
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

void swiglu_rows(core::ThreadPool& pool, float* gate, const float* up, int64_t T, int64_t F) {
  for_rows(pool, T, F * 8, [&](int64_t t0, int64_t t1) {
    core::swiglu(gate + t0 * F, up + t0 * F, (t1 - t0) * F, gate + t0 * F);
  });
}

int64_t gather_logit_rows(std::span<const BatchToken> batch, ForwardScratch& s) {
  s.out_rows.clear();
  for (size_t t = 0; t < batch.size(); ++t) {
    if (batch[t].logits) s.out_rows.push_back(int32_t(t));
  }
  return int64_t(s.out_rows.size());
}

void rms_norm_gathered(ForwardScratch& s, const core::Tensor& w, float eps, int64_t C) {
  const float* wd = static_cast<const float*>(w.data);
  for (size_t r = 0; r < s.out_rows.size(); ++r) {
    core::rms_norm(s.x.data() + int64_t(s.out_rows[r]) * C, wd, eps, C, s.xn.data() + int64_t(r) * C);
  }
}

}  // namespace ondo::model::blocks
