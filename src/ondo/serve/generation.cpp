// ChoiceBuilder and the event wait loop. Layer: serve.
#include "ondo/serve/generation.h"

#include <algorithm>

namespace ondo::serve {

ChoiceBuilder::ChoiceBuilder(const text::Tokenizer& tokenizer, std::vector<std::string> stops, bool want_logprobs)
    : tok_(tokenizer), decoder_(tokenizer), stop_(std::move(stops)), want_logprobs_(want_logprobs) {}

TokenEntry ChoiceBuilder::entry(const infer::TokenEvent& e) const {
  TokenEntry t;
  t.id = e.token;
  t.bytes = tok_.piece(e.token);
  t.logprob = e.logprob;
  for (const infer::TokenLogprob& alt : e.top) {
    if (alt.token < 0 || alt.token >= tok_.n_vocab()) continue;
    t.top.push_back({alt.token, tok_.piece(alt.token), alt.logprob});
  }
  return t;
}

Delta ChoiceBuilder::on_event(const infer::TokenEvent& event) {
  Delta d;
  if (finished_) return d;
  const bool real_token = event.token >= 0 && event.token < tok_.n_vocab();
  if (real_token && !stop_.stopped()) {
    // Every token that reaches here was generated and used the budget. An end-of-generation
    // token that ends the generation never does (the step reports it as a Stop event without a
    // token), so one that does arrive came under ignore_eos, possibly as the last token of the
    // budget (finish Length): counted, without text.
    ++n_tokens_;
    if (!tok_.is_end_of_generation(event.token)) {
      if (want_logprobs_) pending_.push_back(entry(event));
      d.text = stop_.push(decoder_.push(event.token));
    }
  }
  if (event.finish != infer::FinishReason::None || stop_.stopped()) {
    finished_ = true;
    reason_ = stop_.stopped() ? infer::FinishReason::Stop : event.finish;
    if (event.finish == infer::FinishReason::Error) error_ = event.error.empty() ? "generation failed" : event.error;
    if (!stop_.stopped()) {
      d.text += stop_.push(decoder_.flush());
      d.text += stop_.flush();
    }
  }
  // Logprob entries go out with text; those whose text a stop string swallowed are dropped.
  if (!d.text.empty() || (finished_ && !stop_.stopped())) {
    d.tokens.swap(pending_);
  } else if (stop_.stopped()) {
    pending_.clear();
  }
  return d;
}

std::string ChoiceBuilder::finish_reason() const {
  return reason_ == infer::FinishReason::Length ? "length" : "stop";
}

Result<infer::TokenEvent> next_event(infer::RequestHandle& handle, std::chrono::steady_clock::time_point deadline,
                                     const std::function<bool()>& keep_waiting) {
  constexpr int kSliceMs = 250;  // how often a streaming wait looks at its client
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      handle.cancel();
      return make_error(ErrorCode::Cancelled, "request: timed out before generation finished");
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    const int wait_ms = int(std::min<int64_t>(left + 1, kSliceMs));
    if (auto ev = handle.next(wait_ms)) return std::move(*ev);
    if (keep_waiting && !keep_waiting()) {
      handle.cancel();
      return make_error(ErrorCode::Cancelled, "request: the client went away");
    }
  }
}

}  // namespace ondo::serve
