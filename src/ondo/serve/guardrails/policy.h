// Guardrail policies: a named list of rules checked on a request's input text (before the
// model sees it) and/or on its output text (before the bytes leave the server). A rule is a
// regex (PCRE2), a blocklist (words and phrases, case-insensitive, whole words), a length
// limit (characters, or tokens on input), or a PII detector (detectors.h); its action is
// block (the request fails with the rule's reason code), redact (the match is replaced) or
// flag (recorded only). Layer: serve (guardrails; pure functions, no HTTP, no store).
//
// JSON form (POST /v1/guardrails, docs/api.md "Guardrails"):
//   {"name": "pii", "description": "...", "rules": [
//     {"id": "mail", "type": "pii", "detector": "email", "action": "redact", "stages": ["input", "output"]},
//     {"type": "regex", "pattern": "secret-[0-9]+", "action": "block", "max_match_bytes": 64},
//     {"type": "blocklist", "words": ["foo", "bar baz"], "action": "flag"},
//     {"type": "max_chars", "limit": 4000, "action": "block"}]}
// Optional on every rule: "id" (default "<type>[-<detector>]-<index>"), "stages" (default
// both), "reason" ("guardrail." + lower-case letters, digits, '.', '_'; default by type:
// guardrail.pii.<detector>, guardrail.regex.<id>, guardrail.blocklist.<id>,
// guardrail.length.chars / .tokens) and "replacement" (redact; default "[EMAIL]" and the
// like, "[REDACTED]" for regex and blocklist rules).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/serve/guardrails/detectors.h"

namespace ondo::serve::guardrails {

enum class Stage { Input, Output };
enum class Action { Block, Redact, Flag };
enum class RuleType { Regex, Blocklist, MaxChars, MaxTokens, Pii };

std::string_view stage_name(Stage s);    // "input", "output"
std::string_view action_name(Action a);  // "block", "redact", "flag"

struct Rule {
  std::string id;  // unique in its policy
  RuleType type = RuleType::Pii;
  Action action = Action::Flag;
  bool on_input = true;
  bool on_output = true;
  std::string reason;       // "guardrail.pii.email"
  std::string replacement;  // redact
  PiiKind pii = PiiKind::Email;      // Pii
  std::string pattern;               // Regex
  bool caseless = false;             // Regex
  std::vector<std::string> words;    // Blocklist
  int64_t limit = 0;                 // MaxChars (code points), MaxTokens
  size_t max_match_bytes = 256;      // Regex: its longest match, the stream filter's look-behind

  bool applies(Stage s) const { return s == Stage::Input ? on_input : on_output; }
};

struct Policy {
  std::string name;
  std::string description;
  std::vector<Rule> rules;
};

// Policy names: 1 to 64 of [A-Za-z0-9._-], not one of the reserved route words
// ("attach", "detach", "attachments", "decisions").
bool valid_policy_name(std::string_view name);

// Errors: InvalidArgument naming the field path ("rules[2].detector") and what is wrong.
// The regexes are not compiled here (CompiledPolicy does that).
Result<Policy> parse_policy(const nlohmann::json& body);

// The policy as JSON, every default filled in (what GET shows and the store keeps).
nlohmann::json policy_json(const Policy& policy);

}  // namespace ondo::serve::guardrails
