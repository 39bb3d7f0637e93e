// The shared token step and its end rules. Layer: infer.
#include "ondo/infer/generation_step.h"

#include <algorithm>
#include <cmath>

#include "ondo/infer/grammar/matcher.h"
#include "ondo/infer/grammar/token_table.h"

namespace ondo::infer {

GenerationStep::GenerationStep(StepOptions options, const text::Tokenizer& tokenizer)
    : o_(std::move(options)), tok_(tokenizer), sampler_(o_.sampling, tokenizer.n_vocab()) {
  if (o_.grammar) {
    if (!o_.table) o_.table = grammar::TokenTable::from_tokenizer(tokenizer);
    matcher_ = std::make_unique<grammar::Matcher>(o_.grammar, o_.table);
    bits_.resize((size_t(tokenizer.n_vocab()) + 63) / 64);
    masked_.resize(size_t(tokenizer.n_vocab()));
  }
}

GenerationStep::~GenerationStep() = default;

void GenerationStep::accept_prompt(std::span<const int32_t> prompt) {
  for (int32_t t : prompt) sampler_.accept(t);
}

StepResult GenerationStep::next(std::span<const float> logits, int32_t n_past) {
  StepResult r;
  if (o_.max_tokens >= 0 && n_generated_ >= o_.max_tokens) {
    r.end = StepEnd::Length;
    return r;
  }
  std::span<const float> row = logits;
  if (matcher_) {  // disallowed tokens get -inf
    std::fill(bits_.begin(), bits_.end(), 0);
    matcher_->fill_mask(bits_);
    for (size_t i = 0; i < masked_.size(); ++i) {
      masked_[i] = ((bits_[i / 64] >> (i % 64)) & 1u) ? logits[i] : -INFINITY;
    }
    row = masked_;
  }
  const int32_t tok = sampler_.sample(row);
  if (matcher_ && !std::isfinite(row[size_t(tok)])) {
    r.end = StepEnd::Error;
    r.error = "grammar: no token is allowed here";
    return r;
  }
  if ((matcher_ || !o_.ignore_eos) && tok_.is_end_of_generation(tok)) {
    r.end = StepEnd::EndOfGeneration;
    return r;
  }
  if (matcher_) {
    if (Status st = matcher_->accept(tok); !st.ok()) {
      r.end = StepEnd::Error;
      r.error = st.error().message;
      return r;
    }
  }
  sampler_.accept(tok);
  ++n_generated_;
  r.token = tok;
  if (matcher_ && matcher_->is_complete()) {
    r.end = StepEnd::GrammarComplete;
  } else if (o_.max_tokens >= 0 && n_generated_ >= o_.max_tokens) {
    r.end = StepEnd::Length;
  } else if (int64_t(n_past) + 1 >= o_.n_ctx) {
    r.end = StepEnd::ContextFull;
  }
  return r;
}

}  // namespace ondo::infer
