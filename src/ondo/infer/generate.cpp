// The single-sequence generation loop. Layer: infer.
#include "ondo/infer/generate.h"

#include "ondo/infer/grammar/matcher.h"
#include "ondo/infer/grammar/token_table.h"

#include <chrono>
#include <cmath>
#include <string>

namespace ondo::infer {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
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
  Sampler sampler(options.sampling, session.model().hparams().n_vocab);
  for (int32_t t : prompt) sampler.accept(t);
  std::unique_ptr<grammar::Matcher> matcher;
  std::vector<uint64_t> bits;
  std::vector<float> masked;
  if (options.grammar) {
    matcher = std::make_unique<grammar::Matcher>(options.grammar, grammar::TokenTable::from_tokenizer(tokenizer));
    bits.resize((size_t(tokenizer.n_vocab()) + 63) / 64);
  }

  auto t0 = std::chrono::steady_clock::now();
  ONDO_ASSIGN_OR_RETURN(std::span<const float> logits, session.eval(prompt));
  stats.prompt_seconds = seconds_since(t0);

  t0 = std::chrono::steady_clock::now();
  stats.stop = StopReason::Length;
  while (options.n_predict < 0 || stats.n_generated < options.n_predict) {
    if (matcher) {  // disallowed tokens get -inf
      std::fill(bits.begin(), bits.end(), 0);
      matcher->fill_mask(bits);
      masked.assign(logits.begin(), logits.end());
      for (size_t i = 0; i < masked.size(); ++i) {
        if (!((bits[i / 64] >> (i % 64)) & 1u)) masked[i] = -INFINITY;
      }
    }
    const int32_t tok = sampler.sample(matcher ? std::span<const float>(masked) : logits);
    if (matcher && !std::isfinite(masked[size_t(tok)])) {
      return make_error(ErrorCode::Internal, "generate: the grammar allows no token here");
    }
    if ((matcher || !options.ignore_eos) && tokenizer.is_end_of_generation(tok)) {
      stats.stop = StopReason::EndOfGeneration;
      break;
    }
    if (matcher) ONDO_TRY(matcher->accept(tok));
    sampler.accept(tok);
    ++stats.n_generated;
    if (!on_token(tok, tokenizer.piece(tok))) {
      stats.stop = StopReason::Callback;
      break;
    }
    if (matcher && matcher->is_complete()) {
      stats.stop = StopReason::GrammarComplete;
      break;
    }
    if (options.n_predict >= 0 && stats.n_generated >= options.n_predict) break;
    if (session.n_past() >= session.n_ctx()) {
      stats.stop = StopReason::ContextFull;
      break;
    }
    ONDO_ASSIGN_OR_RETURN(logits, session.eval(std::span<const int32_t>(&tok, 1)));
  }
  stats.generate_seconds = seconds_since(t0);
  return stats;
}

}  // namespace ondo::infer
