// A fake encoder architecture unit ("fakeenc") and a tiny random-weight GGUF for it, built in
// memory: learned position embeddings, per layer RMSNorm -> Q/K/V -> attention in both
// directions within each sequence -> output projection + residual; then pooling (mean by
// default, "fakeenc.pooling_type" to change). Not in the registry: tests load it with
// Model::from_file(file, fake_encoder_unit()). Test support only (tests/model and tests/infer
// may include it); header-only.
#pragma once

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "ondo/core/kernels/matmul.h"
#include "ondo/gguf/writer.h"
#include "ondo/model/blocks/binder.h"
#include "ondo/model/blocks/encoder.h"
#include "ondo/model/blocks/steps.h"
#include "ondo/model/blocks/taps.h"
#include "ondo/model/model.h"

namespace ondo::testing {

struct FakeEncoderSpec {
  int n_embd = 16, n_layer = 2, n_head = 2, n_vocab = 24, n_ctx = 32;
  int pooling = 1;  // 1 mean, 2 cls, 3 last
  uint32_t seed = 11;
};

namespace fake_encoder_detail {

struct Layer {
  core::Tensor attn_norm;
  core::PreparedTensor wq, wk, wv, wo;
};

struct Weights final : model::UnitWeights {
  core::Tensor token_embd, position_embd;  // [C] x V rows, [C] x n_ctx rows
  std::vector<Layer> layers;
  std::vector<core::PreparedTensor*> matmul_weights() override {
    std::vector<core::PreparedTensor*> out;
    for (Layer& l : layers) {
      for (core::PreparedTensor* t : {&l.wq, &l.wk, &l.wv, &l.wo}) out.push_back(t);
    }
    return out;
  }
};

inline Result<model::HParams> read_hparams(const gguf::GgufFile& f) {
  ONDO_ASSIGN_OR_RETURN(model::HParams hp, model::read_common_hparams(f, "fakeenc"));
  ONDO_TRY(model::read_rms_eps(f, hp));
  ONDO_TRY(model::read_pooling(f, model::Pooling::Mean, hp));
  if (hp.pooling == model::Pooling::None) {
    return make_error(ErrorCode::Unsupported, f.name() + ": fakeenc needs a pooling type");
  }
  hp.causal = false;
  return hp;
}

inline Result<std::unique_ptr<model::UnitWeights>> bind_weights(const gguf::GgufFile& f, const model::HParams& hp) {
  const model::blocks::Binder b(f);
  auto w = std::make_unique<Weights>();
  const int64_t C = hp.n_embd;
  ONDO_ASSIGN_OR_RETURN(w->token_embd, b.bind("token_embd.weight", C, hp.n_vocab, false));
  ONDO_ASSIGN_OR_RETURN(w->position_embd, b.bind("position_embd.weight", C, hp.n_ctx_train, false));
  w->layers.resize(size_t(hp.n_layer));
  for (int32_t i = 0; i < hp.n_layer; ++i) {
    const std::string p = "blk." + std::to_string(i) + ".";
    Layer& l = w->layers[size_t(i)];
    ONDO_ASSIGN_OR_RETURN(l.attn_norm, b.bind(p + "attn_norm.weight", C, 1, true));
    ONDO_ASSIGN_OR_RETURN(l.wq, b.bind(p + "attn_q.weight", C, hp.q_dim(), false));
    ONDO_ASSIGN_OR_RETURN(l.wk, b.bind(p + "attn_k.weight", C, hp.kv_dim(), false));
    ONDO_ASSIGN_OR_RETURN(l.wv, b.bind(p + "attn_v.weight", C, hp.kv_dim(), false));
    ONDO_ASSIGN_OR_RETURN(l.wo, b.bind(p + "attn_output.weight", hp.q_dim(), C, false));
  }
  return std::unique_ptr<model::UnitWeights>(std::move(w));
}

// T tokens, C width, QD = H*D, KVD = Hkv*D, S sequences.
inline Status encode(const model::StepContext& c, std::span<const model::BatchToken> batch, float* out) {
  const model::HParams& hp = c.hp;
  const auto& w = static_cast<const Weights&>(c.weights);
  model::ForwardScratch& s = c.scratch;
  const model::blocks::Taps tap(c.tap);
  const int64_t T = int64_t(batch.size()), C = hp.n_embd, QD = hp.q_dim(), KVD = hp.kv_dim();
  // x [T][C] = token_embd[token] + position_embd[pos]
  model::blocks::embed(w.token_embd, batch, C, s.x.data());
  for (int64_t t = 0; t < T; ++t) {
    core::get_row(w.position_embd, batch[size_t(t)].pos, s.proj.data());
    core::add_inplace(s.x.data() + t * C, s.proj.data(), C);
  }
  tap("token_embd", T, C, s.x.data());
  for (int32_t l = 0; l < hp.n_layer; ++l) {
    const Layer& L = w.layers[size_t(l)];
    // xn = rms_norm(x) * attn_norm; q, k, v = xn W^T
    model::blocks::rms_norm_rows(c.pool, s.x.data(), L.attn_norm, *hp.rms_eps, T, C, s.xn.data());
    tap(l, "attn_norm", T, C, s.xn.data());
    const core::MatmulOutput qkv[] = {{&L.wq, s.q.data(), QD}, {&L.wk, s.k.data(), KVD}, {&L.wv, s.v.data(), KVD}};
    core::matmul_many(qkv, s.xn.data(), T, s.mm, c.pool);
    // attn [T][QD]: both directions within each sequence
    model::blocks::bidirectional_attention(c.pool, hp, s);
    tap(l, "attn", T, QD, s.attn.data());
    // x += attn Wo^T
    core::matmul(L.wo, s.attn.data(), T, s.proj.data(), C, s.mm, c.pool);
    model::blocks::residual(c.pool, s.x.data(), s.proj.data(), T, C);
    tap(l, "out", T, C, s.x.data());
  }
  // out [S][C] = pool(x) per sequence
  model::blocks::pool_sequences(hp.pooling, s, s.x.data(), C, out);
  tap("pooled", int64_t(s.seq_starts.size()) - 1, C, out);
  return ok_status();
}

}  // namespace fake_encoder_detail

inline const model::ArchUnit& fake_encoder_unit() {
  static const model::ArchUnit unit = {
      .name = "fakeenc",
      .description = "test-only encoder",
      .kind = model::ModelKind::Encode,
      .default_tokenizer = "llama",
      .read_hparams = fake_encoder_detail::read_hparams,
      .bind_weights = fake_encoder_detail::bind_weights,
      .forward = nullptr,
      .encode = fake_encoder_detail::encode,
      .memory = nullptr,
  };
  return unit;
}

inline std::vector<uint8_t> fake_encoder_bytes(const FakeEncoderSpec& s) {
  gguf::Writer w;
  const std::string a = "fakeenc";
  w.set_string("general.architecture", a);
  w.set_u32(a + ".embedding_length", uint32_t(s.n_embd));
  w.set_u32(a + ".block_count", uint32_t(s.n_layer));
  w.set_u32(a + ".attention.head_count", uint32_t(s.n_head));
  w.set_u32(a + ".feed_forward_length", uint32_t(2 * s.n_embd));
  w.set_u32(a + ".context_length", uint32_t(s.n_ctx));
  w.set_f32(a + ".attention.layer_norm_rms_epsilon", 1e-5f);
  w.set_u32(a + ".pooling_type", uint32_t(s.pooling));
  std::mt19937 rng(s.seed);
  std::normal_distribution<float> nd(0.0f, 0.4f);
  auto add = [&](const std::string& name, std::vector<int64_t> shape, bool matrix) {
    int64_t count = 1;
    for (int64_t d : shape) count *= d;
    std::vector<uint8_t> bytes(size_t(count) * 4);
    for (int64_t i = 0; i < count; ++i) {
      const float v = matrix ? nd(rng) : 1.0f + 0.1f * nd(rng);
      std::memcpy(bytes.data() + i * 4, &v, 4);
    }
    (void)w.add_tensor_owned(name, core::DType::F32, shape, std::move(bytes));
  };
  const int64_t C = s.n_embd;
  add("token_embd.weight", {C, s.n_vocab}, true);
  add("position_embd.weight", {C, s.n_ctx}, true);
  for (int l = 0; l < s.n_layer; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    add(p + "attn_norm.weight", {C}, false);
    for (const char* m : {"attn_q", "attn_k", "attn_v", "attn_output"}) add(p + m + ".weight", {C, C}, true);
  }
  auto bytes = w.to_bytes();
  return bytes.ok() ? std::move(bytes).value() : std::vector<uint8_t>{};
}

}  // namespace ondo::testing
