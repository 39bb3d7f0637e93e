// GenerationStep: one sequence's token step (grammar mask -> sample -> end-of-generation and
// limit checks -> accept), the one place that decides why a generation ends. Shared by the
// command line's generate() and the scheduler's loop. Layer: infer.
//
// Context rule: a sequence holds at most n_ctx tokens, prompt and completion together; the
// token that takes the last position ends it (ContextFull) without being evaluated.
// Ownership: owns its Sampler and (with a grammar) its Matcher; shares the Grammar and table.
// Thread contract: one sequence's, used by one thread at a time. next() does not allocate
// (without a grammar; the grammar matcher may).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ondo/infer/sampler/sampler.h"
#include "ondo/text/tokenizer.h"

namespace ondo::infer {

namespace grammar {
class Grammar;
class Matcher;
class TokenTable;
}  // namespace grammar

// Why a sequence ends; None: it goes on.
enum class StepEnd {
  None,
  EndOfGeneration,  // an end-of-generation token was sampled (it is not emitted)
  GrammarComplete,  // the emitted token completed the grammar's value
  Length,           // max_tokens reached (with max_tokens 0, before any token)
  ContextFull,      // the emitted token takes the context's last position
  Error,            // the grammar allowed no token, or refused the sampled one
};

struct StepResult {
  int32_t token = -1;  // the emitted (accepted) token; -1 when none
  StepEnd end = StepEnd::None;
  std::string error;   // StepEnd::Error only
};

struct StepOptions {
  SamplerParams sampling;        // Requires: validate(sampling) ok
  int32_t max_tokens = -1;       // < 0: no limit but the context
  int32_t n_ctx = 0;             // positions of the sequence, >= 1
  bool ignore_eos = false;       // keep going past end-of-generation tokens (not with a grammar)
  std::shared_ptr<const grammar::Grammar> grammar;       // optional
  std::shared_ptr<const grammar::TokenTable> table;      // the tokenizer's; built when null
};

class GenerationStep {
 public:
  // `tokenizer` is borrowed and must outlive the step.
  GenerationStep(StepOptions options, const text::Tokenizer& tokenizer);
  ~GenerationStep();
  GenerationStep(const GenerationStep&) = delete;
  GenerationStep& operator=(const GenerationStep&) = delete;

  // Records prompt tokens for the sampler's penalties.
  void accept_prompt(std::span<const int32_t> prompt);
  // One step from the logits of the last evaluated position; `n_past` positions (prompt and
  // completion) are evaluated. After a result with end != None, next() must not be called.
  StepResult next(std::span<const float> logits, int32_t n_past);
  int32_t n_generated() const { return n_generated_; }

 private:
  StepOptions o_;
  const text::Tokenizer& tok_;
  Sampler sampler_;
  std::unique_ptr<grammar::Matcher> matcher_;
  std::vector<uint64_t> bits_;   // grammar mask, one bit per token
  std::vector<float> masked_;    // logits with disallowed tokens at -inf
  int32_t n_generated_ = 0;
};

}  // namespace ondo::infer
