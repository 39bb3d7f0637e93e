// The llama-style decoder recipe (decoder_forward.h), top down. Layer: model.
#include "ondo/model/blocks/decoder_forward.h"

#include "ondo/core/kernels/matmul.h"
#include "ondo/model/blocks/decoder_weights.h"
#include "ondo/model/blocks/encoder.h"
#include "ondo/model/blocks/steps.h"
#include "ondo/model/blocks/taps.h"
#include "ondo/model/lora/apply.h"

namespace ondo::model::blocks {

namespace {

// Shapes: T batch tokens, C = n_embd, H heads, Hkv kv heads, D head dim, QD = H*D,
// KVD = Hkv*D, F = n_ff, V = n_vocab, R = tokens that want logits.
// The embeddings and every layer, leaving the residual stream in s.x [T][C]. `attention`
// (layer l) rotates s.q / s.k and fills s.attn [T][QD] from s.q, s.k, s.v: through the KV
// store (forward) or within the batch's sequences (encode).
template <class Attention>
void decoder_layers(const StepContext& c, std::span<const BatchToken> batch, Attention&& attention) {
  const HParams& hp = c.hp;
  const auto& w = static_cast<const DecoderWeights&>(c.weights);
  ForwardScratch& s = c.scratch;
  core::ThreadPool& pool = c.pool;
  const Taps tap(c.tap);
  const int64_t T = int64_t(batch.size());
  const int64_t C = hp.n_embd, QD = hp.q_dim(), KVD = hp.kv_dim(), F = hp.n_ff;
  const float eps = *hp.rms_eps;
  // each token's LoRA deltas, added after the base matmul of an adapted weight (before biases)
  const LoraStep lora(batch, s.lora, s.mm, pool);

  // x [T][C] = token_embd[token_t]
  embed(w.token_embd, batch, C, s.x.data());
  tap("token_embd", T, C, s.x.data());

  for (int32_t l = 0; l < hp.n_layer; ++l) {
    const LayerWeights& L = w.layers[size_t(l)];
    // xn [T][C] = rms_norm(x) * attn_norm
    rms_norm_rows(pool, s.x.data(), L.attn_norm, eps, T, C, s.xn.data());
    tap(l, "attn_norm", T, C, s.xn.data());
    // q [T][QD] = xn Wq^T (+ bq), k [T][KVD] = xn Wk^T (+ bk), v [T][KVD] = xn Wv^T (+ bv)
    const core::MatmulOutput qkv[] = {{&L.wq, s.q.data(), QD}, {&L.wk, s.k.data(), KVD}, {&L.wv, s.v.data(), KVD}};
    core::matmul_many(qkv, s.xn.data(), T, s.mm, pool);
    if (lora.active()) {  // q += s·B_q(A_q xn) per token, likewise k and v
      lora.add(l, LoraTarget::Q, s.xn.data(), C, s.q.data(), QD);
      lora.add(l, LoraTarget::K, s.xn.data(), C, s.k.data(), KVD);
      lora.add(l, LoraTarget::V, s.xn.data(), C, s.v.data(), KVD);
    }
    add_bias(s.q.data(), L.bq, T, QD);
    add_bias(s.k.data(), L.bk, T, KVD);
    add_bias(s.v.data(), L.bv, T, KVD);
    tap(l, "attn_q", T, QD, s.q.data());
    tap(l, "attn_k", T, KVD, s.k.data());
    tap(l, "attn_v", T, KVD, s.v.data());
    // q, k rotated (hp.rope_style: adjacent pairs, or NeoX pairs i, i + D/2) at each token's
    // position; attn [T][QD] = softmax(q k^T / sqrt(D)) v, causal, per head (GQA)
    attention(l);
    tap(l, "attn", T, QD, s.attn.data());
    // proj [T][C] = attn Wo^T; x += proj; xn [T][C] = rms_norm(x) * ffn_norm
    core::matmul(L.wo, s.attn.data(), T, s.proj.data(), C, s.mm, pool);
    if (lora.active()) lora.add(l, LoraTarget::O, s.attn.data(), QD, s.proj.data(), C);
    tap(l, "attn_output", T, C, s.proj.data());
    residual_rms_norm(pool, s.x.data(), s.proj.data(), L.ffn_norm, eps, T, C, s.xn.data());
    tap(l, "ffn_inp", T, C, s.x.data());
    tap(l, "ffn_norm", T, C, s.xn.data());
    // gate, up [T][F] = xn Wg^T, xn Wu^T; gate = silu(gate) * up
    const core::MatmulOutput gate_up[] = {{&L.w_gate, s.gate.data(), F}, {&L.w_up, s.up.data(), F}};
    core::matmul_many(gate_up, s.xn.data(), T, s.mm, pool);
    if (lora.active()) {
      lora.add(l, LoraTarget::Gate, s.xn.data(), C, s.gate.data(), F);
      lora.add(l, LoraTarget::Up, s.xn.data(), C, s.up.data(), F);
    }
    tap(l, "ffn_gate", T, F, s.gate.data());
    tap(l, "ffn_up", T, F, s.up.data());
    swiglu_rows(pool, s.gate.data(), s.up.data(), T, F);
    tap(l, "ffn_swiglu", T, F, s.gate.data());
    // proj [T][C] = gate Wd^T; x += proj
    core::matmul(L.w_down, s.gate.data(), T, s.proj.data(), C, s.mm, pool);
    if (lora.active()) lora.add(l, LoraTarget::Down, s.gate.data(), F, s.proj.data(), C);
    tap(l, "ffn_down", T, C, s.proj.data());
    residual(pool, s.x.data(), s.proj.data(), T, C);
    tap(l, "out", T, C, s.x.data());
  }
}

}  // namespace

Status decoder_forward(const StepContext& c, std::span<const BatchToken> batch, KvStore& kv, float* logits) {
  const HParams& hp = c.hp;
  const auto& w = static_cast<const DecoderWeights&>(c.weights);
  ForwardScratch& s = c.scratch;
  core::ThreadPool& pool = c.pool;
  const Taps tap(c.tap);
  const int64_t C = hp.n_embd;
  const float eps = *hp.rms_eps;
  const core::RopeParams rope = rope_params(hp, w.rope_freqs);
  // k, v of each token into its KV slot; attention over its slot's positions 0..pos
  decoder_layers(c, batch, [&](int32_t l) {
    rope_and_store_kv(pool, batch, hp, rope, kv, l, s);
    causal_attention(pool, batch, hp, kv, l, s);
  });

  // xn [R][C] = rms_norm(x[r]) * output_norm for the rows that want logits; logits [R][V]
  const int64_t R = gather_logit_rows(batch, s);
  if (R == 0) return ok_status();
  rms_norm_gathered(s, w.output_norm, eps, C);
  tap("output_norm", R, C, s.xn.data());
  core::matmul(w.output, s.xn.data(), R, logits, hp.n_vocab, s.mm, pool);
  tap("output", R, hp.n_vocab, logits);
  return ok_status();
}

// Shapes as above; S sequences (s.seq_starts, validated by Model::encode).
Status decoder_encode(const StepContext& c, std::span<const BatchToken> batch, float* out) {
  const HParams& hp = c.hp;
  const auto& w = static_cast<const DecoderWeights&>(c.weights);
  ForwardScratch& s = c.scratch;
  core::ThreadPool& pool = c.pool;
  const Taps tap(c.tap);
  const int64_t T = int64_t(batch.size()), C = hp.n_embd;
  const int64_t S = int64_t(s.seq_starts.size()) - 1;
  const float eps = *hp.rms_eps;
  const core::RopeParams rope = rope_params(hp, w.rope_freqs);
  // the batch's own K/V rows stand in for the KV store: token t over its sequence's tokens up
  // to t, the same values in the same order as decoding the sequence
  decoder_layers(c, batch, [&](int32_t) {
    rope_rows(pool, batch, hp, rope, s);
    causal_sequence_attention(pool, hp, s);
  });
  // xn [T][C] = rms_norm(x) * output_norm (every row: llama.cpp pools the final norm's output)
  rms_norm_rows(pool, s.x.data(), w.output_norm, eps, T, C, s.xn.data());
  tap("output_norm", T, C, s.xn.data());
  // out [S][C] = mean / last / first row of each sequence
  pool_sequences(hp.pooling, s, s.xn.data(), C, out);
  tap("pooled", S, C, out);
  return ok_status();
}

}  // namespace ondo::model::blocks
