// A tiny random-weight llama-style GGUF built in memory with gguf::Writer, for tests that
// need a model without files (model faults, batching invariants). Test support only;
// header-only so that only tests linking gguf/ include it.
#pragma once

#include <functional>
#include <random>
#include <string>
#include <vector>

#include "ondo/core/fp16.h"
#include "ondo/gguf/writer.h"

namespace ondo::testing {

struct TinyModelSpec {
  std::string arch = "llama";
  int n_embd = 32, n_layer = 2, n_head = 4, n_head_kv = 2, n_ff = 64, n_vocab = 40, n_ctx = 128;
  bool qkv_bias = false;
  bool tied = false;
  uint32_t seed = 7;
  // Called before writing, to remove or change keys and tensors (fault injection).
  std::function<void(gguf::Writer&)> mutate_meta;
  // Tensors to leave out, or to give a wrong shape: name -> replacement shape (empty: omit).
  std::vector<std::pair<std::string, std::vector<int64_t>>> tensor_overrides;
  core::DType weight_type = core::DType::F32;  // F32 or F16 for matrices
};

inline std::vector<uint8_t> tiny_model_bytes(const TinyModelSpec& s) {
  gguf::Writer w;
  const std::string a = s.arch;
  w.set_string("general.architecture", a);
  w.set_u32(a + ".embedding_length", uint32_t(s.n_embd));
  w.set_u32(a + ".block_count", uint32_t(s.n_layer));
  w.set_u32(a + ".attention.head_count", uint32_t(s.n_head));
  w.set_u32(a + ".attention.head_count_kv", uint32_t(s.n_head_kv));
  w.set_u32(a + ".feed_forward_length", uint32_t(s.n_ff));
  w.set_u32(a + ".context_length", uint32_t(s.n_ctx));
  w.set_f32(a + ".attention.layer_norm_rms_epsilon", 1e-5f);
  w.set_string("tokenizer.ggml.model", "llama");
  std::vector<std::string> toks;
  std::vector<float> scores;
  std::vector<int32_t> types;
  for (int i = 0; i < s.n_vocab; ++i) {
    toks.push_back(i == 0 ? "<unk>" : i == 1 ? "<s>" : i == 2 ? "</s>" : std::string(1, char('a' + (i % 26))) + std::to_string(i));
    scores.push_back(0.0f);
    types.push_back(i < 3 ? (i == 0 ? 2 : 3) : 1);
  }
  w.set_array("tokenizer.ggml.tokens", std::span<const std::string>(toks));
  w.set_array("tokenizer.ggml.scores", std::span<const float>(scores));
  w.set_array("tokenizer.ggml.token_type", std::span<const int32_t>(types));
  w.set_u32("tokenizer.ggml.bos_token_id", 1);
  w.set_u32("tokenizer.ggml.eos_token_id", 2);
  if (s.mutate_meta) s.mutate_meta(w);

  std::mt19937 rng(s.seed);
  std::normal_distribution<float> nd(0.0f, 0.3f);
  const int64_t C = s.n_embd, D = C / s.n_head, KV = D * s.n_head_kv, F = s.n_ff, V = s.n_vocab;
  auto add = [&](const std::string& name, std::vector<int64_t> shape, bool matrix) {
    for (const auto& [n, sh] : s.tensor_overrides) {
      if (n == name) {
        if (sh.empty()) return;
        shape = sh;
      }
    }
    int64_t count = 1;
    for (int64_t d : shape) count *= d;
    const bool f16 = matrix && s.weight_type == core::DType::F16;
    std::vector<uint8_t> bytes(size_t(count) * (f16 ? 2 : 4));
    for (int64_t i = 0; i < count; ++i) {
      const float v = matrix ? nd(rng) : 1.0f + 0.1f * nd(rng);
      if (f16) {
        const uint16_t h = core::f32_to_fp16(v);
        std::memcpy(bytes.data() + i * 2, &h, 2);
      } else {
        std::memcpy(bytes.data() + i * 4, &v, 4);
      }
    }
    (void)w.add_tensor_owned(name, f16 ? core::DType::F16 : core::DType::F32, shape, std::move(bytes));
  };
  add("token_embd.weight", {C, V}, true);
  add("output_norm.weight", {C}, false);
  if (!s.tied) add("output.weight", {C, V}, true);
  for (int l = 0; l < s.n_layer; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    add(p + "attn_norm.weight", {C}, false);
    add(p + "attn_q.weight", {C, C}, true);
    add(p + "attn_k.weight", {C, KV}, true);
    add(p + "attn_v.weight", {C, KV}, true);
    add(p + "attn_output.weight", {C, C}, true);
    if (s.qkv_bias) {
      add(p + "attn_q.bias", {C}, false);
      add(p + "attn_k.bias", {KV}, false);
      add(p + "attn_v.bias", {KV}, false);
    }
    add(p + "ffn_norm.weight", {C}, false);
    add(p + "ffn_gate.weight", {C, F}, true);
    add(p + "ffn_up.weight", {C, F}, true);
    add(p + "ffn_down.weight", {F, C}, true);
  }
  auto bytes = w.to_bytes();
  return bytes.ok() ? std::move(bytes).value() : std::vector<uint8_t>{};
}

}  // namespace ondo::testing
