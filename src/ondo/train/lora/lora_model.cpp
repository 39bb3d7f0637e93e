// LoRA forward and backward over a frozen decoder (lora_model.h). Layer: train.
// Per layer: xn1 = rmsnorm(x) -> q,k,v = W xn1 (+ bias) (+ adapters) -> RoPE(q,k) -> causal
// attention -> x_mid = x + Wo att (+ adapter) -> xn2 = rmsnorm(x_mid) -> h = silu(g) * u with
// g, u = Wg xn2, Wu xn2 (+ adapters) -> x' = x_mid + Wd h (+ adapter); logits = Wout rmsnorm(x).
// Backward runs the recipe in reverse; the frozen weights and norms get no gradient.
#include "ondo/train/lora/lora_model.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "ondo/core/kernels/ops.h"
#include "ondo/train/gemm.h"
#include "ondo/model/blocks/decoder_forward.h"
#include "ondo/model/registry.h"

namespace ondo::train::lora {
namespace {

constexpr const char* kStems[kTargetCount] = {"attn_q", "attn_k", "attn_v", "attn_output",
                                              "ffn_gate", "ffn_up", "ffn_down"};
constexpr const char* kShort[kTargetCount] = {"q", "k", "v", "o", "gate", "up", "down"};
constexpr int64_t kTileRows = 128;  // rows of W per block of frozen_input_grad

// Inputs (K) and outputs (N) of a target's weight.
void target_dims(const model::HParams& hp, Target t, int64_t* K, int64_t* N) {
  const int64_t C = hp.n_embd, F = hp.n_ff, QD = hp.q_dim(), KVD = hp.kv_dim();
  switch (t) {
    case Target::Q: *K = C, *N = QD; return;
    case Target::K:
    case Target::V: *K = C, *N = KVD; return;
    case Target::O: *K = QD, *N = C; return;
    case Target::Gate:
    case Target::Up: *K = C, *N = F; return;
    case Target::Down: *K = F, *N = C; return;
  }
}

void add_bias_rows(float* y, const core::Tensor& b, int64_t T, int64_t n) {
  if (!b.valid()) return;
  const float* bb = static_cast<const float*>(b.data);
  for (int64_t t = 0; t < T; ++t)
    for (int64_t i = 0; i < n; ++i) y[t * n + i] += bb[i];
}

}  // namespace

const char* target_stem(Target t) { return kStems[int(t)]; }
const char* target_short(Target t) { return kShort[int(t)]; }

Status parse_targets(std::string_view list, LoraConfig& cfg) {
  cfg.targets.fill(false);
  size_t at = 0;
  while (at <= list.size()) {
    size_t end = list.find(',', at);
    if (end == std::string_view::npos) end = list.size();
    std::string_view item = list.substr(at, end - at);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    at = end + 1;
    if (item.empty()) continue;
    bool found = false;
    for (int i = 0; i < kTargetCount; ++i) {
      const bool attn = i <= int(Target::O);
      if (item == kShort[i] || item == kStems[i] || (item == "attn" && attn) || (item == "mlp" && !attn) ||
          item == "all" || (item == "q_proj" && i == 0) || (item == "k_proj" && i == 1) ||
          (item == "v_proj" && i == 2) || (item == "o_proj" && i == 3) || (item == "gate_proj" && i == 4) ||
          (item == "up_proj" && i == 5) || (item == "down_proj" && i == 6)) {
        cfg.targets[size_t(i)] = true;
        found = true;
      }
    }
    if (!found) {
      return make_error(ErrorCode::InvalidArgument, "unknown LoRA target '" + std::string(item) +
                                                        "' (expected q, k, v, o, gate, up, down, attn, mlp or all)");
    }
  }
  return ok_status();
}

Status validate_lora_config(const LoraConfig& cfg) {
  bool any = false, attn = false, mlp = false;
  for (int i = 0; i < kTargetCount; ++i) {
    if (!cfg.targets[size_t(i)]) continue;
    any = true;
    (is_attention(Target(i)) ? attn : mlp) = true;
  }
  if (!any) return make_error(ErrorCode::InvalidArgument, "LoRA targets: none selected");
  auto check = [](const LoraGroup& g, const char* name) -> Status {
    if (g.rank < 1 || g.rank > 4096) {
      return make_error(ErrorCode::InvalidArgument,
                        std::string(name) + " rank = " + std::to_string(g.rank) + ", expected 1..4096");
    }
    if (!(g.alpha > 0) || !std::isfinite(g.alpha)) {
      return make_error(ErrorCode::InvalidArgument, std::string(name) + " alpha must be a positive number");
    }
    return ok_status();
  };
  if (attn) ONDO_TRY(check(cfg.attn, "attention"));
  if (mlp) ONDO_TRY(check(cfg.mlp, "MLP"));
  if (!(cfg.dropout >= 0 && cfg.dropout < 1)) {
    return make_error(ErrorCode::InvalidArgument, "LoRA dropout = " + std::to_string(cfg.dropout) + ", expected [0, 1)");
  }
  return ok_status();
}

Result<std::unique_ptr<FrozenBase>> FrozenBase::open(const std::filesystem::path& path) {
  auto b = std::make_unique<FrozenBase>();
  ONDO_ASSIGN_OR_RETURN(b->file, gguf::GgufFile::open(path));
  const gguf::GgufFile& f = *b->file;
  ONDO_ASSIGN_OR_RETURN(std::string_view arch, f.get_string("general.architecture"));
  // Any registered architecture whose network is the llama-style decoder recipe
  // (blocks/decoder_forward.h) trains here: its unit reads the hyperparameters (RoPE style
  // included) and binds the weights.
  const model::ArchUnit* unit = model::find_architecture(arch);
  if (!unit || unit->forward != &model::blocks::decoder_forward) {
    return make_error(ErrorCode::Unsupported, f.name() + ": LoRA training needs a llama-style decoder (llama, qwen2, " +
                                                  "...), not '" + std::string(arch) + "'");
  }
  ONDO_ASSIGN_OR_RETURN(b->hp, unit->read_hparams(f));
  if (!b->hp.rms_eps) return make_error(ErrorCode::Unsupported, f.name() + ": LoRA training needs an RMSNorm decoder");
  const gguf::TensorInfo* embd = f.find_tensor("token_embd.weight");
  if (!embd || embd->shape.size() < 2 || embd->shape[1] <= 0 || embd->shape[1] > (int64_t(1) << 24)) {
    return make_error(ErrorCode::InvalidFile, f.name() + ": tensor 'token_embd.weight' is missing or not a matrix");
  }
  b->hp.n_vocab = int32_t(embd->shape[1]);
  ONDO_ASSIGN_OR_RETURN(std::unique_ptr<model::UnitWeights> uw, unit->bind_weights(f, b->hp));
  auto* dw = dynamic_cast<model::blocks::DecoderWeights*>(uw.get());
  if (!dw) return make_error(ErrorCode::Unsupported, f.name() + ": the weights are not a decoder block stack");
  uw.release();
  b->w.reset(dw);
  const core::Tensor& ff = b->w->rope_freqs;
  b->rope = core::RopeParams{b->hp.rope_style, b->hp.rope_dims, b->hp.rope_base,
                             ff.valid() ? static_cast<const float*>(ff.data) : nullptr};
  return b;
}

const core::PreparedTensor& FrozenBase::weight(int32_t layer, Target t) const {
  const model::blocks::LayerWeights& l = w->layers[size_t(layer)];
  switch (t) {
    case Target::Q: return l.wq;
    case Target::K: return l.wk;
    case Target::V: return l.wv;
    case Target::O: return l.wo;
    case Target::Gate: return l.w_gate;
    case Target::Up: return l.w_up;
    case Target::Down: return l.w_down;
  }
  return l.wq;
}

void frozen_input_grad(const core::PreparedTensor& w, const float* dy, int64_t T, float* dx, bool accumulate,
                       std::vector<float>& tile, core::ThreadPool& pool) {
  const int64_t N = w.rows(), K = w.cols();
  if (!accumulate) std::fill(dx, dx + T * K, 0.0f);
  // Per block of nb rows of W: wt [K][nb] = the rows dequantized and transposed, dyb [T][nb]
  // = the block's columns of dy; then dx += dyb wt^T on the F32 GEMM (train/gemm.h). The
  // blocks add into dx in row order, so the result does not depend on the thread count.
  const int64_t cap = std::min(kTileRows, N);
  tile.resize(size_t(cap * K + T * cap + K * pool.size()));
  float* wt = tile.data();
  float* dyb = wt + cap * K;
  for (int64_t n0 = 0; n0 < N; n0 += kTileRows) {
    const int64_t nb = std::min(kTileRows, N - n0);
    pool.run([&](int ith, int nth) {
      float* row = dyb + T * cap + int64_t(ith) * K;
      int64_t r0, r1;
      core::split_range(nb, ith, nth, &r0, &r1);
      for (int64_t r = r0; r < r1; ++r) {
        core::get_row(w, n0 + r, row);
        for (int64_t k = 0; k < K; ++k) wt[k * nb + r] = row[k];
      }
      int64_t t0, t1;
      core::split_range(T, ith, nth, &t0, &t1);
      for (int64_t t = t0; t < t1; ++t) std::memcpy(dyb + t * nb, dy + t * N + n0, size_t(nb) * sizeof(float));
    });
    gemm_nt(dyb, wt, dx, T, K, nb, true, pool);
  }
}

LoraModel::LoraModel(const FrozenBase& base, const LoraConfig& cfg, int64_t max_batch, int64_t max_seq)
    : base_(base), cfg_(cfg), max_T_(max_batch * max_seq), max_S_(max_seq) {
  const model::HParams& hp = base.hp;
  const size_t T = size_t(max_T_), C = size_t(hp.n_embd), F = size_t(hp.n_ff);
  const size_t QD = size_t(hp.q_dim()), KVD = size_t(hp.kv_dim()), V = size_t(hp.n_vocab);
  const size_t P = size_t(max_batch) * size_t(hp.n_head) * size_t(max_seq) * size_t(max_seq);
  // parameter layout
  int64_t off = 0;
  acts_.resize(size_t(hp.n_layer));
  int64_t max_r = 1;
  for (int32_t l = 0; l < hp.n_layer; ++l) {
    for (int i = 0; i < kTargetCount; ++i) {
      if (!cfg.targets[size_t(i)]) continue;
      const Target t = Target(i);
      int64_t K, N;
      target_dims(hp, t, &K, &N);
      const int32_t r = cfg.group(t).rank;
      max_r = std::max<int64_t>(max_r, r);
      const std::string name = "blk." + std::to_string(l) + "." + kStems[i] + ".weight";
      Adapted& a = acts_[size_t(l)].ad[size_t(i)];
      a.rank = r, a.scale = cfg.scale(t);
      a.a_off = off;
      layout_.tensors.push_back({name + ".lora_a", off, {K, r}, true});
      off += K * r;
      a.b_off = off;
      layout_.tensors.push_back({name + ".lora_b", off, {r, N}, true});
      off += int64_t(r) * N;
      a.z.resize(T * size_t(r));
      if (cfg.dropout > 0) a.keep.resize(T * size_t(K));
    }
  }
  layout_.n_params = off;
  pos_.resize(T);
  for (LayerActs& a : acts_) {
    a.x.resize(T * C), a.xn1.resize(T * C), a.rstd1.resize(T), a.q.resize(T * QD), a.k.resize(T * KVD);
    a.v.resize(T * KVD), a.probs.resize(P), a.att.resize(T * QD), a.x_mid.resize(T * C), a.xn2.resize(T * C);
    a.rstd2.resize(T), a.g.resize(T * F), a.u.resize(T * F), a.h.resize(T * F);
  }
  x_final_.resize(T * C), xnf_.resize(T * C), rstdf_.resize(T), logits_.resize(T * V);
  dx_.resize(T * C), dxn_.resize(T * C), datt_.resize(T * QD), dq_.resize(T * QD), dk_.resize(T * KVD);
  dv_.resize(T * KVD), dh_.resize(T * F), dg_.resize(T * F), du_.resize(T * F);
  const size_t widest = std::max({C, F, QD});
  tmp_.resize(T * widest), tmp2_.resize(T * widest), xd_.resize(T * widest), dz_.resize(T * size_t(max_r));
  norm_dw_.resize(C);
}

void LoraModel::init_params(Rng& rng, float* params) const {
  for (const ParamTensor& t : layout_.tensors) {
    float* p = params + t.offset;
    const int64_t n = t.size();
    if (t.name.ends_with(".lora_a")) {
      const double bound = 1.0 / std::sqrt(double(t.shape[0]));
      for (int64_t i = 0; i < n; ++i) p[i] = float((rng.uniform() * 2.0 - 1.0) * bound);
    } else {
      std::fill(p, p + n, 0.0f);
    }
  }
}

void LoraModel::adapted_forward(const float* P, Target t, int32_t layer, const float* x, int64_t T, float* y,
                                bool train, uint64_t seed, core::ThreadPool& pool) {
  const core::PreparedTensor& w = base_.weight(layer, t);
  const int64_t K = w.cols(), N = w.rows();
  core::matmul(w, x, T, y, N, mm_, pool);
  Adapted& a = acts_[size_t(layer)].ad[size_t(int(t))];
  if (a.a_off < 0) return;
  const float* xin = x;
  const bool drop = train && cfg_.dropout > 0;
  if (cfg_.dropout > 0) {
    // keep factors: 0 with probability p, else 1/(1-p); all 1 outside training
    const float inv = 1.0f / (1.0f - cfg_.dropout);
    Rng rng(seed * 0x9E3779B97F4A7C15ull + uint64_t(layer) * 131 + uint64_t(int(t)) + 1);
    for (int64_t i = 0; i < T * K; ++i) {
      a.keep[size_t(i)] = !drop ? 1.0f : (rng.uniform() < double(cfg_.dropout) ? 0.0f : inv);
      xd_[size_t(i)] = x[i] * a.keep[size_t(i)];
    }
    xin = xd_.data();
  }
  const int64_t r = a.rank;
  linear_forward(xin, P + a.a_off, T, K, r, a.z.data(), pool);
  linear_forward(a.z.data(), P + a.b_off, T, r, N, tmp_.data(), pool);
  for (int64_t i = 0; i < T * N; ++i) y[i] += a.scale * tmp_[size_t(i)];
}

void LoraModel::adapted_backward(const float* P, Target t, int32_t layer, const float* x, const float* dy, int64_t T,
                                 float* dx, bool accumulate, float* G, core::ThreadPool& pool) {
  const core::PreparedTensor& w = base_.weight(layer, t);
  const int64_t K = w.cols(), N = w.rows();
  frozen_input_grad(w, dy, T, dx, accumulate, tile_, pool);
  Adapted& a = acts_[size_t(layer)].ad[size_t(int(t))];
  if (a.a_off < 0) return;
  const int64_t r = a.rank;
  // y += s B z: dB += (s dy)^T z, dz = (s dy) B; z = x' A^T: dA += dz^T x', dx' = dz A
  for (int64_t i = 0; i < T * N; ++i) tmp_[size_t(i)] = a.scale * dy[i];
  linear_backward(a.z.data(), P + a.b_off, tmp_.data(), T, r, N, dz_.data(), false, G + a.b_off, lin_, pool);
  const float* xin = x;
  if (!a.keep.empty()) {
    for (int64_t i = 0; i < T * K; ++i) xd_[size_t(i)] = x[i] * a.keep[size_t(i)];
    xin = xd_.data();
  }
  linear_backward(xin, P + a.a_off, dz_.data(), T, K, r, tmp2_.data(), false, G + a.a_off, lin_, pool);
  if (!a.keep.empty()) {
    for (int64_t i = 0; i < T * K; ++i) dx[i] += tmp2_[size_t(i)] * a.keep[size_t(i)];
  } else {
    for (int64_t i = 0; i < T * K; ++i) dx[i] += tmp2_[size_t(i)];
  }
}

const float* LoraModel::forward(const float* P, const int32_t* tokens, int64_t B, int64_t S, bool train,
                                uint64_t seed, core::ThreadPool& pool) {
  const model::HParams& hp = base_.hp;
  const model::blocks::DecoderWeights& W = *base_.w;
  B_ = B, S_ = S;
  const int64_t T = B * S, C = hp.n_embd, F = hp.n_ff, QD = hp.q_dim(), KVD = hp.kv_dim(), V = hp.n_vocab;
  const float eps = *hp.rms_eps;
  for (int64_t t = 0; t < T; ++t) pos_[size_t(t)] = int32_t(t % S);
  const AttnShape as{B, S, hp.n_head, hp.n_head_kv, hp.head_dim};
  float* x = acts_.empty() ? x_final_.data() : acts_[0].x.data();
  for (int64_t t = 0; t < T; ++t) core::get_row(W.token_embd, tokens[t], x + t * C);
  for (int32_t l = 0; l < hp.n_layer; ++l) {
    const model::blocks::LayerWeights& lw = W.layers[size_t(l)];
    LayerActs& a = acts_[size_t(l)];
    rms_norm_forward(a.x.data(), static_cast<const float*>(lw.attn_norm.data), eps, T, C, a.xn1.data(),
                     a.rstd1.data());
    adapted_forward(P, Target::Q, l, a.xn1.data(), T, a.q.data(), train, seed, pool);
    adapted_forward(P, Target::K, l, a.xn1.data(), T, a.k.data(), train, seed, pool);
    adapted_forward(P, Target::V, l, a.xn1.data(), T, a.v.data(), train, seed, pool);
    add_bias_rows(a.q.data(), lw.bq, T, QD);
    add_bias_rows(a.k.data(), lw.bk, T, KVD);
    add_bias_rows(a.v.data(), lw.bv, T, KVD);
    for (int64_t t = 0; t < T; ++t) {
      core::rope(a.q.data() + t * QD, hp.n_head, hp.head_dim, pos_[size_t(t)], base_.rope);
      core::rope(a.k.data() + t * KVD, hp.n_head_kv, hp.head_dim, pos_[size_t(t)], base_.rope);
    }
    attention_forward(a.q.data(), a.k.data(), a.v.data(), as, a.probs.data(), a.att.data(), pool);
    adapted_forward(P, Target::O, l, a.att.data(), T, a.x_mid.data(), train, seed, pool);
    for (int64_t i = 0; i < T * C; ++i) a.x_mid[size_t(i)] += a.x[size_t(i)];
    rms_norm_forward(a.x_mid.data(), static_cast<const float*>(lw.ffn_norm.data), eps, T, C, a.xn2.data(),
                     a.rstd2.data());
    adapted_forward(P, Target::Gate, l, a.xn2.data(), T, a.g.data(), train, seed, pool);
    adapted_forward(P, Target::Up, l, a.xn2.data(), T, a.u.data(), train, seed, pool);
    swiglu_forward(a.g.data(), a.u.data(), T * F, a.h.data());
    float* x_next = size_t(l) + 1 < acts_.size() ? acts_[size_t(l) + 1].x.data() : x_final_.data();
    adapted_forward(P, Target::Down, l, a.h.data(), T, x_next, train, seed, pool);
    for (int64_t i = 0; i < T * C; ++i) x_next[i] += a.x_mid[size_t(i)];
  }
  rms_norm_forward(x_final_.data(), static_cast<const float*>(W.output_norm.data), eps, T, C, xnf_.data(),
                   rstdf_.data());
  core::matmul(W.output, xnf_.data(), T, logits_.data(), V, mm_, pool);
  return logits_.data();
}

void LoraModel::backward(const float* P, float* G, core::ThreadPool& pool) {
  const model::HParams& hp = base_.hp;
  const model::blocks::DecoderWeights& W = *base_.w;
  const int64_t T = B_ * S_, C = hp.n_embd, F = hp.n_ff, QD = hp.q_dim(), KVD = hp.kv_dim();
  const float eps = *hp.rms_eps;
  const AttnShape as{B_, S_, hp.n_head, hp.n_head_kv, hp.head_dim};
  // logits_ holds dlogits: dxnf = dlogits Wout; dx = rmsnorm'(dxnf)
  frozen_input_grad(W.output, logits_.data(), T, dxn_.data(), false, tile_, pool);
  rms_norm_backward(x_final_.data(), static_cast<const float*>(W.output_norm.data), rstdf_.data(), dxn_.data(), T, C,
                    dx_.data(), false, norm_dw_.data());
  for (int32_t l = hp.n_layer - 1; l >= 0; --l) {
    const model::blocks::LayerWeights& lw = W.layers[size_t(l)];
    LayerActs& a = acts_[size_t(l)];
    // FFN: dh = dx Wd (+ adapter); dg, du = swiglu'(dh); dxn2 = dg Wg + du Wu; dx += rmsnorm'(dxn2)
    adapted_backward(P, Target::Down, l, a.h.data(), dx_.data(), T, dh_.data(), false, G, pool);
    swiglu_backward(a.g.data(), a.u.data(), dh_.data(), T * F, dg_.data(), du_.data());
    adapted_backward(P, Target::Gate, l, a.xn2.data(), dg_.data(), T, dxn_.data(), false, G, pool);
    adapted_backward(P, Target::Up, l, a.xn2.data(), du_.data(), T, dxn_.data(), true, G, pool);
    rms_norm_backward(a.x_mid.data(), static_cast<const float*>(lw.ffn_norm.data), a.rstd2.data(), dxn_.data(), T, C,
                      dx_.data(), true, norm_dw_.data());
    // attention: datt = dx Wo; dq, dk, dv = attention'(datt); un-rotate dq, dk
    adapted_backward(P, Target::O, l, a.att.data(), dx_.data(), T, datt_.data(), false, G, pool);
    attention_backward(a.q.data(), a.k.data(), a.v.data(), a.probs.data(), datt_.data(), as, dq_.data(), dk_.data(),
                       dv_.data(), dp_, pool);
    for (int64_t t = 0; t < T; ++t) {
      core::rope(dq_.data() + t * QD, hp.n_head, hp.head_dim, -pos_[size_t(t)], base_.rope);
      core::rope(dk_.data() + t * KVD, hp.n_head_kv, hp.head_dim, -pos_[size_t(t)], base_.rope);
    }
    adapted_backward(P, Target::Q, l, a.xn1.data(), dq_.data(), T, dxn_.data(), false, G, pool);
    adapted_backward(P, Target::K, l, a.xn1.data(), dk_.data(), T, dxn_.data(), true, G, pool);
    adapted_backward(P, Target::V, l, a.xn1.data(), dv_.data(), T, dxn_.data(), true, G, pool);
    rms_norm_backward(a.x.data(), static_cast<const float*>(lw.attn_norm.data), a.rstd1.data(), dxn_.data(), T, C,
                      dx_.data(), true, norm_dw_.data());
  }
}

double LoraModel::forward_backward(const float* params, const int32_t* tokens, const int32_t* targets,
                                   const uint8_t* mask, int64_t B, int64_t S, uint64_t dropout_seed, float* grads,
                                   int64_t* n_counted, core::ThreadPool& pool) {
  forward(params, tokens, B, S, true, dropout_seed, pool);
  const double loss = cross_entropy(logits_.data(), targets, mask, B * S, base_.hp.n_vocab, n_counted, pool);
  backward(params, grads, pool);
  return loss;
}

double LoraModel::loss(const float* params, const int32_t* tokens, const int32_t* targets, const uint8_t* mask,
                       int64_t B, int64_t S, int64_t* n_counted, core::ThreadPool& pool) {
  const float* logits = forward(params, tokens, B, S, false, 0, pool);
  return cross_entropy_loss(logits, targets, mask, B * S, base_.hp.n_vocab, n_counted);
}

}  // namespace ondo::train::lora
