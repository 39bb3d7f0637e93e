// The prompt registry's operations on a store, shared by the /v1/prompts routes and
// `ondo prompt`: JSON in (request bodies), JSON out (what the API answers). Validation and
// rendering are prompt_registry.h's pure functions; this file adds the store.
// Layer: serve. Thread contract: safe from any thread (the store is).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "ondo/core/result.h"
#include "ondo/serve/prompt_registry.h"
#include "ondo/store/store.h"

namespace ondo::serve {

// Errors of every operation: InvalidArgument naming the field, NotFound naming the prompt,
// label or version, and the store's errors as they are.

// {"name", "description"?} -> the prompt. InvalidArgument when it exists.
Result<nlohmann::ordered_json> create_prompt(store::Store& s, const nlohmann::ordered_json& body, int64_t now);
// {"object": "list", "data": [prompt...]}
Result<nlohmann::ordered_json> list_prompts(store::Store& s);
// The prompt with its labels.
Result<nlohmann::ordered_json> show_prompt(store::Store& s, const std::string& name);
// A new version from `body` (prompt_version_from_json) -> the stored version (its number set).
Result<nlohmann::ordered_json> add_prompt_version(store::Store& s, const std::string& name,
                                                  const nlohmann::ordered_json& body, int64_t now);
Result<nlohmann::ordered_json> list_prompt_versions(store::Store& s, const std::string& name);
Result<nlohmann::ordered_json> get_prompt_version(store::Store& s, const std::string& name, int64_t version);
// {"version": N} or {"versions": [{"version", "weight"}...]} -> the label.
Result<nlohmann::ordered_json> set_prompt_label(store::Store& s, const std::string& name, const std::string& label,
                                                const nlohmann::ordered_json& body, int64_t now);
// {"prompt", "from", "to", "diff": "<lines>"}
Result<nlohmann::ordered_json> diff_prompt(store::Store& s, const std::string& name, int64_t from, int64_t to);

// The version `ref` names: its version, or the version its label (default "production", else
// the latest version) serves to `sticky`. Errors name "<field>.name", ".label", ".version".
Result<store::PromptVersion> resolve_prompt(store::Store& s, const PromptRef& ref, std::string_view sticky,
                                            const std::string& field);

// The render route: body {"name", "label" | "version", "variables", "user"?} ->
// {"prompt", "version", "ref": "name@version", "messages", "params", "response_schema", "tools"}.
// `caller` is the sticky key when the body has no "user".
Result<nlohmann::ordered_json> render_prompt_request(store::Store& s, const nlohmann::ordered_json& body,
                                                     std::string_view caller);

// Parses a version number from text ("3"). Errors: InvalidArgument naming `field`.
Result<int64_t> parse_version_number(std::string_view text, std::string_view field);

}  // namespace ondo::serve
