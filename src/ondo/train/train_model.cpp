// Forward and backward passes of the trained llama decoder. Layer: train.
// Forward per layer: xn1 = rmsnorm(x) -> q,k,v = xn1 W^T -> RoPE(q,k) -> causal attention
// -> x_mid = x + att Wo^T -> xn2 = rmsnorm(x_mid) -> h = silu(xn2 Wg^T) * (xn2 Wu^T) ->
// x' = x_mid + h Wd^T; final: logits = rmsnorm(x) E^T (tied embeddings). Backward runs the
// same recipe in reverse.
#include "ondo/train/train_model.h"

#include <algorithm>

namespace ondo::train {

TrainModel::TrainModel(const ModelConfig& c, int64_t max_batch) : c_(c), layout_(make_layout(c)), max_batch_(max_batch) {
  const size_t T = size_t(max_batch * c.n_ctx), C = size_t(c.n_embd), F = size_t(c.n_ff);
  const size_t QD = size_t(c.q_dim()), KVD = size_t(c.kv_dim());
  const size_t P = size_t(max_batch) * size_t(c.n_head) * size_t(c.n_ctx) * size_t(c.n_ctx);
  pos_.resize(T);
  xs_.assign(size_t(c.n_layer) + 1, std::vector<float>(T * C));
  acts_.resize(size_t(c.n_layer));
  for (LayerActs& a : acts_) {
    a.xn1.resize(T * C), a.rstd1.resize(T), a.q.resize(T * QD), a.k.resize(T * KVD), a.v.resize(T * KVD);
    a.probs.resize(P), a.att.resize(T * QD), a.x_mid.resize(T * C), a.xn2.resize(T * C), a.rstd2.resize(T);
    a.g.resize(T * F), a.u.resize(T * F), a.h.resize(T * F);
  }
  xnf_.resize(T * C), rstdf_.resize(T), logits_.resize(T * size_t(c.n_vocab));
  dx_.resize(T * C), dxn_.resize(T * C), datt_.resize(T * QD), dq_.resize(T * QD), dk_.resize(T * KVD);
  dv_.resize(T * KVD), dh_.resize(T * F), dg_.resize(T * F), du_.resize(T * F);
}

const float* TrainModel::forward(const float* P, const int32_t* tokens, int64_t B, int64_t S, core::ThreadPool& pool) {
  B_ = B, S_ = S;
  const int64_t T = B * S, C = c_.n_embd, F = c_.n_ff, QD = c_.q_dim(), KVD = c_.kv_dim(), V = c_.n_vocab;
  for (int64_t t = 0; t < T; ++t) pos_[size_t(t)] = int32_t(t % S);
  const AttnShape as{B, S, c_.n_head, c_.n_head_kv, c_.head_dim()};

  // x = E[tokens]
  embedding_forward(P + layout_.token_embd, tokens, T, C, xs_[0].data());
  for (int32_t l = 0; l < c_.n_layer; ++l) {
    const LayerOffsets& o = layout_.layers[size_t(l)];
    LayerActs& a = acts_[size_t(l)];
    const float* x = xs_[size_t(l)].data();
    // xn1 = rmsnorm(x) * attn_norm; q,k,v = xn1 W^T; RoPE on q, k
    rms_norm_forward(x, P + o.attn_norm, c_.rms_eps, T, C, a.xn1.data(), a.rstd1.data());
    linear_forward(a.xn1.data(), P + o.wq, T, C, QD, a.q.data(), pool);
    linear_forward(a.xn1.data(), P + o.wk, T, C, KVD, a.k.data(), pool);
    linear_forward(a.xn1.data(), P + o.wv, T, C, KVD, a.v.data(), pool);
    rope_forward(a.q.data(), T, c_.n_head, c_.head_dim(), pos_.data(), c_.rope_base);
    rope_forward(a.k.data(), T, c_.n_head_kv, c_.head_dim(), pos_.data(), c_.rope_base);
    // att = softmax(q k^T / sqrt(D), causal) v; x_mid = x + att Wo^T
    attention_forward(a.q.data(), a.k.data(), a.v.data(), as, a.probs.data(), a.att.data(), pool);
    linear_forward(a.att.data(), P + o.wo, T, QD, C, a.x_mid.data(), pool);
    for (int64_t i = 0; i < T * C; ++i) a.x_mid[size_t(i)] += x[i];
    // xn2 = rmsnorm(x_mid) * ffn_norm; h = silu(xn2 Wg^T) * (xn2 Wu^T); x' = x_mid + h Wd^T
    rms_norm_forward(a.x_mid.data(), P + o.ffn_norm, c_.rms_eps, T, C, a.xn2.data(), a.rstd2.data());
    linear_forward(a.xn2.data(), P + o.w_gate, T, C, F, a.g.data(), pool);
    linear_forward(a.xn2.data(), P + o.w_up, T, C, F, a.u.data(), pool);
    swiglu_forward(a.g.data(), a.u.data(), T * F, a.h.data());
    float* x_next = xs_[size_t(l) + 1].data();
    linear_forward(a.h.data(), P + o.w_down, T, F, C, x_next, pool);
    for (int64_t i = 0; i < T * C; ++i) x_next[i] += a.x_mid[size_t(i)];
  }
  // logits = (rmsnorm(x) * output_norm) E^T
  rms_norm_forward(xs_[size_t(c_.n_layer)].data(), P + layout_.output_norm, c_.rms_eps, T, C, xnf_.data(),
                   rstdf_.data());
  linear_forward(xnf_.data(), P + layout_.token_embd, T, C, V, logits_.data(), pool);
  return logits_.data();
}

void TrainModel::backward(const float* P, const int32_t* tokens, float* G, core::ThreadPool& pool) {
  const int64_t T = B_ * S_, C = c_.n_embd, F = c_.n_ff, QD = c_.q_dim(), KVD = c_.kv_dim(), V = c_.n_vocab;
  const AttnShape as{B_, S_, c_.n_head, c_.n_head_kv, c_.head_dim()};
  // logits holds dlogits. dxnf = dlogits E; dE += dlogits^T xnf; dx = rmsnorm'(dxnf)
  linear_backward(xnf_.data(), P + layout_.token_embd, logits_.data(), T, C, V, dxn_.data(), false,
                  G + layout_.token_embd, lin_, pool);
  rms_norm_backward(xs_[size_t(c_.n_layer)].data(), P + layout_.output_norm, rstdf_.data(), dxn_.data(), T, C,
                    dx_.data(), false, G + layout_.output_norm);
  for (int32_t l = c_.n_layer - 1; l >= 0; --l) {
    const LayerOffsets& o = layout_.layers[size_t(l)];
    LayerActs& a = acts_[size_t(l)];
    // FFN: dh = dx Wd; dg, du = swiglu'(dh); dxn2 = dg Wg + du Wu; dx_mid = dx + rmsnorm'(dxn2)
    linear_backward(a.h.data(), P + o.w_down, dx_.data(), T, F, C, dh_.data(), false, G + o.w_down, lin_, pool);
    swiglu_backward(a.g.data(), a.u.data(), dh_.data(), T * F, dg_.data(), du_.data());
    linear_backward(a.xn2.data(), P + o.w_gate, dg_.data(), T, C, F, dxn_.data(), false, G + o.w_gate, lin_, pool);
    linear_backward(a.xn2.data(), P + o.w_up, du_.data(), T, C, F, dxn_.data(), true, G + o.w_up, lin_, pool);
    rms_norm_backward(a.x_mid.data(), P + o.ffn_norm, a.rstd2.data(), dxn_.data(), T, C, dx_.data(), true,
                      G + o.ffn_norm);
    // attention: datt = dx Wo; dq, dk, dv = attention'(datt); un-rotate dq, dk
    linear_backward(a.att.data(), P + o.wo, dx_.data(), T, QD, C, datt_.data(), false, G + o.wo, lin_, pool);
    attention_backward(a.q.data(), a.k.data(), a.v.data(), a.probs.data(), datt_.data(), as, dq_.data(), dk_.data(),
                       dv_.data(), dp_, pool);
    rope_backward(dq_.data(), T, c_.n_head, c_.head_dim(), pos_.data(), c_.rope_base);
    rope_backward(dk_.data(), T, c_.n_head_kv, c_.head_dim(), pos_.data(), c_.rope_base);
    // dxn1 = dq Wq + dk Wk + dv Wv; dx += rmsnorm'(dxn1)
    linear_backward(a.xn1.data(), P + o.wq, dq_.data(), T, C, QD, dxn_.data(), false, G + o.wq, lin_, pool);
    linear_backward(a.xn1.data(), P + o.wk, dk_.data(), T, C, KVD, dxn_.data(), true, G + o.wk, lin_, pool);
    linear_backward(a.xn1.data(), P + o.wv, dv_.data(), T, C, KVD, dxn_.data(), true, G + o.wv, lin_, pool);
    rms_norm_backward(xs_[size_t(l)].data(), P + o.attn_norm, a.rstd1.data(), dxn_.data(), T, C, dx_.data(), true,
                      G + o.attn_norm);
  }
  // dE[tokens] += dx
  embedding_backward(dx_.data(), tokens, T, C, G + layout_.token_embd);
}

double TrainModel::forward_backward(const float* params, const int32_t* tokens, const int32_t* targets,
                                    const uint8_t* mask, int64_t B, int64_t S, float* grads, int64_t* n_counted,
                                    core::ThreadPool& pool) {
  forward(params, tokens, B, S, pool);
  const double loss = cross_entropy(logits_.data(), targets, mask, B * S, c_.n_vocab, n_counted, pool);
  backward(params, tokens, grads, pool);
  return loss;
}

double TrainModel::loss(const float* params, const int32_t* tokens, const int32_t* targets, const uint8_t* mask,
                        int64_t B, int64_t S, int64_t* n_counted, core::ThreadPool& pool) {
  const float* logits = forward(params, tokens, B, S, pool);
  return cross_entropy_loss(logits, targets, mask, B * S, c_.n_vocab, n_counted);
}

}  // namespace ondo::train
