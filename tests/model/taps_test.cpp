// Activation taps (LoadOptions::tap): each decoder unit names its activations after the GGUF
// tensors in recipe order with the right shapes, the final tap is bitwise the logits
// forward() returns, and a tapped model computes the same logits as an untapped one.
// Layer: model (tests).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "ondo/model/model.h"
#include "support/tiny_model.h"

namespace ondo::model {
namespace {

struct Seen {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> data;
};

struct Run {
  std::vector<float> logits;
  std::vector<Seen> taps;
};

Run run(const testing::TinyModelSpec& spec, bool tapped, const std::vector<BatchToken>& batch) {
  Run r;
  const std::vector<uint8_t> bytes = testing::tiny_model_bytes(spec);
  LoadOptions o;
  if (tapped) {
    o.tap = [&r](std::string_view name, std::span<const int64_t> shape, const float* data) {
      int64_t n = 1;
      for (int64_t d : shape) n *= d;
      r.taps.push_back({std::string(name), {shape.begin(), shape.end()}, std::vector<float>(data, data + n)});
    };
  }
  auto m = Model::from_file(std::move(gguf::GgufFile::from_memory(bytes, "tiny.gguf")).value(), o);
  EXPECT_TRUE(m.ok()) << m.error().message;
  if (!m.ok()) return r;
  const HParams& hp = (*m)->hparams();
  std::vector<float> k(size_t(hp.n_layer) * 16 * size_t(hp.kv_dim())), v(k.size());
  KvStore kv{hp.n_layer, 1, 16, hp.kv_dim(), k.data(), v.data()};
  ForwardScratch scratch(hp, 8, 16, 2);
  core::ThreadPool pool(2);
  int rows = 0;
  for (const BatchToken& t : batch) rows += t.logits;
  r.logits.resize(size_t(rows) * size_t(hp.n_vocab));
  Status st = (*m)->forward(batch, kv, scratch, pool, r.logits.data());
  EXPECT_TRUE(st.ok()) << st.error().message;
  return r;
}

void check_unit(const testing::TinyModelSpec& spec) {
  const std::vector<BatchToken> batch = {{5, 0, 0, true}, {9, 1, 0, false}, {17, 2, 0, true}};
  const Run plain = run(spec, false, batch), tapped = run(spec, true, batch);
  const int64_t T = 3, C = spec.n_embd, D = C / spec.n_head, QD = C, KVD = D * spec.n_head_kv, F = spec.n_ff;
  std::vector<std::pair<std::string, std::vector<int64_t>>> want = {{"token_embd", {T, C}}};
  for (int l = 0; l < spec.n_layer; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    for (const auto& [n, s] : std::vector<std::pair<std::string, std::vector<int64_t>>>{
             {"attn_norm", {T, C}}, {"attn_q", {T, QD}}, {"attn_k", {T, KVD}}, {"attn_v", {T, KVD}},
             {"attn", {T, QD}}, {"attn_output", {T, C}}, {"ffn_inp", {T, C}}, {"ffn_norm", {T, C}},
             {"ffn_gate", {T, F}}, {"ffn_up", {T, F}}, {"ffn_swiglu", {T, F}}, {"ffn_down", {T, C}}, {"out", {T, C}}}) {
      want.push_back({p + n, s});
    }
  }
  want.push_back({"output_norm", {2, C}});
  want.push_back({"output", {2, spec.n_vocab}});
  ASSERT_EQ(tapped.taps.size(), want.size()) << spec.arch;
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(tapped.taps[i].name, want[i].first) << spec.arch << " tap " << i;
    EXPECT_EQ(tapped.taps[i].shape, want[i].second) << tapped.taps[i].name;
  }
  ASSERT_EQ(plain.logits.size(), tapped.logits.size());
  EXPECT_EQ(0, std::memcmp(plain.logits.data(), tapped.logits.data(), plain.logits.size() * sizeof(float)))
      << "a tap changed the result";
  const Seen& last = tapped.taps.back();
  ASSERT_EQ(last.data.size(), tapped.logits.size());
  EXPECT_EQ(0, std::memcmp(last.data.data(), tapped.logits.data(), last.data.size() * sizeof(float)));
}

TEST(Taps, LlamaNamesShapesAndFinalLogits) { check_unit({}); }

TEST(Taps, Qwen2NamesShapesAndFinalLogits) {
  testing::TinyModelSpec s;
  s.arch = "qwen2";
  s.qkv_bias = true;
  check_unit(s);
}

}  // namespace
}  // namespace ondo::model
