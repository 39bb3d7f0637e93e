// Greedy continuations decoded token by token through the KV cache vs llama.cpp's.
// Within the logit tolerance of a model, two engines can only choose differently where the
// reference's margin (gap_to_second) is below twice that tolerance: ondo's continuation must
// equal the reference up to its first step, and may part from it only after a step whose
// margin was that small. TinyStories has large margins and must match all 64 tokens.
#include <gtest/gtest.h>

#include <cmath>

#include "ondo/infer/session.h"
#include "support/reference_data.h"
#include "support/testdata.h"

namespace ondo {
namespace {

int32_t argmax(std::span<const float> v) {
  int32_t best = 0;
  for (size_t i = 1; i < v.size(); ++i) {
    if (v[i] > v[size_t(best)]) best = int32_t(i);
  }
  return best;
}

class GreedyRef : public ::testing::TestWithParam<std::string> {};

TEST_P(GreedyRef, ContinuationMatchesLlamaCpp) {
  ONDO_TESTDATA_OR_SKIP(dir);
  const std::string name = GetParam();
  const auto ref = testing::load_reference(dir / "reference" / (name + ".json"));
  auto model = model::Model::load(dir / "models" / ref.model_file);
  ASSERT_TRUE(model.ok()) << model.error().message;
  core::ComputePool compute(2);
  auto session = infer::Session::create(**model, compute, {256, 64});
  ASSERT_TRUE(session.ok()) << session.error().message;
  auto logits = (*session)->eval(ref.tokens);
  ASSERT_TRUE(logits.ok()) << logits.error().message;

  const float tol = testing::logit_tolerance(name).max;
  ASSERT_GT(tol, 0.0f) << "no tolerance stated for " << name;
  size_t equal = 0;
  float min_gap = INFINITY;  // smallest reference margin among the steps so far
  for (size_t i = 0; i < ref.greedy_tokens.size(); ++i) {
    const int32_t got = argmax(*logits);
    if (got != ref.greedy_tokens[i]) {
      EXPECT_LE(min_gap, 2.0f * tol) << name << ": parted from the reference at step " << i
                                     << " although every earlier margin exceeded " << 2.0f * tol;
      break;
    }
    min_gap = std::min(min_gap, ref.greedy_gap[i]);
    ++equal;
    if (i + 1 == ref.greedy_tokens.size()) break;
    logits = (*session)->eval(std::span<const int32_t>(&got, 1));
    ASSERT_TRUE(logits.ok()) << logits.error().message;
  }
  std::printf("[ %s ] %zu of %zu greedy tokens equal (smallest margin on the way %.3g)\n", name.c_str(), equal,
              ref.greedy_tokens.size(), min_gap);
  const size_t compared = equal;
  if (name == "stories260K") {
    EXPECT_EQ(compared, ref.greedy_tokens.size());
  }
}

INSTANTIATE_TEST_SUITE_P(AllReferenceModels, GreedyRef, ::testing::ValuesIn(testing::reference_params()),
                         [](const auto& info) { return testing::reference_param_name(info.param); });

}  // namespace
}  // namespace ondo
