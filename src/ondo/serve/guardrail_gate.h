// The guardrails on the request path: which policies apply to a request (the global ones, its
// store key's, its prompt's, and one the request names with the "guardrails" extension field;
// a request can only add policies, never remove one), the input checks of a chat or
// completion request before its prompt is built (redact in place, or refuse with the rule's
// reason code), the output guard of a generation (stream filter per choice, or the whole
// answer), and the decisions written to the store. Layer: serve. Policies come from the
// store (the server's --data-dir / --db); without a store there are none.
// Thread contract: functions run on the HTTP thread of their request; the compiled-policy
// cache behind them is shared and locked.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/serve/api_types.h"
#include "ondo/serve/guardrails/stream_filter.h"
#include "ondo/text/tokenizer.h"

namespace ondo::serve {

class ServerState;

// The error of a block decision: InvalidArgument (400) whose message starts with the reason
// code ("guardrail.pii.kr_rrn: ..."); error_map puts the reason into the error's "code".
// `field` becomes the error's "param" ("messages", "prompt"; "" for output).
Error guardrail_error(const guardrails::Decision& d, std::string_view field);

// The policies of the request the calling thread serves. `named`: the request's "guardrails"
// field ("": none); `prompt_name`: the registry prompt it renders ("": none).
// Errors: NotFound (field "guardrails") naming an unknown policy; InvalidArgument when a
// stored policy no longer parses (fail closed); the store's errors.
Result<guardrails::PolicySet> request_policies(ServerState& state, const std::string& named,
                                               std::string_view prompt_name = "");

// Input checks. Redactions change the request's texts; a block is guardrail_error(); every
// decision is written to the store before the request goes on (a failed write fails it).
// Token ids as a prompt cannot be checked: with input rules they are refused (field "prompt").
Status guard_chat_input(ServerState& state, const guardrails::PolicySet& policies, const text::Tokenizer& tok,
                        ChatRequest& chat);
Status guard_completion_input(ServerState& state, const guardrails::PolicySet& policies, const text::Tokenizer& tok,
                              CompletionRequest& completion);

// Writes decisions of the request the calling thread serves (its id and key) to the store.
Status record_decisions(ServerState& state, const std::vector<guardrails::Decision>& decisions,
                        const std::string& request_id, const std::string& caller);

// The output side of one generation: one stream filter per choice, and the decisions made.
class OutputGuard {
 public:
  OutputGuard() = default;
  OutputGuard(const guardrails::PolicySet& policies, size_t n_choices);
  bool active() const { return !filters_.empty(); }

  // Streaming: replaces `text` (the next piece of choice `choice`) with what may be sent now;
  // `last`: the choice ended, flush what was held. A block returns its error (send nothing more).
  std::optional<Error> filter(size_t choice, std::string& text, bool last);
  // Blocking: checks (and redacts) the whole answer of one choice.
  std::optional<Error> check(std::string& text);
  const std::vector<guardrails::Decision>& decisions() const { return decisions_; }

 private:
  guardrails::PolicySet policies_;
  std::vector<guardrails::StreamFilter> filters_;
  std::vector<guardrails::Decision> decisions_;
};

}  // namespace ondo::serve
