// The output guardrails of a streamed answer: text comes in pieces; the filter releases
// what can no longer become part of a match, holding back only the tail that could (per
// rule: the trailing run of characters a PII match may contain, or the rule's longest match
// for regexes and blocklists), and applies redactions before the bytes leave the server. A
// block ends the stream (the caller writes an error event with the reason). At the end,
// finish() releases the rest. Layer: serve (guardrails; pure, no HTTP).
// Thread contract: one filter per stream, used from the thread that writes it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ondo/serve/guardrails/evaluate.h"

namespace ondo::serve::guardrails {

class StreamFilter {
 public:
  // Only the rules of the output stage apply.
  explicit StreamFilter(PolicySet policies);

  struct Step {
    std::string text;                 // the bytes to send now (redacted)
    std::vector<Decision> decisions;  // spans in bytes of the whole output as generated
    std::optional<Decision> block;    // set: send nothing more; end the stream with this reason
  };

  // Errors: InvalidArgument when a pattern fails (match limit); the caller ends the stream.
  Result<Step> feed(std::string_view text);
  Result<Step> finish();

  size_t held_bytes() const { return pending_.size(); }
  bool blocked() const { return blocked_; }
  bool active() const { return !policies_.empty(); }

 private:
  Result<Step> step(bool final);
  size_t hold_point(std::string_view buffer, size_t floor) const;

  PolicySet policies_;
  std::string context_;   // the last released bytes (left context for boundaries)
  std::string pending_;   // bytes not released yet
  size_t consumed_ = 0;   // bytes of output released before pending_
  int64_t chars_ = 0;     // code points seen (max_chars rules)
  std::vector<bool> over_limit_;  // per (policy, rule) flattened: a length decision was made
  bool blocked_ = false;
};

}  // namespace ondo::serve::guardrails
