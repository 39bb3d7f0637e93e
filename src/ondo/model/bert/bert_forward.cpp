// The bert encoder pass, top down, as llama.cpp's llm_build_bert (upstream 34af94cd) computes
// it: embeddings + token type 0 + learned positions, LayerNorm; per layer attention both ways
// -> +residual -> LayerNorm -> GELU FFN -> +residual -> LayerNorm; then pooling and, for rank,
// the classifier head. Layer: model.
#include <cmath>

#include "ondo/core/kernels/matmul.h"
#include "ondo/model/bert/bert.h"
#include "ondo/model/blocks/encoder.h"
#include "ondo/model/blocks/steps.h"
#include "ondo/model/blocks/taps.h"

namespace ondo::model::bert {
namespace {

// y [T][n] = layer_norm(y) * w + b, row by row.
void layer_norm_rows(core::ThreadPool& pool, float* y, const core::Tensor& w, const core::Tensor& b, float eps,
                     int64_t T, int64_t n) {
  const float* wd = static_cast<const float*>(w.data);
  const float* bd = static_cast<const float*>(b.data);
  blocks::for_rows(pool, T, n, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) core::layer_norm(y + t * n, wd, bd, eps, n, y + t * n);
  });
}

}  // namespace

// Shapes: T batch tokens, S sequences, C = n_embd, QD = H*D, KVD = Hkv*D, F = n_ff,
// L = n_cls_out.
Status encode(const StepContext& c, std::span<const BatchToken> batch, float* out) {
  const HParams& hp = c.hp;
  const auto& w = static_cast<const BertWeights&>(c.weights);
  ForwardScratch& s = c.scratch;
  core::ThreadPool& pool = c.pool;
  const blocks::Taps tap(c.tap);
  const int64_t T = int64_t(batch.size()), C = hp.n_embd, QD = hp.q_dim(), KVD = hp.kv_dim(), F = hp.n_ff;
  const int64_t S = int64_t(s.seq_starts.size()) - 1;
  const float eps = *hp.layer_norm_eps;

  // x [T][C] = token_embd[token] + token_types[0] + position_embd[pos]
  blocks::embed(w.token_embd, batch, C, s.x.data());
  if (w.token_types.valid()) {
    core::get_row(w.token_types, 0, s.proj.data());
    for (int64_t t = 0; t < T; ++t) core::add_inplace(s.x.data() + t * C, s.proj.data(), C);
  }
  for (int64_t t = 0; t < T; ++t) {
    core::get_row(w.position_embd, batch[size_t(t)].pos, s.proj.data());
    core::add_inplace(s.x.data() + t * C, s.proj.data(), C);
  }
  tap("inp_embd", T, C, s.x.data());
  // x = layer_norm(x) * token_embd_norm + bias
  layer_norm_rows(pool, s.x.data(), w.embd_norm, w.embd_norm_b, eps, T, C);
  tap("token_embd_norm", T, C, s.x.data());

  for (int32_t l = 0; l < hp.n_layer; ++l) {
    const LayerWeights& L = w.layers[size_t(l)];
    // q [T][QD], k, v [T][KVD] = x W^T + b
    const core::MatmulOutput qkv[] = {{&L.wq, s.q.data(), QD}, {&L.wk, s.k.data(), KVD}, {&L.wv, s.v.data(), KVD}};
    core::matmul_many(qkv, s.x.data(), T, s.mm, pool);
    blocks::add_bias(s.q.data(), L.bq, T, QD);
    blocks::add_bias(s.k.data(), L.bk, T, KVD);
    blocks::add_bias(s.v.data(), L.bv, T, KVD);
    tap(l, "attn_q", T, QD, s.q.data());
    tap(l, "attn_k", T, KVD, s.k.data());
    tap(l, "attn_v", T, KVD, s.v.data());
    // attn [T][QD] = softmax(q k^T / sqrt(D)) v, every token of a sequence over all of it
    blocks::bidirectional_attention(pool, hp, s);
    tap(l, "attn", T, QD, s.attn.data());
    // proj [T][C] = attn Wo^T + bo + x; x = layer_norm(proj) * attn_output_norm + bias
    core::matmul(L.wo, s.attn.data(), T, s.proj.data(), C, s.mm, pool);
    blocks::add_bias(s.proj.data(), L.bo, T, C);
    blocks::residual(pool, s.proj.data(), s.x.data(), T, C);
    layer_norm_rows(pool, s.proj.data(), L.attn_out_norm, L.attn_out_norm_b, eps, T, C);
    std::swap(s.x, s.proj);
    tap(l, "attn_out_norm", T, C, s.x.data());
    // up [T][F] = gelu(x Wup^T + b_up)
    core::matmul(L.w_up, s.x.data(), T, s.up.data(), F, s.mm, pool);
    blocks::add_bias(s.up.data(), L.b_up, T, F);
    blocks::for_rows(pool, T, F * 4, [&](int64_t t0, int64_t t1) {
      core::gelu(s.up.data() + t0 * F, (t1 - t0) * F, s.up.data() + t0 * F);
    });
    tap(l, "ffn_gelu", T, F, s.up.data());
    // proj [T][C] = up Wdown^T + b_down + x; x = layer_norm(proj) * layer_output_norm + bias
    core::matmul(L.w_down, s.up.data(), T, s.proj.data(), C, s.mm, pool);
    blocks::add_bias(s.proj.data(), L.b_down, T, C);
    blocks::residual(pool, s.proj.data(), s.x.data(), T, C);
    layer_norm_rows(pool, s.proj.data(), L.layer_out_norm, L.layer_out_norm_b, eps, T, C);
    std::swap(s.x, s.proj);
    tap(l, "out", T, C, s.x.data());
  }

  if (hp.pooling != Pooling::Rank) {
    // out [S][C] = mean / first / last row of each sequence
    blocks::pool_sequences(hp.pooling, s, s.x.data(), C, out);
    tap("pooled", S, C, out);
    return ok_status();
  }
  // Rank: xn [S][C] = first row of each sequence; xn = tanh(xn cls^T + cls_b) when the head
  // has that layer; out [S][L] = xn cls_out^T + cls_out_b.
  blocks::pool_sequences(Pooling::Cls, s, s.x.data(), C, s.xn.data());
  if (w.cls.valid()) {
    core::matmul(w.cls, s.xn.data(), S, s.proj.data(), C, s.mm, pool);
    blocks::add_bias(s.proj.data(), w.cls_b, S, C);
    for (int64_t i = 0; i < S * C; ++i) s.xn[size_t(i)] = std::tanh(s.proj[size_t(i)]);
  }
  core::matmul(w.cls_out, s.xn.data(), S, out, hp.n_cls_out, s.mm, pool);
  blocks::add_bias(out, w.cls_out_b, S, hp.n_cls_out);
  tap("cls_out", S, hp.n_cls_out, out);
  return ok_status();
}

}  // namespace ondo::model::bert
