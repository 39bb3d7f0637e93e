// Finite-difference check of LoraModel's adapter gradients, shared by the LoRA tests.
// Layer: tests/train.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "ondo/train/lora/lora_model.h"

namespace ondo::train::lora {

// Checks d loss / d p for a spread of entries of every adapter tensor.
inline void lora_gradcheck(const FrozenBase& base, const LoraConfig& cfg) {
  core::ThreadPool pool(2);
  const int64_t B = 2, S = 6;
  LoraModel m(base, cfg, B, S);
  std::vector<float> P(size_t(m.layout().n_params));
  Rng rng(5);
  m.init_params(rng, P.data());
  for (const ParamTensor& t : m.layout().tensors) {  // B != 0 so that A gets a gradient
    if (t.name.ends_with(".lora_b")) {
      for (int64_t i = 0; i < t.size(); ++i) P[size_t(t.offset + i)] = rng.normal(0.2f);
    }
  }
  const int64_t T = B * S, V = base.hp.n_vocab;
  std::vector<int32_t> tok(static_cast<size_t>(T)), tgt(static_cast<size_t>(T));
  std::vector<uint8_t> mask(static_cast<size_t>(T));
  for (int64_t i = 0; i < T; ++i) {
    tok[size_t(i)] = int32_t(rng.below(uint64_t(V)));
    tgt[size_t(i)] = int32_t(rng.below(uint64_t(V)));
    mask[size_t(i)] = i % 5 != 0;
  }
  const uint64_t seed = 99;
  std::vector<float> G(P.size(), 0.0f);
  int64_t n = 0;
  m.forward_backward(P.data(), tok.data(), tgt.data(), mask.data(), B, S, seed, G.data(), &n, pool);
  auto f = [&]() {
    const float* logits = m.forward(P.data(), tok.data(), B, S, true, seed, pool);
    int64_t c = 0;
    return cross_entropy_loss(logits, tgt.data(), mask.data(), T, V, &c);
  };
  int checked = 0;
  for (const ParamTensor& t : m.layout().tensors) {
    double gmax = 0;
    for (int64_t i = 0; i < t.size(); ++i) gmax = std::max(gmax, double(std::fabs(G[size_t(t.offset + i)])));
    EXPECT_GT(gmax, 1e-5) << t.name << ": no gradient reaches it";
    const int64_t stride = std::max<int64_t>(1, t.size() / 6);
    for (int64_t i = 0; i < t.size(); i += stride) {
      float& x = P[size_t(t.offset + i)];
      const float orig = x;
      const double eps = 1e-2;
      x = float(orig + eps);
      const double up = f();
      x = float(orig - eps);
      const double down = f();
      x = orig;
      const double num = (up - down) / (2 * eps);
      const double ana = G[size_t(t.offset + i)];
      EXPECT_NEAR(ana, num, 2e-3 + 3e-2 * std::fabs(num)) << t.name << " [" << i << "]";
      ++checked;
    }
  }
  EXPECT_GT(checked, 0);
}

}  // namespace ondo::train::lora
