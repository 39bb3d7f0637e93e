// The single-sequence generation loop. Layer: infer.
#include "ondo/infer/generate.h"

#include <chrono>
#include <string>

#include "ondo/infer/generation_step.h"

namespace ondo::infer {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The step's end reasons as the command line reports them.
StopReason stop_reason(StepEnd end) {
  switch (end) {
    case StepEnd::EndOfGeneration: return StopReason::EndOfGeneration;
    case StepEnd::GrammarComplete: return StopReason::GrammarComplete;
    case StepEnd::ContextFull: return StopReason::ContextFull;
    default: return StopReason::Length;
  }
}

}  // namespace

Result<GenerateStats> generate(Session& session, const text::Tokenizer& tokenizer,
                               std::span<const int32_t> prompt, const GenerateOptions& options,
                               const TokenCallback& on_token) {
  ONDO_TRY(validate(options.sampling));
  GenerateStats stats;
  stats.n_prompt = int32_t(prompt.size());
  if (prompt.empty()) return make_error(ErrorCode::InvalidArgument, "generate: the prompt has no tokens");
  if (session.n_past() + int64_t(prompt.size()) > session.n_ctx()) {
    return make_error(ErrorCode::InvalidArgument,
                      "generate: the prompt has " + std::to_string(prompt.size()) + " tokens but only " +
                          std::to_string(session.n_ctx() - session.n_past()) + " positions of the context (" +
                          std::to_string(session.n_ctx()) + ") are left");
  }
  GenerationStep step({options.sampling, options.n_predict, session.n_ctx(), options.ignore_eos, options.grammar, nullptr},
                      tokenizer);
  step.accept_prompt(prompt);

  auto t0 = std::chrono::steady_clock::now();
  ONDO_ASSIGN_OR_RETURN(std::span<const float> logits, session.eval(prompt));
  stats.prompt_seconds = seconds_since(t0);

  t0 = std::chrono::steady_clock::now();
  while (true) {
    const StepResult r = step.next(logits, session.n_past());
    if (r.end == StepEnd::Error) return make_error(ErrorCode::Internal, "generate: " + r.error);
    stats.stop = stop_reason(r.end);
    if (r.token < 0) break;
    stats.n_generated = step.n_generated();
    if (!on_token(r.token, tokenizer.piece(r.token))) {
      stats.stop = StopReason::Callback;
      break;
    }
    if (r.end != StepEnd::None) break;
    ONDO_ASSIGN_OR_RETURN(logits, session.eval(std::span<const int32_t>(&r.token, 1)));
  }
  stats.generate_seconds = seconds_since(t0);
  return stats;
}

}  // namespace ondo::infer
