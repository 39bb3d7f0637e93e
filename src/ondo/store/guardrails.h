// The guardrails' rows in the store (issue 15.6): policies (a name and its rules as JSON text,
// parsed and checked by serve/guardrails), attachments of a policy to every request
// ("global"), to one API key ("key", target = key id) or to one prompt of the registry
// ("prompt", target = prompt name), and the decisions made on requests. A decision keeps its
// reason code, request, key, stage, action, time and byte span, never the matched text.
// Layer: store (plain data).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace ondo::store {

struct GuardrailPolicy {
  std::string name;
  std::string body;  // the policy as JSON text
  int64_t created_at = 0;
  int64_t updated_at = 0;
  bool operator==(const GuardrailPolicy&) const = default;
};

struct GuardrailAttachment {
  std::string scope;   // "global", "key" or "prompt"
  std::string target;  // "" for global; the key id; the prompt name
  std::string policy;
  int64_t created_at = 0;
  bool operator==(const GuardrailAttachment&) const = default;
};

struct GuardrailDecision {
  int64_t id = 0;  // assigned by the store
  int64_t at = 0;  // Unix seconds
  std::string request_id;
  std::string key_id;  // "" when the caller was not a store key
  std::string policy;
  std::string rule;
  std::string reason;  // "guardrail.pii.email"
  std::string stage;   // "input" or "output"
  std::string action;  // "block", "redact" or "flag"
  int64_t span_begin = 0;
  int64_t span_end = 0;
  bool operator==(const GuardrailDecision&) const = default;
};

// Decisions of one request, or in [from, to) (Unix seconds), oldest first, at most `limit`.
struct GuardrailDecisionQuery {
  std::string request_id;  // "": any
  std::optional<int64_t> from;
  std::optional<int64_t> to;
  int64_t limit = 1000;
};

}  // namespace ondo::store
