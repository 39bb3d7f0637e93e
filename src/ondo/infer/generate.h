// generate(): the prompt -> tokens loop of one sequence (used by `ondo run` and `ondo chat`).
// Layer: infer. Evaluates the prompt as batches, then samples and decodes one token per step
// until n_predict, an end-of-generation token, a full context, or the callback says stop.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string_view>

#include "ondo/infer/sampler/sampler.h"
#include "ondo/infer/session.h"
#include "ondo/text/tokenizer.h"

namespace ondo::infer {

enum class StopReason { Length, EndOfGeneration, ContextFull, Callback, GrammarComplete };

namespace grammar {
class Grammar;
}  // namespace grammar

struct GenerateOptions {
  int32_t n_predict = 128;  // < 0: until end of generation or a full context
  bool ignore_eos = false;  // keep going past end-of-generation tokens
  SamplerParams sampling;
  // When set, every token is drawn from the grammar's mask and generation ends when the
  // grammar's value is complete (StopReason::GrammarComplete).
  std::shared_ptr<const grammar::Grammar> grammar;
};

struct GenerateStats {
  int32_t n_prompt = 0;
  int32_t n_generated = 0;
  double prompt_seconds = 0.0;
  double generate_seconds = 0.0;  // from the first sampled token to the last
  StopReason stop = StopReason::Length;
};

// Receives each generated token and its piece (raw bytes); returns false to stop.
using TokenCallback = std::function<bool(int32_t token, std::string_view piece)>;

// Continues the session (which may hold earlier turns) with `prompt`, then generates.
// Error when the prompt does not fit in the remaining context (nothing is evaluated).
Result<GenerateStats> generate(Session& session, const text::Tokenizer& tokenizer,
                               std::span<const int32_t> prompt, const GenerateOptions& options,
                               const TokenCallback& on_token);

}  // namespace ondo::infer
