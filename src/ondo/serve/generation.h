// Turning one request's TokenEvents into text deltas: UTF-8-safe detokenization
// (text::StreamDecoder), stop strings with hold-back, logprob entries and the finish
// reason. Layer: serve. Runs on the HTTP thread; never calls model code.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/infer/scheduler/scheduler.h"
#include "ondo/serve/stop_strings.h"
#include "ondo/text/tokenizer.h"

namespace ondo::serve {

struct TopEntry {
  int32_t id = 0;
  std::string bytes;  // the token's piece (raw bytes, maybe partial UTF-8)
  float logprob = 0.0f;
};

struct TokenEntry {
  int32_t id = 0;
  std::string bytes;
  float logprob = 0.0f;
  std::vector<TopEntry> top;
};

// What one event contributes to the response.
struct Delta {
  std::string text;
  std::vector<TokenEntry> tokens;  // logprob entries released with this text
};

// Not thread-safe: one per request, on the thread that waits on its handle.
class ChoiceBuilder {
 public:
  ChoiceBuilder(const text::Tokenizer& tokenizer, std::vector<std::string> stops, bool want_logprobs);

  // Consumes one event. After a stop string, the caller cancels the request (stop_hit()).
  Delta on_event(const infer::TokenEvent& event);
  bool finished() const { return finished_; }
  bool stop_hit() const { return stop_.stopped(); }
  // The stop string that ended the generation ("" when none did).
  const std::string& stop_sequence() const { return stop_.matched(); }
  // "stop" or "length"; an error finish reports through error().
  std::string finish_reason() const;
  const std::string& error() const { return error_; }
  int32_t completion_tokens() const { return n_tokens_; }

 private:
  TokenEntry entry(const infer::TokenEvent& e) const;
  const text::Tokenizer& tok_;
  text::StreamDecoder decoder_;
  StopMatcher stop_;
  bool want_logprobs_;
  std::vector<TokenEntry> pending_;
  bool finished_ = false;
  infer::FinishReason reason_ = infer::FinishReason::None;
  std::string error_;
  int32_t n_tokens_ = 0;
};

// Waits for the next event until `deadline`; `keep_waiting` is asked between short waits
// (a streaming client still connected). Errors: Cancelled when the deadline passes or
// keep_waiting() says no (the request is cancelled first).
Result<infer::TokenEvent> next_event(infer::RequestHandle& handle, std::chrono::steady_clock::time_point deadline,
                                     const std::function<bool()>& keep_waiting);

}  // namespace ondo::serve
