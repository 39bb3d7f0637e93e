// Evaluating guardrail policies on a text: every rule of the stage finds its spans, then
// block wins (the text must not pass), redactions are applied left to right (overlapping
// matches merge into the first one's replacement) and flags are only recorded.
// Layer: serve (guardrails; pure functions, no HTTP, no store).
// Thread contract: a CompiledPolicy is immutable and shared; evaluate() runs on any thread.
#pragma once

#include <functional>
#include <optional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/serve/guardrails/policy.h"
#include "ondo/serve/guardrails/regex.h"

namespace ondo::serve::guardrails {

// A policy with its regexes (regex rules, blocklists) compiled.
class CompiledPolicy {
 public:
  // Errors: InvalidArgument naming the rule ("rules[1].pattern: invalid regular expression ...").
  static Result<std::shared_ptr<const CompiledPolicy>> compile(Policy policy);

  const Policy& policy() const { return policy_; }
  bool has_stage(Stage s) const;
  // Spans of the text rule `i` (regex, blocklist, pii); length rules have none.
  Result<std::vector<Span>> find(size_t i, std::string_view text) const;
  // The bytes the stream filter holds back for rule `i` at the end of `text` (from `floor`).
  size_t hold_from(size_t i, std::string_view text, size_t floor) const;

 private:
  Policy policy_;
  std::vector<std::optional<Regex>> regexes_;  // per rule: regex and blocklist rules
};

using PolicySet = std::vector<std::shared_ptr<const CompiledPolicy>>;

// One rule's finding. The span is in bytes of the text as evaluated (before redaction); a
// length rule's span is the whole text. Never carries the matched text itself.
struct Decision {
  std::string policy;
  std::string rule;
  std::string reason;
  Action action = Action::Flag;
  Stage stage = Stage::Input;
  Span span;
};

struct Evaluation {
  std::vector<Decision> decisions;  // left to right
  std::string text;                 // the text with redactions applied (unchanged when blocked)
  const Decision* block() const;    // the first block decision, or null
};

// Counts tokens of a text, for max_tokens rules (null: those rules are skipped).
using TokenCounter = std::function<int64_t(std::string_view)>;

// Errors: InvalidArgument when a pattern fails on the text (match limit) or the text is not
// UTF-8; the caller treats that as a refusal (fail closed).
Result<Evaluation> evaluate(const PolicySet& policies, std::string_view text, Stage stage,
                            const TokenCounter& count_tokens = nullptr);
Result<Evaluation> evaluate(const CompiledPolicy& policy, std::string_view text, Stage stage,
                            const TokenCounter& count_tokens = nullptr);

// Code points in UTF-8 text (bytes that do not start a character are not counted).
int64_t count_chars(std::string_view text);

// Internal to evaluate() and the stream filter: a text rule's match and the rewriting.
struct Match {
  size_t policy = 0;  // index in the PolicySet
  size_t rule = 0;
  Span span;
};
// Every match of the text rules of `stage`, sorted by start (then longer first).
Result<std::vector<Match>> find_matches(const PolicySet& policies, std::string_view text, Stage stage);
// Decisions for `matches` and `text[from, to)` with redactions (spans offset by `base` in the
// decisions). Matches must lie in [from, to).
void apply_matches(const PolicySet& policies, std::string_view text, size_t from, size_t to,
                   const std::vector<Match>& matches, Stage stage, size_t base, Evaluation& out);

}  // namespace ondo::serve::guardrails
