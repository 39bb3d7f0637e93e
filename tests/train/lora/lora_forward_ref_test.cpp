// The training forward pass against llama.cpp: LoraModel loaded with the reference adapters
// (testdata models/lora/) gives llama.cpp's logits for the same prompt (reference/lora/),
// on the F32 and Q8_0 bases, so what training optimizes is what llama.cpp runs; and the
// gradient check on quantized bases.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <unistd.h>

#include "ondo/core/dtype.h"
#include "ondo/gguf/reader.h"
#include "ondo/gguf/writer.h"

#include <nlohmann/json.hpp>

#include "ondo/train/lora/adapter_file.h"
#include "ondo/train/lora/lora_model.h"
#include "ondo/train/lora/merge.h"
#include "support/testdata.h"
#include "train/lora/lora_gradcheck.h"

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

// A copy of a GGUF with every tensor dequantized to F32 (metadata kept).
std::vector<uint8_t> dequantized_copy(const gguf::GgufFile& f) {
  gguf::Writer w;
  w.copy_metadata(f);
  for (const gguf::TensorInfo& t : f.tensors()) {
    const core::DTypeInfo& info = core::dtype_info(t.type);
    const int64_t n = t.n_elements(), K = t.shape[0];
    std::vector<uint8_t> out(size_t(n) * 4);
    const size_t row_bytes = size_t(t.nbytes) / size_t(n / K);
    for (int64_t r = 0; r < n / K; ++r) {
      info.scalar.to_float(t.data + size_t(r) * row_bytes, reinterpret_cast<float*>(out.data()) + r * K, K);
    }
    EXPECT_TRUE(w.add_tensor_owned(t.name, core::DType::F32, t.shape, std::move(out)).ok()) << t.name;
  }
  return w.to_bytes().value();
}

// Adapter gradients (B random so that A gets one) for a fixed batch.
std::vector<float> grads_of(const FrozenBase& base, const LoraConfig& cfg) {
  core::ThreadPool pool(2);
  const int64_t B = 2, S = 8, T = B * S;
  LoraModel m(base, cfg, B, S);
  std::vector<float> P(size_t(m.layout().n_params)), G(P.size(), 0.0f);
  Rng rng(9);
  m.init_params(rng, P.data());
  for (const ParamTensor& t : m.layout().tensors) {
    if (t.name.ends_with(".lora_b")) {
      for (int64_t i = 0; i < t.size(); ++i) P[size_t(t.offset + i)] = rng.normal(0.2f);
    }
  }
  std::vector<int32_t> tok(static_cast<size_t>(T)), tgt(static_cast<size_t>(T));
  std::vector<uint8_t> mask(static_cast<size_t>(T), 1);
  for (int64_t i = 0; i < T; ++i) {
    tok[size_t(i)] = int32_t(3 + rng.below(uint64_t(base.hp.n_vocab - 3)));
    tgt[size_t(i)] = int32_t(3 + rng.below(uint64_t(base.hp.n_vocab - 3)));
  }
  int64_t n = 0;
  m.forward_backward(P.data(), tok.data(), tgt.data(), mask.data(), B, S, 0, G.data(), &n, pool);
  return G;
}

// The backward through quantized frozen weights (dx = dy W, W read a row block at a time).
// Finite differences cannot check it directly: a quantized matmul also rounds its input
// (Q8_0 / F16 activations, as llama.cpp does), so the loss is piecewise constant at that
// scale. Instead: (1) finite differences hold on the F32 model made of the same dequantized
// weights (a smooth function), and (2) the gradients on the quantized file match the
// gradients on that copy up to the activation rounding.
TEST(LoraGradRef, QuantizedBasesAgreeWithTheirDequantizedCopy) {
  ONDO_TESTDATA_OR_SKIP(td);
  LoraConfig cfg;
  ASSERT_TRUE(parse_targets("all", cfg).ok());
  cfg.attn = {2, 4.0f};
  cfg.mlp = {3, 3.0f};
  for (const char* name : {"ref-llama-spm-q8_0.gguf", "ref-llama-spm-q4_k_m.gguf", "ref-llama-spm-f16.gguf"}) {
    SCOPED_TRACE(name);
    const auto path = td / "models" / name;
    auto qf = gguf::GgufFile::open(path);
    ASSERT_TRUE(qf.ok()) << qf.error().message;
    const std::vector<uint8_t> bytes = dequantized_copy(**qf);
    const auto copy_path = std::filesystem::temp_directory_path() /
                           ("ondo-lora-deq-" + std::to_string(::getpid()) + "-" + name);
    std::ofstream(copy_path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), long(bytes.size()));
    auto quant = FrozenBase::open(path);
    auto deq = FrozenBase::open(copy_path);
    ASSERT_TRUE(quant.ok() && deq.ok());
    if (std::string(name).find("q8_0") != std::string::npos) lora_gradcheck(**deq, cfg);
    const auto gq = grads_of(**quant, cfg), gd = grads_of(**deq, cfg);
    double dot = 0, nq = 0, nd = 0, diff = 0;
    for (size_t i = 0; i < gq.size(); ++i) {
      dot += double(gq[i]) * gd[i], nq += double(gq[i]) * gq[i], nd += double(gd[i]) * gd[i];
      diff += (double(gq[i]) - gd[i]) * (double(gq[i]) - gd[i]);
    }
    std::filesystem::remove(copy_path);
    ASSERT_GT(nd, 0);
    EXPECT_GT(dot / std::sqrt(nq * nd), 0.995) << "cosine of the two gradients";
    EXPECT_LT(std::sqrt(diff / nd), 0.1) << "relative L2 difference";
    std::printf("%s: gradient vs dequantized copy: cosine %.5f, relative L2 %.4f\n", name, dot / std::sqrt(nq * nd),
                std::sqrt(diff / nd));
  }
}

// Finite differences on the F32 reference model, both groups.
TEST(LoraGradRef, FiniteDifferencesOnTheF32Reference) {
  ONDO_TESTDATA_OR_SKIP(td);
  auto base = FrozenBase::open(td / "models" / "ref-llama-spm-f32.gguf");
  ASSERT_TRUE(base.ok()) << base.error().message;
  LoraConfig cfg;
  ASSERT_TRUE(parse_targets("all", cfg).ok());
  cfg.attn = {2, 4.0f};
  cfg.mlp = {3, 3.0f};
  lora_gradcheck(**base, cfg);
}

// `ondo lora merge` on the F32 base: the merged weights give llama.cpp's adapter logits
// (both adapters at scale 1, and attn alone at 0.5).
TEST(LoraMergeRef, MergedF32BaseGivesLlamaCppAdapterLogits) {
  ONDO_TESTDATA_OR_SKIP(td);
  std::ifstream in(td / "reference" / "lora" / "ref-llama-spm-lora.json");
  ASSERT_TRUE(in.good());
  const nlohmann::json ref = nlohmann::json::parse(in);
  const std::vector<int32_t> tokens = ref["tokens"].get<std::vector<int32_t>>();
  auto attn = read_adapter_file(td / "models" / "lora" / "ref-llama-spm-lora-attn.gguf");
  auto mlp = read_adapter_file(td / "models" / "lora" / "ref-llama-spm-lora-mlp.gguf");
  ASSERT_TRUE(attn.ok() && mlp.ok());
  struct Run {
    const char* name;
    std::vector<ScaledAdapter> adapters;
  };
  const Run runs[] = {{"attn_1.0+mlp_1.0", {{*attn, 1.0f}, {*mlp, 1.0f}}}, {"attn_0.5", {{*attn, 0.5f}}}};
  core::ComputePool cp(2);
  for (const Run& r : runs) {
    SCOPED_TRACE(r.name);
    const nlohmann::json* want = nullptr;
    for (const auto& x : ref["runs"])
      if (x["name"] == r.name) want = &x;
    ASSERT_NE(want, nullptr);
    const auto out = std::filesystem::temp_directory_path() / ("ondo-lora-merged-" + std::to_string(::getpid()) + ".gguf");
    auto rep = merge_lora(td / "models" / "ref-llama-spm-f32.gguf", r.adapters, out, cp);
    ASSERT_TRUE(rep.ok()) << rep.error().message;
    EXPECT_EQ(rep->requantized_tensors, 0);
    auto base = FrozenBase::open(out);
    ASSERT_TRUE(base.ok()) << base.error().message;
    LoraConfig cfg;  // an all-zero adapter on q: the plain merged model
    ASSERT_TRUE(parse_targets("q", cfg).ok());
    const int64_t S = int64_t(tokens.size()), V = (*base)->hp.n_vocab;
    LoraModel m(**base, cfg, 1, S);
    std::vector<float> P(size_t(m.layout().n_params), 0.0f);
    core::ThreadPool pool(2);
    const float* logits = m.forward(P.data(), tokens.data(), 1, S, false, 0, pool);
    double worst = 0;
    for (int64_t s = 0; s < S; ++s)
      for (int64_t v = 0; v < V; ++v)
        worst = std::max(worst, std::fabs(double(logits[s * V + v]) - (*want)["logits"][size_t(s)][size_t(v)].get<double>()));
    std::filesystem::remove(out);
    EXPECT_LT(worst, 1e-4) << "max abs logit difference";
  }
}

}  // namespace
}  // namespace ondo::train::lora
