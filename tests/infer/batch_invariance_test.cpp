// Batch invariance (DESIGN "Determinism"): a token's logits are bitwise identical whether
// the prompt is evaluated in one batch, in chunks of any size, or token by token, and
// whatever the thread count.
#include <gtest/gtest.h>

#include "ondo/infer/session.h"
#include "support/tiny_model.h"

namespace ondo::infer {
namespace {

std::vector<float> run_chunked(const model::Model& m, std::span<const int32_t> toks, int32_t chunk, int threads) {
  core::ComputePool compute(threads);
  auto s = Session::create(m, compute, {64, chunk});
  EXPECT_TRUE(s.ok());
  auto logits = (*s)->eval(toks, /*all_logits=*/true);
  EXPECT_TRUE(logits.ok()) << logits.error().message;
  return std::vector<float>(logits->begin(), logits->end());
}

TEST(BatchInvariance, ChunkingAndThreadsDoNotChangeLogits) {
  for (core::DType wt : {core::DType::F32, core::DType::F16}) {
    testing::TinyModelSpec spec;
    spec.weight_type = wt;
    auto bytes = testing::tiny_model_bytes(spec);
    auto file = gguf::GgufFile::from_memory(bytes, "tiny.gguf");
    ASSERT_TRUE(file.ok());
    auto m = model::Model::from_file(std::move(file).value());
    ASSERT_TRUE(m.ok()) << m.error().message;
    std::vector<int32_t> toks;
    for (int i = 0; i < 23; ++i) toks.push_back((i * 7 + 3) % 40);
    const auto base = run_chunked(**m, toks, 64, 1);
    for (int32_t chunk : {1, 3, 7, 23}) {
      for (int threads : {1, 2, 3}) {
        EXPECT_EQ(run_chunked(**m, toks, chunk, threads), base) << "chunk " << chunk << " threads " << threads;
      }
    }
  }
}

TEST(Session, RefusesContextOverflowWithoutEvaluating) {
  testing::TinyModelSpec spec;
  auto bytes = testing::tiny_model_bytes(spec);
  auto m = model::Model::from_file(std::move(gguf::GgufFile::from_memory(bytes, "tiny.gguf")).value());
  ASSERT_TRUE(m.ok());
  core::ComputePool compute(1);
  auto s = Session::create(**m, compute, {8, 4});
  ASSERT_TRUE(s.ok());
  std::vector<int32_t> toks(9, 5);
  auto r = (*s)->eval(toks);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("exceed the context size 8"), std::string::npos) << r.error().message;
  EXPECT_EQ((*s)->n_past(), 0);
  std::vector<int32_t> bad = {40};
  auto r2 = (*s)->eval(bad);
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.error().message.find("token id 40 is out of range"), std::string::npos) << r2.error().message;
}

}  // namespace
}  // namespace ondo::infer
