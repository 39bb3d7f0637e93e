// LoRA deltas in a batch (model/lora/apply.h): every row runs with its own adapters and
// scales, and a row's logits are bitwise those of the same sequence run alone, whatever the
// other rows use; a row without adapters is bitwise the base model's.
#include "ondo/model/lora/apply.h"

#include <gtest/gtest.h>

#include "ondo/model/gen/gen_lora.h"
#include "ondo/model/model.h"
#include "support/tiny_model.h"

namespace ondo::model {
namespace {

struct Fixture {
  std::vector<uint8_t> base_bytes, attn_bytes, mlp_bytes;
  std::unique_ptr<Model> model;
  std::shared_ptr<const LoraAdapter> attn, mlp;

  explicit Fixture(core::DType base_type) {
    testing::TinyModelSpec spec;
    spec.weight_type = base_type;
    base_bytes = testing::tiny_model_bytes(spec);
    model = Model::from_file(gguf::GgufFile::from_memory(base_bytes, "base.gguf").value()).value();
    gen::LoraGenSpec a;
    a.targets = {LoraTarget::Q, LoraTarget::K, LoraTarget::V, LoraTarget::O};
    a.b_std = 0.2f;
    attn_bytes = *gen::random_lora_bytes(model->file(), a);
    gen::LoraGenSpec b;
    b.targets = {LoraTarget::Gate, LoraTarget::Up, LoraTarget::Down};
    b.rank = 4;
    b.alpha = 0.0f;
    b.type = core::DType::F16;
    b.seed = 2;
    b.b_std = 0.2f;
    mlp_bytes = *gen::random_lora_bytes(model->file(), b);
    attn = LoraAdapter::from_file(gguf::GgufFile::from_memory(attn_bytes, "attn.gguf").value(), *model).value();
    mlp = LoraAdapter::from_file(gguf::GgufFile::from_memory(mlp_bytes, "mlp.gguf").value(), *model).value();
  }
};

std::vector<int32_t> prompt_of(size_t i) {
  std::vector<int32_t> p;
  for (size_t j = 0; j < 5 + i; ++j) p.push_back(int32_t((j * 7 + i * 11 + 3) % 40));
  return p;
}

// Logits of every prompt position and then of `n_decode` fed-back tokens (fixed ids), for
// each sequence; all sequences in one batch per step, or each alone.
std::vector<std::vector<float>> run(const Model& m, const std::vector<const LoraSet*>& sets, bool together,
                                    int threads) {
  const HParams& hp = m.hparams();
  const int32_t n_ctx = 32, n_seq = int32_t(sets.size()), n_decode = 3;
  const int64_t V = hp.n_vocab;
  core::ThreadPool pool(threads);
  std::vector<std::vector<float>> out(sets.size());
  auto pass = [&](const std::vector<size_t>& seqs, int32_t kv_seqs, KvStore& kv, ForwardScratch& s) {
    // prompt step
    std::vector<BatchToken> batch;
    for (size_t i : seqs) {
      const auto p = prompt_of(i);
      for (size_t j = 0; j < p.size(); ++j) {
        batch.push_back({p[j], int32_t(j), kv_seqs == 1 ? 0 : int32_t(i), true, sets[i]});
      }
    }
    std::vector<float> logits(batch.size() * size_t(V));
    EXPECT_TRUE(m.forward(batch, kv, s, pool, logits.data()).ok());
    for (size_t r = 0; r < batch.size(); ++r) {
      const size_t i = kv_seqs == 1 ? seqs[0] : size_t(batch[r].seq);
      out[i].insert(out[i].end(), logits.begin() + long(r * size_t(V)), logits.begin() + long((r + 1) * size_t(V)));
    }
    for (int32_t d = 0; d < n_decode; ++d) {
      batch.clear();
      for (size_t i : seqs) {
        batch.push_back({int32_t((i + 5 * size_t(d)) % 40), int32_t(prompt_of(i).size()) + d,
                         kv_seqs == 1 ? 0 : int32_t(i), true, sets[i]});
      }
      std::vector<float> row(batch.size() * size_t(V));
      EXPECT_TRUE(m.forward(batch, kv, s, pool, row.data()).ok());
      for (size_t r = 0; r < batch.size(); ++r) {
        const size_t i = kv_seqs == 1 ? seqs[0] : size_t(batch[r].seq);
        out[i].insert(out[i].end(), row.begin() + long(r * size_t(V)), row.begin() + long((r + 1) * size_t(V)));
      }
    }
  };
  if (together) {
    std::vector<float> k(size_t(hp.n_layer) * size_t(n_seq) * n_ctx * size_t(hp.kv_dim())), v(k.size());
    KvStore kv{hp.n_layer, n_seq, n_ctx, hp.kv_dim(), k.data(), v.data()};
    ForwardScratch s(hp, 128, n_ctx, pool.size());
    std::vector<size_t> all;
    for (size_t i = 0; i < sets.size(); ++i) all.push_back(i);
    pass(all, n_seq, kv, s);
  } else {
    for (size_t i = 0; i < sets.size(); ++i) {
      std::vector<float> k(size_t(hp.n_layer) * n_ctx * size_t(hp.kv_dim())), v(k.size());
      KvStore kv{hp.n_layer, 1, n_ctx, hp.kv_dim(), k.data(), v.data()};
      ForwardScratch s(hp, 128, n_ctx, pool.size());
      pass({i}, 1, kv, s);
    }
  }
  return out;
}

TEST(LoraApply, MixedBatchEqualsSoloRunsBitwise) {
  for (core::DType base_type : {core::DType::F32, core::DType::F16}) {
    Fixture f(base_type);
    const auto attn1 = *make_lora_set({{f.attn, 1.0f}});
    const auto mlp_half = *make_lora_set({{f.mlp, 0.5f}});
    const auto both = *make_lora_set({{f.attn, 1.0f}, {f.mlp, 2.0f}});
    const auto both_reversed = *make_lora_set({{f.mlp, 2.0f}, {f.attn, 1.0f}});
    const auto attn_twice = *make_lora_set({{f.attn, 0.25f}, {f.attn, 0.75f}});
    const std::vector<const LoraSet*> sets = {attn1.get(), nullptr,         mlp_half.get(),  both.get(),
                                              nullptr,     both_reversed.get(), attn_twice.get(), attn1.get()};
    const auto solo = run(*f.model, sets, false, 1);
    for (int threads : {1, 3}) {
      const auto mixed = run(*f.model, sets, true, threads);
      for (size_t i = 0; i < sets.size(); ++i) {
        EXPECT_EQ(mixed[i], solo[i]) << "sequence " << i << " base " << int(base_type) << " threads " << threads;
      }
    }
    // the adapters do change the output, each set differently
    const std::vector<const LoraSet*> none(sets.size(), nullptr);
    const auto base = run(*f.model, none, true, 1);
    EXPECT_EQ(solo[1], base[1]);
    EXPECT_EQ(solo[4], base[4]);
    for (size_t i : {0, 2, 3, 5, 6}) EXPECT_NE(solo[i], base[i]) << "sequence " << i;
  }
}

TEST(LoraApply, NoAdapterRowsAreTheBaseModelBitwise) {
  Fixture f(core::DType::F32);
  const auto attn1 = *make_lora_set({{f.attn, 1.0f}});
  const auto empty = *make_lora_set({{f.attn, 0.0f}});  // scale 0 is dropped: the base model
  ASSERT_TRUE(empty->empty());
  const std::vector<const LoraSet*> with = {nullptr, attn1.get(), empty.get()};
  const std::vector<const LoraSet*> without = {nullptr, nullptr, nullptr};
  const auto a = run(*f.model, with, true, 2);
  const auto b = run(*f.model, without, true, 2);
  EXPECT_EQ(a[0], b[0]);
  EXPECT_EQ(a[2], b[2]);
  EXPECT_NE(a[1], b[1]);
}

TEST(LoraApply, RefusesAnAdapterOfAnotherModel) {
  Fixture f(core::DType::F32), g(core::DType::F32);
  const auto foreign = *make_lora_set({{g.attn, 1.0f}});
  const HParams& hp = f.model->hparams();
  std::vector<float> k(size_t(hp.n_layer) * 8 * size_t(hp.kv_dim())), v(k.size());
  KvStore kv{hp.n_layer, 1, 8, hp.kv_dim(), k.data(), v.data()};
  core::ThreadPool pool(1);
  ForwardScratch s(hp, 8, 8, 1);
  const BatchToken t{3, 0, 0, true, foreign.get()};
  std::vector<float> logits(size_t(hp.n_vocab));
  const Status st = f.model->forward({&t, 1}, kv, s, pool, logits.data());
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("not bound to this model"), std::string::npos) << st.error().message;
}

}  // namespace
}  // namespace ondo::model
