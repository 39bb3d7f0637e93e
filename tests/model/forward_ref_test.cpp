// Logits of ondo's forward pass vs llama.cpp's, for every model in testdata/reference.
//
// Tolerances, as max absolute error per position (logits have a standard deviation of about
// 4, 7 for TinyStories), from testdata/README.md's facts and what we observe:
// - F32 weights: llama.cpp equals a float64 implementation to ~5e-6; every position <= 1e-4.
// - Quantized weights whose partner format ondo emulates (Q8_0, Q4_0, Q5_0, Q5_1 and the K
//   types): ondo quantizes activations to the same formats and takes the same integer dot
//   products, so most positions agree to ~5e-6 (<= 1e-4 for 80% of them). A float summation
//   order different from llama.cpp's moves an activation by an ulp, which now and then flips
//   the rounding of one quantized element: one position's logits then move by about
//   d_x * |w| (0.02-0.12 observed). Every position <= 0.25.
//   Q4_K_M also carries llama.cpp's own repacked-kernel variation (up to 0.085, README); a
//   flip in an early layer reaches every later position through the KV cache, so only 30%
//   of its positions are required to agree to 1e-4.
// - Q4_1 (Q8_1 path): not reproduced exactly (as the README says of simple emulation);
//   <= 0.25 everywhere.
// - F16/BF16: activations rounded to F16/BF16 as llama.cpp does, accumulation order differs;
//   <= 0.01 and <= 0.06 (prompt logits observed 0.0049 and 0.0043; BF16's coarse rounding
//   amplifies ulp differences over later decode steps; README: up to about 0.008 and 0.05 for
//   an engine that does not round activations).
// The observed figures are printed by each test and recorded in the issue notes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "ondo/model/model.h"
#include "support/reference_data.h"
#include "support/testdata.h"

namespace ondo {
namespace {

class ForwardRef : public ::testing::TestWithParam<std::string> {};

TEST_P(ForwardRef, LogitsMatchLlamaCpp) {
  ONDO_TESTDATA_OR_SKIP(dir);
  const std::string name = GetParam();
  const auto ref = testing::load_reference(dir / "reference" / (name + ".json"));
  auto model = model::Model::load(dir / "models" / ref.model_file);
  ASSERT_TRUE(model.ok()) << model.error().message;
  ASSERT_EQ((*model)->hparams().n_vocab, ref.n_vocab);

  // One batch of the whole prompt with logits at every position, as the reference ran it.
  const model::HParams& hp = (*model)->hparams();
  const int32_t n_ctx = 256;
  std::vector<float> k(size_t(hp.n_layer) * n_ctx * size_t(hp.kv_dim())), v(k.size());
  model::KvStore kv{hp.n_layer, 1, n_ctx, hp.kv_dim(), k.data(), v.data()};
  core::ThreadPool pool(2);
  model::ForwardScratch scratch(hp, n_ctx, n_ctx, pool.size());
  std::vector<model::BatchToken> batch;
  for (size_t i = 0; i < ref.tokens.size(); ++i) batch.push_back({ref.tokens[i], int32_t(i), 0, true});
  const int64_t V = ref.n_vocab;
  const size_t n = ref.tokens.size();
  std::vector<float> out(n * size_t(V));
  auto st = (*model)->forward(batch, kv, scratch, pool, out.data());
  ASSERT_TRUE(st.ok()) << st.error().message;
  const std::vector<float>* logits = &out;

  // per position: max absolute error over the logits the reference gives
  std::vector<float> pos_err(n, 0.0f);
  auto check = [&](size_t pos, int32_t id, float want) {
    const float got = (*logits)[pos * size_t(V) + size_t(id)];
    ASSERT_TRUE(std::isfinite(got)) << "position " << pos << " id " << id;
    pos_err[pos] = std::max(pos_err[pos], std::fabs(got - want));
  };
  if (!ref.logits.empty()) {
    ASSERT_EQ(ref.logits.size(), n);
    for (size_t p = 0; p < n; ++p) {
      for (int64_t i = 0; i < V; ++i) check(p, int32_t(i), ref.logits[p][size_t(i)]);
    }
  } else {
    ASSERT_EQ(ref.topk.size(), n);
    for (size_t p = 0; p < n; ++p) {
      for (const auto& [id, want] : ref.topk[p]) check(p, id, want);
    }
    ASSERT_EQ(ref.logits_last.size(), size_t(V));
    for (int64_t i = 0; i < V; ++i) check(n - 1, int32_t(i), ref.logits_last[size_t(i)]);
  }
  const testing::LogitTolerance tol = testing::logit_tolerance(name);
  ASSERT_GT(tol.max, 0.0f) << "no tolerance stated for " << name;
  float max_err = 0.0f;
  size_t typical = 0;
  for (float e : pos_err) {
    max_err = std::max(max_err, e);
    typical += e <= tol.typical ? 1 : 0;
  }
  std::vector<float> sorted = pos_err;
  std::sort(sorted.begin(), sorted.end());
  std::printf("[ %s ] max abs logit error %.3g (median position %.3g; %zu of %zu positions <= %.3g; limit %.3g)\n",
              name.c_str(), max_err, sorted[n / 2], typical, n, tol.typical, tol.max);
  EXPECT_LE(max_err, tol.max) << name;
  EXPECT_GE(double(typical), double(tol.typical_share) * double(n)) << name;
}

INSTANTIATE_TEST_SUITE_P(AllReferenceModels, ForwardRef, ::testing::ValuesIn(testing::reference_params()),
                         [](const auto& info) { return testing::reference_param_name(info.param); });

}  // namespace
}  // namespace ondo
