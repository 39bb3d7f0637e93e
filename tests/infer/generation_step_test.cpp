// GenerationStep, the one place generation ends are decided: end-of-generation tokens are not
// emitted (unless ignored), max_tokens (0 included), the context rule (prompt + completion at
// most n_ctx), and the order of the checks.
#include "ondo/infer/generation_step.h"

#include <gtest/gtest.h>

#include "ondo/gguf/reader.h"
#include "support/tiny_model.h"

namespace ondo::infer {
namespace {

constexpr int32_t kEos = 2;  // tiny_model.h's end-of-sequence id

struct Tok {
  std::vector<uint8_t> bytes;
  std::unique_ptr<text::Tokenizer> tok;
};

Tok tiny_tokenizer() {
  Tok t;
  t.bytes = ondo::testing::tiny_model_bytes({});
  auto f = gguf::GgufFile::from_memory(t.bytes, "tiny.gguf");
  EXPECT_TRUE(f.ok());
  auto tok = text::Tokenizer::from_gguf(**f);
  EXPECT_TRUE(tok.ok());
  t.tok = std::move(tok).value();
  return t;
}

// Logits whose argmax is `id`.
std::vector<float> peak(const text::Tokenizer& tok, int32_t id) {
  std::vector<float> l(size_t(tok.n_vocab()), 0.0f);
  l[size_t(id)] = 10.0f;
  return l;
}

StepOptions greedy(int32_t max_tokens, int32_t n_ctx, bool ignore_eos = false) {
  StepOptions o;
  o.sampling.temperature = 0.0f;
  o.max_tokens = max_tokens;
  o.n_ctx = n_ctx;
  o.ignore_eos = ignore_eos;
  return o;
}

TEST(GenerationStep, EndOfGenerationIsNotEmittedUnlessIgnored) {
  Tok t = tiny_tokenizer();
  GenerationStep step(greedy(-1, 64), *t.tok);
  StepResult r = step.next(peak(*t.tok, 7), 3);
  EXPECT_EQ(r.token, 7);
  EXPECT_EQ(r.end, StepEnd::None);
  r = step.next(peak(*t.tok, kEos), 4);
  EXPECT_EQ(r.token, -1);
  EXPECT_EQ(r.end, StepEnd::EndOfGeneration);
  EXPECT_EQ(step.n_generated(), 1);

  GenerationStep ignoring(greedy(-1, 64, /*ignore_eos=*/true), *t.tok);
  r = ignoring.next(peak(*t.tok, kEos), 3);
  EXPECT_EQ(r.token, kEos);
  EXPECT_EQ(r.end, StepEnd::None);
}

TEST(GenerationStep, MaxTokensEndsWithTheLastToken) {
  Tok t = tiny_tokenizer();
  GenerationStep none(greedy(0, 64), *t.tok);
  StepResult r = none.next(peak(*t.tok, 7), 3);
  EXPECT_EQ(r.token, -1);
  EXPECT_EQ(r.end, StepEnd::Length);
  GenerationStep two(greedy(2, 64), *t.tok);
  EXPECT_EQ(two.next(peak(*t.tok, 7), 3).end, StepEnd::None);
  r = two.next(peak(*t.tok, 8), 4);
  EXPECT_EQ(r.token, 8);
  EXPECT_EQ(r.end, StepEnd::Length);
}

TEST(GenerationStep, TheTokenTakingTheLastPositionEndsWithContextFull) {
  Tok t = tiny_tokenizer();
  GenerationStep step(greedy(-1, 8), *t.tok);
  EXPECT_EQ(step.next(peak(*t.tok, 7), 6).end, StepEnd::None);  // goes to position 6 of 0..7
  const StepResult r = step.next(peak(*t.tok, 9), 7);           // goes to position 7, the last
  EXPECT_EQ(r.token, 9);
  EXPECT_EQ(r.end, StepEnd::ContextFull);
  // max_tokens reached at the same token: Length is reported
  GenerationStep both(greedy(1, 8), *t.tok);
  EXPECT_EQ(both.next(peak(*t.tok, 7), 7).end, StepEnd::Length);
}

}  // namespace
}  // namespace ondo::infer
