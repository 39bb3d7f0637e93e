// The preset rule on hand-made tensor lists: which type each tensor of a llama-shaped model
// gets in each preset (llama.cpp's llama_tensor_get_type), fallbacks, order. Layer: model tests.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "ondo/model/quantize/preset.h"

namespace ondo::model::quantize {
namespace {

using core::DType;

// A llama decoder's tensors in llama.cpp's output order.
std::vector<TensorDesc> llama_tensors(int n_layer, int64_t C, int64_t F, int64_t V, bool tied,
                                      std::vector<std::string>& names) {
  names.clear();
  names.push_back("output_norm.weight");
  if (!tied) names.push_back("output.weight");
  names.push_back("rope_freqs.weight");
  names.push_back("token_embd.weight");
  for (int i = 0; i < n_layer; ++i) {
    for (const char* s : {"attn_k", "attn_norm", "attn_output", "attn_q", "attn_v", "ffn_down", "ffn_gate",
                          "ffn_norm", "ffn_up"}) {
      names.push_back("blk." + std::to_string(i) + "." + s + ".weight");
    }
  }
  std::vector<TensorDesc> out;
  for (const std::string& n : names) {
    std::vector<int64_t> shape = {C, C};
    if (n.find("norm") != std::string::npos) shape = {C};
    if (n == "rope_freqs.weight") shape = {32};
    if (n == "token_embd.weight" || n == "output.weight") shape = {C, V};
    if (n.find("ffn_down") != std::string::npos) shape = {F, C};
    if (n.find("ffn_up") != std::string::npos || n.find("ffn_gate") != std::string::npos) shape = {C, F};
    out.push_back({n, DType::F16, shape});
  }
  return out;
}

std::map<std::string, DType> choose(const char* preset, int n_layer, int64_t C, bool tied, int n_head_kv = 8) {
  std::vector<std::string> names;
  const auto t = llama_tensors(n_layer, C, 4 * C, 1024, tied, names);
  const Preset* p = find_preset(preset);
  EXPECT_NE(p, nullptr) << preset;
  const auto c = choose_types(*p, {n_layer, 32, n_head_kv}, t);
  std::map<std::string, DType> m;
  for (size_t i = 0; i < t.size(); ++i) m[names[i]] = c[i].type;
  return m;
}

std::string blk(int i, const char* s) { return "blk." + std::to_string(i) + "." + s + ".weight"; }

TEST(Preset, NamesAreCaseInsensitiveAndUnknownIsNull) {
  ASSERT_NE(find_preset("q4_k_m"), nullptr);
  EXPECT_EQ(find_preset("q4_k_m")->file_type, FileType::Q4_K_M);
  EXPECT_EQ(uint32_t(find_preset("Q8_0")->file_type), 7u);
  EXPECT_EQ(uint32_t(find_preset("bf16")->file_type), 32u);
  EXPECT_EQ(find_preset("Q4_K"), nullptr);
  EXPECT_EQ(find_preset("IQ2_XS"), nullptr);
  EXPECT_NE(presets_list().find("Q3_K_L"), std::string::npos);
}

TEST(Preset, Q4KMGivesMoreBitsToAttnVAndFfnDownInSomeLayers) {
  const auto m = choose("Q4_K_M", 16, 2048, /*tied=*/true);
  // use_more_bits(i, 16): i < 2, i >= 14, or (i - 2) % 3 == 2 -> 0 1 4 7 10 13 14 15
  const std::vector<int> more = {0, 1, 4, 7, 10, 13, 14, 15};
  for (int i = 0; i < 16; ++i) {
    const bool m6 = std::find(more.begin(), more.end(), i) != more.end();
    EXPECT_EQ(m.at(blk(i, "attn_v")), m6 ? DType::Q6_K : DType::Q4_K) << i;
    EXPECT_EQ(m.at(blk(i, "ffn_down")), m6 ? DType::Q6_K : DType::Q4_K) << i;
    EXPECT_EQ(m.at(blk(i, "attn_q")), DType::Q4_K) << i;
    EXPECT_EQ(m.at(blk(i, "attn_norm")), DType::F16) << i;  // 1-D: kept as it is
  }
  EXPECT_EQ(m.at("token_embd.weight"), DType::Q6_K);  // tied: quantized like the output
  EXPECT_EQ(m.at("rope_freqs.weight"), DType::F16);
}

TEST(Preset, UntiedEmbeddingKeepsTheBaseTypeAndOutputGetsQ6K) {
  const auto m = choose("Q4_0", 4, 256, /*tied=*/false);
  EXPECT_EQ(m.at("token_embd.weight"), DType::Q4_0);
  EXPECT_EQ(m.at("output.weight"), DType::Q6_K);
  EXPECT_EQ(choose("Q8_0", 4, 256, false).at("output.weight"), DType::Q8_0);
}

TEST(Preset, SmallAndLargeKPresets) {
  const auto s = choose("Q4_K_S", 16, 2048, false);
  for (int i = 0; i < 16; ++i) {
    EXPECT_EQ(s.at(blk(i, "attn_v")), i < 4 ? DType::Q5_K : DType::Q4_K) << i;
    EXPECT_EQ(s.at(blk(i, "ffn_down")), i < 2 ? DType::Q5_K : DType::Q4_K) << i;
  }
  const auto l = choose("Q3_K_L", 16, 2048, false);
  EXPECT_EQ(l.at(blk(3, "attn_v")), DType::Q5_K);
  EXPECT_EQ(l.at(blk(3, "ffn_down")), DType::Q5_K);
  EXPECT_EQ(l.at(blk(3, "attn_output")), DType::Q5_K);
  EXPECT_EQ(l.at(blk(3, "attn_q")), DType::Q3_K);
  const auto q3s = choose("Q3_K_S", 16, 2048, false);
  EXPECT_EQ(q3s.at(blk(0, "attn_v")), DType::Q3_K);
  EXPECT_EQ(q3s.at("output.weight"), DType::Q6_K);
  const auto q3m = choose("Q3_K_M", 32, 2048, false);
  EXPECT_EQ(q3m.at(blk(0, "ffn_down")), DType::Q5_K);  // i < n/16
  EXPECT_EQ(q3m.at(blk(2, "ffn_down")), DType::Q4_K);
  EXPECT_EQ(q3m.at(blk(1, "attn_v")), DType::Q5_K);  // first two
  EXPECT_EQ(q3m.at(blk(2, "attn_v")), DType::Q4_K);
  const auto q5s = choose("Q5_K_S", 16, 2048, false);
  EXPECT_EQ(q5s.at(blk(0, "attn_v")), DType::Q5_K);
}

TEST(Preset, Q2KDependsOnGqa) {
  EXPECT_EQ(choose("Q2_K", 4, 256, false, /*n_head_kv=*/8).at(blk(0, "attn_v")), DType::Q4_K);   // gqa 4
  EXPECT_EQ(choose("Q2_K", 4, 256, false, /*n_head_kv=*/16).at(blk(0, "attn_v")), DType::Q3_K);  // gqa 2
  EXPECT_EQ(choose("Q2_K", 4, 256, false).at(blk(0, "ffn_down")), DType::Q3_K);
  EXPECT_EQ(choose("Q2_K", 4, 256, false).at(blk(0, "ffn_up")), DType::Q2_K);
}

TEST(Preset, RowsThatDoNotFitAKBlockFallBack) {
  const auto m = choose("Q4_K_M", 2, 96, false);  // 96 % 256 != 0, 96 % 32 == 0
  EXPECT_EQ(m.at(blk(0, "attn_q")), DType::Q5_0);
  EXPECT_EQ(m.at(blk(1, "attn_v")), DType::Q8_0);  // Q6_K -> Q8_0
  EXPECT_EQ(m.at("output.weight"), DType::Q8_0);
  EXPECT_EQ(choose("Q5_K_S", 2, 96, false).at(blk(0, "attn_q")), DType::Q5_1);
  EXPECT_EQ(choose("Q3_K_S", 2, 96, false).at(blk(0, "attn_q")), DType::Q4_0);
  EXPECT_EQ(choose("Q4_K_S", 2, 40, false).at(blk(0, "attn_q")), DType::F16);  // 40 % 32 != 0
  EXPECT_EQ(choose("F32", 2, 40, false).at(blk(0, "attn_q")), DType::F32);
}

TEST(Preset, LlamaOrderPutsGlobalTensorsFirstThenBlocksNumerically) {
  const std::vector<std::string_view> names = {"token_embd.weight", "blk.10.attn_q.weight", "blk.2.ffn_up.weight",
                                               "output.weight", "blk.2.attn_k.weight", "output_norm.weight"};
  const auto order = llama_tensor_order(names);
  std::vector<std::string_view> got;
  for (size_t i : order) got.push_back(names[i]);
  EXPECT_EQ(got, (std::vector<std::string_view>{"output.weight", "output_norm.weight", "token_embd.weight",
                                                "blk.2.attn_k.weight", "blk.2.ffn_up.weight", "blk.10.attn_q.weight"}));
}

}  // namespace
}  // namespace ondo::model::quantize
