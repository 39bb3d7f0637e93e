// LoRA forward/backward over a frozen base: finite-difference gradient checks per target
// group (attention, MLP), with dropout, on llama and qwen2 (RoPE styles, biases), and the
// frozen input gradient on quantized weights against a dequantized product.
#include "ondo/train/lora/lora_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "ondo/core/quant/reference.h"
#include "support/temp_dir.h"
#include "train/lora/lora_gradcheck.h"
#include "support/tiny_model.h"

namespace ondo::train::lora {
namespace {

class LoraModelTest : public testing::TempDirTest {
 protected:
  std::unique_ptr<FrozenBase> open_tiny(const std::string& arch, bool bias) {
    testing::TinyModelSpec s;
    s.arch = arch;
    s.qkv_bias = bias;
    const auto bytes = testing::tiny_model_bytes(s);
    const std::string p = path(arch + ".gguf");
    std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), long(bytes.size()));
    auto b = FrozenBase::open(p);
    EXPECT_TRUE(b.ok()) << (b.ok() ? "" : b.error().message);
    return b.ok() ? std::move(b).value() : nullptr;
  }

  void gradcheck(const FrozenBase& base, const LoraConfig& cfg) { lora_gradcheck(base, cfg); }
};

TEST_F(LoraModelTest, GradientMatchesFiniteDifferencesAttention) {
  auto base = open_tiny("llama", false);
  ASSERT_TRUE(base);
  LoraConfig cfg;
  ASSERT_TRUE(parse_targets("q,k,v,o", cfg).ok());
  cfg.attn = {3, 6.0f};
  gradcheck(*base, cfg);
}

TEST_F(LoraModelTest, GradientMatchesFiniteDifferencesMlp) {
  auto base = open_tiny("llama", false);
  ASSERT_TRUE(base);
  LoraConfig cfg;
  ASSERT_TRUE(parse_targets("gate,up,down", cfg).ok());
  cfg.mlp = {2, 3.0f};
  gradcheck(*base, cfg);
}

TEST_F(LoraModelTest, GradientMatchesWithDropoutAndBothGroups) {
  auto base = open_tiny("llama", false);
  ASSERT_TRUE(base);
  LoraConfig cfg;
  ASSERT_TRUE(parse_targets("all", cfg).ok());
  cfg.attn = {2, 4.0f};
  cfg.mlp = {4, 2.0f};
  cfg.dropout = 0.25f;
  gradcheck(*base, cfg);
}

TEST_F(LoraModelTest, GradientMatchesOnQwen2NeoxRopeWithBiases) {
  auto base = open_tiny("qwen2", true);
  ASSERT_TRUE(base);
  LoraConfig cfg;
  ASSERT_TRUE(parse_targets("q,v,down", cfg).ok());
  cfg.attn = {2, 4.0f};
  cfg.mlp = {2, 4.0f};
  gradcheck(*base, cfg);
}

TEST_F(LoraModelTest, FreshAdapterLeavesTheBaseUnchanged) {
  auto base = open_tiny("llama", false);
  ASSERT_TRUE(base);
  core::ThreadPool pool(1);
  LoraConfig cfg;
  ASSERT_TRUE(parse_targets("all", cfg).ok());
  LoraModel m(*base, cfg, 1, 4);
  std::vector<float> P(size_t(m.layout().n_params));
  Rng rng(1);
  m.init_params(rng, P.data());
  const int32_t tok[4] = {1, 5, 7, 9};
  std::vector<float> with(m.forward(P.data(), tok, 1, 4, false, 0, pool),
                          m.forward(P.data(), tok, 1, 4, false, 0, pool) + 4 * base->hp.n_vocab);
  std::fill(P.begin(), P.end(), 0.0f);
  const float* zero = m.forward(P.data(), tok, 1, 4, false, 0, pool);
  for (int64_t i = 0; i < 4 * base->hp.n_vocab; ++i) ASSERT_EQ(with[size_t(i)], zero[i]) << i;
}

TEST(LoraFrozenGrad, QuantizedRowsMatchDequantizedProduct) {
  const int64_t N = 70, K = 64, T = 5;
  Rng rng(3);
  std::vector<float> w(size_t(N * K)), dy(size_t(T * N));
  for (float& x : w) x = rng.normal(1.0f);
  for (float& x : dy) x = rng.normal(1.0f);
  const size_t row_bytes = size_t(K / 32) * 34;  // Q8_0 block: f16 scale + 32 int8
  std::vector<uint8_t> q(row_bytes * size_t(N));
  for (int64_t n = 0; n < N; ++n) core::quant::quantize_row_q8_0(w.data() + n * K, q.data() + size_t(n) * row_bytes, K);
  core::Tensor t;
  t.type = core::DType::Q8_0;
  t.ne[0] = K, t.ne[1] = N;
  t.data = q.data();
  t.row_bytes = row_bytes;
  std::vector<float> deq(size_t(N * K));
  for (int64_t n = 0; n < N; ++n) core::quant::dequantize_row_q8_0(q.data() + size_t(n) * row_bytes, deq.data() + n * K, K);
  core::ThreadPool pool(3);
  std::vector<float> dx(size_t(T * K), 1.0f), tile;
  frozen_input_grad(core::PreparedTensor(t), dy.data(), T, dx.data(), true, tile, pool);
  for (int64_t tt = 0; tt < T; ++tt) {
    for (int64_t k = 0; k < K; ++k) {
      double s = 1.0;
      for (int64_t n = 0; n < N; ++n) s += double(dy[size_t(tt * N + n)]) * deq[size_t(n * K + k)];
      EXPECT_NEAR(dx[size_t(tt * K + k)], s, 1e-3) << tt << "," << k;
    }
  }
}

TEST(LoraConfigTest, TargetsAndValidation) {
  LoraConfig c;
  EXPECT_FALSE(validate_lora_config(c).ok());
  ASSERT_TRUE(parse_targets("q_proj, v_proj", c).ok());
  EXPECT_TRUE(c.targets[0] && c.targets[2] && !c.targets[1]);
  EXPECT_TRUE(validate_lora_config(c).ok());
  auto bad = parse_targets("q,wq", c);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("'wq'"), std::string::npos);
  ASSERT_TRUE(parse_targets("mlp", c).ok());
  c.mlp.rank = 0;
  auto r = validate_lora_config(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("MLP rank"), std::string::npos);
}

}  // namespace
}  // namespace ondo::train::lora
