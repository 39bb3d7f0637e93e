// Decoders as embedding models (LoadOptions::pooling, blocks::decoder_encode) on the llama
// and qwen2 reference models of testdata: the pooled vector equals a hand computation from
// the model's own hidden states (forward() through a KV cache, the "output_norm" tap of every
// token: the last row, or the mean of the rows in double), its L2 normalisation equals
// llama.cpp's common_embd_normalize done by hand; a sequence alone equals the same sequence
// in a batch (bitwise, 1 and 3 threads, F32 and Q4_K_M weights); the kind switches and the
// errors. There is no llama.cpp reference for decoder embeddings in testdata: the reference
// is our own forward pass, which tests/model/forward_ref_test.cpp checks against llama.cpp.
// Layer: model (tests).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "ondo/core/kernels/ops.h"
#include "ondo/model/model.h"
#include "support/testdata.h"

namespace ondo::model {
namespace {

std::unique_ptr<Model> load(const std::filesystem::path& p, LoadOptions o) {
  auto m = Model::load(p, o);
  EXPECT_TRUE(m.ok()) << m.error().message;
  return m.ok() ? std::move(m).value() : nullptr;
}

// Every token's final-norm output [n][C] from forward() over a KV cache (all logits on).
std::vector<float> hidden_states(const std::filesystem::path& p, const std::vector<int32_t>& seq) {
  std::vector<float> rows;
  LoadOptions o;
  o.tap = [&](std::string_view name, std::span<const int64_t> shape, const float* data) {
    if (name == "output_norm") rows.assign(data, data + shape[0] * shape[1]);
  };
  auto m = load(p, o);
  if (!m) return {};
  EXPECT_EQ(m->kind(), ModelKind::Generate);
  const HParams& hp = m->hparams();
  const int32_t n = int32_t(seq.size());
  std::vector<float> k(size_t(hp.n_layer) * size_t(n) * size_t(hp.kv_dim())), v(k.size());
  KvStore kv{hp.n_layer, 1, n, hp.kv_dim(), k.data(), v.data()};
  ForwardScratch scratch(hp, n, n, 1);
  core::ThreadPool pool(1);
  std::vector<BatchToken> batch;
  for (int32_t i = 0; i < n; ++i) batch.push_back({seq[size_t(i)], i, 0, true});
  std::vector<float> logits(size_t(n) * size_t(hp.n_vocab));
  Status st = m->forward(batch, kv, scratch, pool, logits.data());
  EXPECT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(rows.size(), size_t(n) * size_t(hp.n_embd));
  return rows;
}

std::vector<float> encode(const Model& m, const std::vector<std::vector<int32_t>>& seqs, int threads = 1) {
  std::vector<BatchToken> b;
  for (size_t s = 0; s < seqs.size(); ++s) {
    for (size_t p = 0; p < seqs[s].size(); ++p) b.push_back({seqs[s][p], int32_t(p), int32_t(s), false});
  }
  ForwardScratch scratch(m.hparams(), int32_t(b.size()), 64, threads);
  core::ThreadPool pool(threads);
  std::vector<float> out(seqs.size() * size_t(m.n_embd_out()));
  Status st = m.encode(b, scratch, pool, out.data());
  EXPECT_TRUE(st.ok()) << st.error().message;
  return out;
}

// llama.cpp's common_embd_normalize(.., 2): the sum of squares in double, one float scale.
std::vector<float> normalized_by_hand(std::vector<float> v) {
  double sum = 0.0;
  for (float x : v) sum += double(x * x);
  const float norm = float(1.0 / std::sqrt(sum));
  for (float& x : v) x *= norm;
  return v;
}

struct RefModel {
  const char* file;
  std::vector<int32_t> tokens;  // any ids below the vocabulary size (BOS first)
};

const RefModel kModels[] = {
    {"ref-llama-spm-f32.gguf", {1, 450, 496, 173, 170, 432, 298, 13, 306, 76}},
    {"ref-qwen2-small-f32-embq8_0.gguf", {9707, 11, 1879, 0, 22, 4340, 374, 264, 1273, 13, 5005, 151000}},
};

TEST(DecoderEmbed, PooledEqualsHandComputationFromHiddenStates) {
  ONDO_TESTDATA_OR_SKIP(dir);
  for (const RefModel& rm : kModels) {
    const auto path = dir / "models" / rm.file;
    const std::vector<float> rows = hidden_states(path, rm.tokens);
    ASSERT_FALSE(rows.empty()) << rm.file;
    const size_t n = rm.tokens.size(), C = rows.size() / n;
    for (Pooling p : {Pooling::Last, Pooling::Mean, Pooling::Cls}) {
      LoadOptions o;
      o.pooling = p;
      auto m = load(path, o);
      ASSERT_TRUE(m);
      EXPECT_EQ(m->kind(), ModelKind::Encode);
      ASSERT_EQ(size_t(m->n_embd_out()), C);
      const std::vector<float> got = encode(*m, {rm.tokens});
      std::vector<double> want(C, 0.0);
      if (p == Pooling::Mean) {
        for (size_t t = 0; t < n; ++t) {
          for (size_t c = 0; c < C; ++c) want[c] += rows[t * C + c];
        }
        for (double& x : want) x /= double(n);
      } else {
        const size_t row = p == Pooling::Last ? n - 1 : 0;
        for (size_t c = 0; c < C; ++c) want[c] = rows[row * C + c];
      }
      double worst = 0.0, scale = 0.0;
      for (size_t c = 0; c < C; ++c) {
        worst = std::max(worst, std::fabs(double(got[c]) - want[c]));
        scale = std::max(scale, std::fabs(want[c]));
      }
      // Last and Cls copy a row: bit for bit. Mean sums floats in position order: within a
      // few float roundings of the double sum.
      const double tol = p == Pooling::Mean ? 1e-6 * std::max(1.0, scale) : 0.0;
      EXPECT_LE(worst, tol) << rm.file << " pooling " << pooling_name(p);
      std::printf("[ measured ] %s %s: max |pooled - by hand| %.3g (components up to %.3g)\n", rm.file,
                  std::string(pooling_name(p)).c_str(), worst, scale);
      // The served vector: L2-normalised as llama.cpp normalises /v1/embeddings.
      std::vector<float> served = got;
      core::l2_normalize(served.data(), int64_t(C));
      std::vector<float> want_f(C);
      for (size_t c = 0; c < C; ++c) want_f[c] = float(want[c]);
      const std::vector<float> by_hand = normalized_by_hand(want_f);
      double nworst = 0.0, norm2 = 0.0;
      for (size_t c = 0; c < C; ++c) {
        nworst = std::max(nworst, std::fabs(double(served[c]) - double(by_hand[c])));
        norm2 += double(served[c]) * double(served[c]);
      }
      EXPECT_LE(nworst, 1e-6) << rm.file << " pooling " << pooling_name(p);
      EXPECT_NEAR(norm2, 1.0, 1e-5);
    }
  }
}

TEST(DecoderEmbed, BatchingInvariantBitwise) {
  ONDO_TESTDATA_OR_SKIP(dir);
  for (const char* file : {"ref-llama-spm-f32.gguf", "ref-llama-spm-q4_k_m.gguf", "ref-qwen2-small-q8_0.gguf"}) {
    for (Pooling p : {Pooling::Last, Pooling::Mean}) {
      LoadOptions o;
      o.pooling = p;
      auto m = load(dir / "models" / file, o);
      ASSERT_TRUE(m);
      const size_t C = size_t(m->n_embd_out());
      const std::vector<int32_t> a = {1, 450, 496, 173, 170, 432, 298}, b = {1, 13, 306},
                                 c = {1, 76, 292, 170, 263, 291, 9, 87, 5, 123, 44, 2};
      const std::vector<float> alone_a = encode(*m, {a}), alone_b = encode(*m, {b}), alone_c = encode(*m, {c});
      for (int threads : {1, 3}) {
        const std::vector<float> mixed = encode(*m, {b, a, c}, threads);
        EXPECT_EQ(std::memcmp(alone_b.data(), mixed.data(), C * sizeof(float)), 0) << file << " " << threads;
        EXPECT_EQ(std::memcmp(alone_a.data(), mixed.data() + C, C * sizeof(float)), 0) << file << " " << threads;
        EXPECT_EQ(std::memcmp(alone_c.data(), mixed.data() + 2 * C, C * sizeof(float)), 0) << file << " " << threads;
        EXPECT_NE(std::memcmp(mixed.data(), mixed.data() + C, C * sizeof(float)), 0);
      }
    }
  }
}

TEST(DecoderEmbed, KindsAndErrors) {
  ONDO_TESTDATA_OR_SKIP(dir);
  const auto path = dir / "models" / "ref-llama-spm-f32.gguf";
  auto gen = load(path, {});
  ASSERT_TRUE(gen);
  EXPECT_EQ(gen->kind(), ModelKind::Generate);
  ForwardScratch scratch(gen->hparams(), 8, 8, 1);
  core::ThreadPool pool(1);
  std::vector<BatchToken> batch = {{1, 0, 0, false}, {45, 1, 0, false}};
  std::vector<float> out(size_t(gen->n_embd_out()));
  Status st = gen->encode(batch, scratch, pool, out.data());
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("embedding pooling"), std::string::npos) << st.error().message;

  LoadOptions o;
  o.pooling = Pooling::Last;
  auto emb = load(path, o);
  ASSERT_TRUE(emb);
  const HParams& hp = emb->hparams();
  std::vector<float> k(size_t(hp.n_layer) * 8 * size_t(hp.kv_dim())), v(k.size());
  KvStore kv{hp.n_layer, 1, 8, hp.kv_dim(), k.data(), v.data()};
  std::vector<float> logits(2 * size_t(hp.n_vocab));
  st = emb->forward(batch, kv, scratch, pool, logits.data());
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("loaded as an embedding model"), std::string::npos) << st.error().message;

  for (Pooling bad : {Pooling::Rank, Pooling::None}) {
    o.pooling = bad;
    auto r = Model::load(path, o);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("must be mean, cls or last"), std::string::npos) << r.error().message;
  }
  // An encoder's pooling can be replaced, a reranker's cannot.
  o.pooling = Pooling::Cls;
  auto bert = load(dir / "models" / "ref-bert-mean-f32.gguf", o);
  ASSERT_TRUE(bert);
  EXPECT_EQ(bert->hparams().pooling, Pooling::Cls);
  auto rank = Model::load(dir / "models" / "ref-bert-rank-f32.gguf", o);
  ASSERT_FALSE(rank.ok());
  EXPECT_NE(rank.error().message.find("reranker"), std::string::npos) << rank.error().message;

  EXPECT_EQ(*parse_pooling("mean"), Pooling::Mean);
  EXPECT_EQ(*parse_pooling("last"), Pooling::Last);
  auto p = parse_pooling("max");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("'max'"), std::string::npos);
}

}  // namespace
}  // namespace ondo::model
