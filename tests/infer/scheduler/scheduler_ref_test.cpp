// Continuous batching on the TinyStories model: a request's tokens and logprobs are bitwise
// the same alone or batched with others, with or without its prefix from the cache; the
// queue bound, cancellation and shutdown behave.
#include "ondo/infer/scheduler/scheduler.h"

#include <gtest/gtest.h>

#include <thread>

#include "ondo/infer/generate.h"
#include "support/testdata.h"

namespace ondo::infer {
namespace {

struct Fixture {
  std::unique_ptr<model::Model> model;
  std::unique_ptr<text::Tokenizer> tok;
  std::unique_ptr<core::ComputePool> pool = std::make_unique<core::ComputePool>(2);
};

Fixture load(const std::filesystem::path& dir) {
  Fixture f;
  auto m = model::Model::load(dir / "models" / "stories260K.gguf");
  EXPECT_TRUE(m.ok());
  f.model = std::move(m).value();
  auto t = text::Tokenizer::from_gguf(f.model->file());
  EXPECT_TRUE(t.ok());
  f.tok = std::move(t).value();
  return f;
}

struct Output {
  std::vector<int32_t> tokens;
  std::vector<float> logprobs;
  FinishReason finish = FinishReason::None;
  RequestTiming timing;
  bool operator==(const Output& o) const { return tokens == o.tokens && logprobs == o.logprobs && finish == o.finish; }
};

Output drain(RequestHandle& h) {
  Output o;
  while (auto e = h.next()) {
    if (e->token >= 0) {
      o.tokens.push_back(e->token);
      o.logprobs.push_back(e->logprob);
    }
    if (e->finish != FinishReason::None) o.finish = e->finish;
  }
  o.timing = h.timing();
  return o;
}

GenerationRequest request(const text::Tokenizer& tok, const std::string& text, uint64_t seed, int32_t max_tokens) {
  GenerationRequest r;
  r.prompt = *tok.encode(text);
  r.max_tokens = max_tokens;
  r.sampling.temperature = 0.8f;
  r.sampling.seed = seed;
  r.n_logprobs = 3;
  return r;
}

const char* kPrompts[] = {"Once upon a time", "The little dog", "Lily and Ben went to the park",
                          "One day, a big red ball", "Tom was sad because", "The sun was shining and",
                          "Mom said", "There was a girl named Sue who liked to"};

TEST(Scheduler, BatchedEqualsAlone) {
  ONDO_TESTDATA_OR_SKIP(dir);
  auto f = load(dir);
  SchedulerOptions o;
  o.n_parallel = 8;
  o.n_ctx = 256;
  o.max_batch_tokens = 16;  // forces prompt chunking next to running decodes
  std::vector<Output> alone;
  for (size_t i = 0; i < std::size(kPrompts); ++i) {
    auto s = Scheduler::create(*f.model, *f.tok, o, *f.pool);
    ASSERT_TRUE(s.ok()) << s.error().message;
    auto h = (*s)->submit(request(*f.tok, kPrompts[i], 100 + i, 24));
    ASSERT_TRUE(h.ok()) << h.error().message;
    alone.push_back(drain(**h));
    EXPECT_EQ(alone.back().tokens.size(), 24u);
    EXPECT_EQ(alone.back().finish, FinishReason::Length);
  }
  auto s = Scheduler::create(*f.model, *f.tok, o, *f.pool);
  ASSERT_TRUE(s.ok());
  std::vector<std::shared_ptr<RequestHandle>> hs;
  for (size_t i = 0; i < std::size(kPrompts); ++i) {
    auto h = (*s)->submit(request(*f.tok, kPrompts[i], 100 + i, 24));
    ASSERT_TRUE(h.ok());
    hs.push_back(*h);
  }
  for (size_t i = 0; i < hs.size(); ++i) EXPECT_TRUE(drain(*hs[i]) == alone[i]) << "request " << i;
}

TEST(Scheduler, PrefixCacheHitGivesTheSameTokens) {
  ONDO_TESTDATA_OR_SKIP(dir);
  auto f = load(dir);
  std::string system;
  for (int i = 0; i < 12; ++i) system += "Once upon a time there was a little girl. ";
  SchedulerOptions o;
  o.n_parallel = 2;
  o.n_ctx = 512;
  auto s = Scheduler::create(*f.model, *f.tok, o, *f.pool);
  ASSERT_TRUE(s.ok());
  auto first = drain(**(*s)->submit(request(*f.tok, system + "She had a cat.", 7, 16)));
  auto second = drain(**(*s)->submit(request(*f.tok, system + "He had a dog.", 8, 16)));
  EXPECT_EQ(first.timing.cached_prompt_tokens, 0);
  EXPECT_GE(second.timing.cached_prompt_tokens, 64);
  EXPECT_GE((*s)->stats().prefix_cache_hits, 1u);
  o.cache_mem_bytes = 0;
  auto cold = Scheduler::create(*f.model, *f.tok, o, *f.pool);
  ASSERT_TRUE(cold.ok());
  auto fresh = drain(**(*cold)->submit(request(*f.tok, system + "He had a dog.", 8, 16)));
  EXPECT_EQ(fresh.timing.cached_prompt_tokens, 0);
  EXPECT_TRUE(fresh == second);
}

// The choices of an n > 1 request: once the first one's prompt is in its slot (running, or
// finished and not yet reused), the others copy its K/V (prefix cache off, so nothing else
// can serve it) and evaluate only the last prompt token; their tokens equal the same
// requests run alone.
TEST(Scheduler, RunningSlotSharesItsPromptExactly) {
  ONDO_TESTDATA_OR_SKIP(dir);
  auto f = load(dir);
  std::string text;
  for (int i = 0; i < 6; ++i) text += "Once upon a time there was a little girl. ";
  SchedulerOptions o;
  o.n_parallel = 3;
  o.n_ctx = 512;
  o.cache_mem_bytes = 0;
  auto s = Scheduler::create(*f.model, *f.tok, o, *f.pool);
  ASSERT_TRUE(s.ok());
  const GenerationRequest base = request(*f.tok, text, 11, 24);
  const uint64_t n_prompt = base.prompt.size();
  auto first = (*s)->submit(base);
  ASSERT_TRUE(first.ok());
  auto ev = (*first)->next();  // its prompt is evaluated now
  ASSERT_TRUE(ev.has_value());
  std::vector<std::shared_ptr<RequestHandle>> others;
  for (uint64_t seed : {12u, 13u}) {
    GenerationRequest r = base;
    r.sampling.seed = seed;
    others.push_back(*(*s)->submit(r));
  }
  std::vector<Output> shared;
  for (auto& h : others) shared.push_back(drain(*h));
  Output first_out = drain(**first);
  first_out.tokens.insert(first_out.tokens.begin(), ev->token);
  first_out.logprobs.insert(first_out.logprobs.begin(), ev->logprob);
  for (const Output& out : shared) EXPECT_EQ(out.timing.cached_prompt_tokens, int32_t(n_prompt) - 1);
  const SchedulerStats st = (*s)->stats();
  EXPECT_EQ(st.prompt_tokens_evaluated, n_prompt + 2);  // once, plus the last token per sibling
  EXPECT_EQ(st.prompt_tokens_shared, 2 * (n_prompt - 1));
  for (size_t i = 0; i < 2; ++i) {
    auto alone = Scheduler::create(*f.model, *f.tok, o, *f.pool);
    ASSERT_TRUE(alone.ok());
    GenerationRequest r = base;
    r.sampling.seed = 12 + i;
    EXPECT_TRUE(drain(**(*alone)->submit(r)) == shared[i]) << "choice " << i + 1;
    EXPECT_EQ((*alone)->stats().prompt_tokens_shared, 0u);
  }
  // a finished request's slot keeps its K/V until reused: the next one with that prompt
  // starts from it, and still answers as if alone
  auto again = drain(**(*s)->submit(base));
  EXPECT_EQ(again.timing.cached_prompt_tokens, int32_t(n_prompt) - 1);
  EXPECT_TRUE(again == first_out);
  const GenerationRequest other = request(*f.tok, "A different story.", 5, 8);
  EXPECT_LE(drain(**(*s)->submit(other)).timing.cached_prompt_tokens, 1);  // at most the shared BOS
}

TEST(Scheduler, RefusesOversizedPromptsAndFullQueues) {
  ONDO_TESTDATA_OR_SKIP(dir);
  auto f = load(dir);
  SchedulerOptions o;
  o.n_parallel = 1;
  o.n_ctx = 32;
  o.max_queue = 1;
  auto s = Scheduler::create(*f.model, *f.tok, o, *f.pool);
  ASSERT_TRUE(s.ok());
  GenerationRequest big;
  big.prompt.assign(40, 300);
  auto r = (*s)->submit(big);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
  // one runs, one waits, the third is refused (the loop may not have admitted the first yet,
  // so allow one more before the refusal)
  std::vector<std::shared_ptr<RequestHandle>> hs;
  bool refused = false;
  for (int i = 0; i < 4 && !refused; ++i) {
    auto h = (*s)->submit(request(*f.tok, "Once upon a time", 1, 20));
    if (h.ok()) {
      hs.push_back(*h);
    } else {
      EXPECT_EQ(h.error().code, ErrorCode::Overloaded);
      refused = true;
    }
  }
  EXPECT_TRUE(refused);
  for (auto& h : hs) h->cancel();
  for (auto& h : hs) drain(*h);
}

TEST(Scheduler, CancelFreesTheSlotAndShutdownEndsEverything) {
  ONDO_TESTDATA_OR_SKIP(dir);
  auto f = load(dir);
  SchedulerOptions o;
  o.n_parallel = 1;
  o.n_ctx = 256;
  auto s = Scheduler::create(*f.model, *f.tok, o, *f.pool);
  ASSERT_TRUE(s.ok());
  auto h = (*s)->submit(request(*f.tok, "Once upon a time", 1, 200));
  ASSERT_TRUE(h.ok());
  ASSERT_TRUE((*h)->next().has_value());
  (*h)->cancel();
  auto out = drain(**h);
  EXPECT_EQ(out.finish, FinishReason::Cancelled);
  auto h2 = (*s)->submit(request(*f.tok, "The dog", 2, 8));
  ASSERT_TRUE(h2.ok());
  EXPECT_EQ(drain(**h2).finish, FinishReason::Length);
  (*s)->shutdown(1000);
  auto h3 = (*s)->submit(request(*f.tok, "The dog", 2, 8));
  ASSERT_FALSE(h3.ok());
  EXPECT_EQ(h3.error().code, ErrorCode::Unavailable);
}

}  // namespace
}  // namespace ondo::infer
