// The prompt registry's records (issue 15.5): a prompt, its immutable versions and its labels.
// Plain data, kept by Store (store.h); rendering and validation live in serve/prompt_registry.
// Layer: store. JSON documents the store does not interpret are kept as JSON text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ondo::store {

struct Prompt {
  std::string name;
  std::string description;
  int64_t created_at = 0;      // Unix seconds
  int64_t latest_version = 0;  // filled by reads; 0: no version yet (ignored by insert_prompt)

  bool operator==(const Prompt&) const = default;
};

// A variable a version's templates use: its type ("string", "number", "integer" or
// "boolean") and, optionally, its default as JSON text ("\"en\"", "3", "true").
struct PromptVariable {
  std::string name;
  std::string type;
  std::optional<std::string> default_json;

  bool operator==(const PromptVariable&) const = default;
};

// A message: a role ("system", "user", "assistant") and its content (a template for message
// templates, plain text for few-shot examples).
struct PromptMessage {
  std::string role;
  std::string content;

  bool operator==(const PromptMessage&) const = default;
};

struct PromptVersion {
  std::string prompt;  // the prompt's name
  int64_t version = 0;  // 1, 2, ... per prompt; given by the store
  std::string system;   // a template; empty: none
  std::vector<PromptMessage> messages;  // templates, after the system text and the examples
  std::vector<PromptVariable> variables;
  std::vector<PromptMessage> examples;  // few-shot examples, verbatim
  std::string params_json;              // default sampling params: a JSON object, or empty
  std::string response_schema_json;     // a JSON schema, or empty
  std::string tools_json;               // an array of OpenAI tools, or empty
  std::string guardrail;                // a guardrail policy name, or empty (stored only)
  std::string note;
  int64_t created_at = 0;               // Unix seconds

  bool operator==(const PromptVersion&) const = default;
};

// One version a label serves and its share of the traffic (weights are relative, >= 1).
struct LabelTarget {
  int64_t version = 0;
  int64_t weight = 1;

  bool operator==(const LabelTarget&) const = default;
};

struct PromptLabel {
  std::string prompt;
  std::string label;                 // "production", "staging", any name
  std::vector<LabelTarget> targets;  // one (a plain pointer) or several (a weighted split)
  int64_t updated_at = 0;            // Unix seconds

  bool operator==(const PromptLabel&) const = default;
};

}  // namespace ondo::store
