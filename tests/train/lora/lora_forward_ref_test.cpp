// The training forward pass against llama.cpp: LoraModel loaded with the reference adapters
// (testdata models/lora/) gives llama.cpp's logits for the same prompt (reference/lora/),
// on the F32 and Q8_0 bases, so what training optimizes is what llama.cpp runs.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "ondo/train/lora/adapter_file.h"
#include "ondo/train/lora/lora_model.h"
#include "support/testdata.h"

namespace ondo::train::lora {
namespace {

struct Case {
  const char* run, *base, *adapter, *targets;
  int32_t rank;
  float alpha, tol;
};

TEST(LoraForwardRef, MatchesLlamaCppWithReferenceAdapters) {
  ONDO_TESTDATA_OR_SKIP(td);
  std::ifstream in(td / "reference" / "lora" / "ref-llama-spm-lora.json");
  ASSERT_TRUE(in.good());
  const nlohmann::json ref = nlohmann::json::parse(in);
  const std::vector<int32_t> tokens = ref["tokens"].get<std::vector<int32_t>>();
  const Case cases[] = {
      {"attn_1.0", "ref-llama-spm-f32.gguf", "ref-llama-spm-lora-attn.gguf", "attn", 8, 16, 1e-4f},
      {"mlp_1.0", "ref-llama-spm-f32.gguf", "ref-llama-spm-lora-mlp.gguf", "mlp", 4, 8, 1e-4f},
      // the Q8_0 base: ondo's matmul quantizes activations as llama.cpp does; the adapter stays F32
      {"q8_0_attn_1.0", "ref-llama-spm-q8_0.gguf", "ref-llama-spm-lora-attn.gguf", "attn", 8, 16, 1e-2f},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.run);
    const nlohmann::json* run = nullptr;
    for (const auto& r : ref["runs"])
      if (r["name"] == c.run) run = &r;
    ASSERT_NE(run, nullptr);
    auto base = FrozenBase::open(td / "models" / c.base);
    ASSERT_TRUE(base.ok()) << base.error().message;
    auto ad = read_adapter_file(td / "models" / "lora" / c.adapter);
    ASSERT_TRUE(ad.ok()) << ad.error().message;
    LoraConfig cfg;
    ASSERT_TRUE(parse_targets(c.targets, cfg).ok());
    cfg.attn = cfg.mlp = {c.rank, c.alpha};
    const int64_t S = int64_t(tokens.size());
    LoraModel m(**base, cfg, 1, S);
    std::vector<float> P(size_t(m.layout().n_params), 0.0f);
    int filled = 0;
    for (const ParamTensor& t : m.layout().tensors) {
      for (const AdapterPair& p : ad->pairs) {
        const std::vector<float>* src = t.name == p.weight + ".lora_a" ? &p.a : t.name == p.weight + ".lora_b" ? &p.b : nullptr;
        if (!src) continue;
        ASSERT_EQ(int64_t(src->size()), t.size()) << t.name;
        std::copy(src->begin(), src->end(), P.begin() + t.offset);
        ++filled;
      }
    }
    ASSERT_EQ(size_t(filled), m.layout().tensors.size());
    core::ThreadPool pool(2);
    const float* logits = m.forward(P.data(), tokens.data(), 1, S, false, 0, pool);
    const int64_t V = (*base)->hp.n_vocab;
    const auto& want = (*run)["logits"];
    ASSERT_EQ(int64_t(want.size()), S);
    double worst = 0;
    for (int64_t s = 0; s < S; ++s) {
      for (int64_t v = 0; v < V; ++v) {
        worst = std::max(worst, std::fabs(double(logits[s * V + v]) - want[size_t(s)][size_t(v)].get<double>()));
      }
    }
    EXPECT_LT(worst, c.tol) << "max abs logit difference";
    std::printf("%s: max abs logit difference %.2e (tolerance %.0e)\n", c.run, worst, double(c.tol));
    // and the adapter matters: far from the no-adapter logits
    EXPECT_GT((*run)["max_abs_diff_vs_no_adapter"].get<double>(), 10 * c.tol);
  }
}

}  // namespace
}  // namespace ondo::train::lora
