// The prompt registry's logic (issue 15.5), as pure functions over the store's records
// (store/prompts.h): reading a version or a label from request JSON (with every check that
// can be made when it is created), showing them as JSON, picking a version from a weighted
// label (sticky per key or user), rendering a version's templates with the request's
// variables through the sandboxed chat-template engine (text/chat_template), putting the
// rendered prompt into an OpenAI chat body, and the line diff of two versions.
// Layer: serve. No store access, no I/O; safe from any thread.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/store/prompts.h"

namespace ondo::serve {

// A prompt name or label: 1 to 128 of [A-Za-z0-9._-], starting with a letter or digit.
// Errors: InvalidArgument naming `field`.
Status check_prompt_name(std::string_view name, std::string_view field);

// A new version of `prompt` from a request body: system, messages [{role, content}], variables
// {name: {type, default?}} or {name: "type"}, examples [{role, content}], params {temperature,
// top_p, top_k, min_p, max_tokens, max_completion_tokens, seed, stop, presence_penalty,
// frequency_penalty}, response_schema (object), tools (array of OpenAI tools), guardrail, note.
// Every template is parsed here, so a syntax error is refused when the version is made.
// Errors: InvalidArgument naming the field ("messages[1].content", "variables.lang.default").
Result<store::PromptVersion> prompt_version_from_json(const nlohmann::ordered_json& body, const std::string& prompt,
                                                      int64_t now);

// A label's targets from {"version": N} or {"versions": [{"version": N, "weight": W}, ...]}.
// Errors: InvalidArgument naming the field.
Result<std::vector<store::LabelTarget>> label_targets_from_json(const nlohmann::ordered_json& body);

nlohmann::ordered_json prompt_json(const store::Prompt& p, const std::vector<store::PromptLabel>& labels);
nlohmann::ordered_json prompt_version_json(const store::PromptVersion& v);
nlohmann::ordered_json prompt_label_json(const store::PromptLabel& l);

// The `prompt` field of a chat request (or the body of the render route):
// {"name", "label" | "version", "variables": {...}}. Neither label nor version: the
// "production" label when the prompt has one, else its latest version.
struct PromptRef {
  std::string name;
  std::optional<std::string> label;
  std::optional<int64_t> version;
  nlohmann::ordered_json variables = nlohmann::ordered_json::object();
};
// Errors: InvalidArgument naming `field` and its members ("prompt.version").
Result<PromptRef> parse_prompt_ref(const nlohmann::ordered_json& v, const std::string& field);

// The version a label serves to `sticky` (the caller's API key or the request's `user`): the
// SHA-256 of sticky + prompt name picks a bucket in [0, total weight), deterministically.
// Requires: label.targets non-empty with weights >= 1.
int64_t pick_version(const store::PromptLabel& label, std::string_view sticky);

// The version's messages for `variables`: its system text (rendered), its few-shot examples
// (verbatim), its message templates (rendered), in that order.
// Errors: InvalidArgument naming "<field>.variables.<name>" for a missing variable (no value,
// no default), a value of the wrong type, or a variable the version does not declare; a
// template that raises or runs over its limits names the template.
Result<std::vector<store::PromptMessage>> render_prompt(const store::PromptVersion& v,
                                                        const nlohmann::ordered_json& variables,
                                                        const std::string& field);

// Puts a rendered version into an OpenAI chat body: `rendered` goes before the body's own
// messages (the body may then omit messages); the version's params fill the sampling fields
// the body does not set; its response schema applies when the body has no response_format
// or grammar, its tools when the body has none. Removes the body's "prompt" field.
void apply_prompt_to_chat(nlohmann::ordered_json& body, const store::PromptVersion& v,
                          const std::vector<store::PromptMessage>& rendered);

// The same for an Anthropic Messages body: rendered system text goes before the body's
// `system` (string or text blocks), the other rendered messages before its `messages`;
// params fill temperature, top_p, top_k, max_tokens (from max_tokens or
// max_completion_tokens) and stop_sequences (from stop) where unset; tools become Anthropic
// tools ({name, description, input_schema}) when the body has none. The response schema has
// no Anthropic field and is not applied.
void apply_prompt_to_anthropic(nlohmann::ordered_json& body, const store::PromptVersion& v,
                               const std::vector<store::PromptMessage>& rendered);

// A line diff of two versions' fields as text ("  same", "- removed", "+ added" lines).
std::string diff_prompt_versions(const store::PromptVersion& from, const store::PromptVersion& to);

}  // namespace ondo::serve
