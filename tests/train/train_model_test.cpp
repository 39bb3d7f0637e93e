// Whole-block and whole-model gradient checks of TrainModel (every parameter tensor against
// central finite differences), and determinism of forward_backward. Layer: tests/train.
#include "ondo/train/train_model.h"

#include <gtest/gtest.h>

#include <cmath>

#include "gradcheck.h"

namespace ondo::train {
namespace {

ModelConfig tiny(int32_t layers, int32_t heads, int32_t kv_heads) {
  ModelConfig c;
  c.n_vocab = 13, c.n_embd = 8, c.n_layer = layers, c.n_head = heads, c.n_head_kv = kv_heads;
  c.n_ff = 12, c.n_ctx = 6;
  return c;
}

// Parameters large enough that every path carries gradient: matrices N(0, 0.4), norms near 1.
std::vector<float> random_params(const ParamLayout& l, uint64_t seed) {
  Rng r(seed);
  std::vector<float> p(size_t(l.n_params));
  for (const ParamTensor& t : l.tensors) {
    for (int64_t i = 0; i < t.size(); ++i) p[size_t(t.offset + i)] = t.decay ? r.normal(0.4f) : 1.0f + r.normal(0.2f);
  }
  return p;
}

void check_model_gradients(const ModelConfig& c) {
  ASSERT_TRUE(validate_config(c).ok());
  core::ThreadPool pool(2);
  TrainModel m(c, 2);
  const int64_t B = 2, S = 5;
  std::vector<int32_t> tok = {1, 4, 7, 2, 9, 3, 3, 12, 0, 5};
  std::vector<int32_t> tgt = {4, 7, 2, 9, 11, 3, 12, 0, 5, 6};
  std::vector<uint8_t> mask = {1, 1, 0, 1, 1, 0, 1, 1, 1, 1};
  std::vector<float> p = random_params(m.layout(), 42);
  std::vector<float> g(p.size(), 0.0f);
  int64_t n = 0;
  m.forward_backward(p.data(), tok.data(), tgt.data(), mask.data(), B, S, g.data(), &n, pool);
  EXPECT_EQ(n, 8);
  for (const ParamTensor& t : m.layout().tensors) {
    const int64_t stride = std::max<int64_t>(1, t.size() / 6);
    for (int64_t i = 0; i < t.size(); i += stride) {
      const size_t at = size_t(t.offset + i);
      const float orig = p[at];
      const double eps = 1e-2;
      p[at] = float(orig + eps);
      const double up = m.loss(p.data(), tok.data(), tgt.data(), mask.data(), B, S, &n, pool);
      p[at] = float(orig - eps);
      const double down = m.loss(p.data(), tok.data(), tgt.data(), mask.data(), B, S, &n, pool);
      p[at] = orig;
      const double num = (up - down) / (2 * eps);
      EXPECT_NEAR(g[at], num, 2e-4 + 3e-2 * std::fabs(num)) << t.name << " [" << i << "]";
    }
  }
}

TEST(TrainModel, OneBlockGradientsMatchFiniteDifferences) { check_model_gradients(tiny(1, 2, 2)); }

TEST(TrainModel, TwoLayerGqaModelGradientsMatchFiniteDifferences) { check_model_gradients(tiny(2, 4, 2)); }

TEST(TrainModel, ForwardBackwardIsDeterministic) {
  const ModelConfig c = tiny(2, 2, 1);
  core::ThreadPool pool(2);
  std::vector<int32_t> tok = {1, 2, 3, 4, 5, 6}, tgt = {2, 3, 4, 5, 6, 7};
  std::vector<uint8_t> mask(6, 1);
  std::vector<float> g1, g2;
  double l1 = 0, l2 = 0;
  for (int run = 0; run < 2; ++run) {
    TrainModel m(c, 1);
    std::vector<float> p = random_params(m.layout(), 7), g(p.size(), 0.0f);
    int64_t n = 0;
    const double l = m.forward_backward(p.data(), tok.data(), tgt.data(), mask.data(), 1, 6, g.data(), &n, pool);
    (run == 0 ? l1 : l2) = l;
    (run == 0 ? g1 : g2) = g;
  }
  EXPECT_EQ(l1, l2);
  EXPECT_EQ(g1, g2);
}

}  // namespace
}  // namespace ondo::train
