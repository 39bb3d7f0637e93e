// OpenAI response bodies and stream chunks (chat.completion[.chunk], text_completion),
// usage and logprobs objects. Layer: serve. Pure JSON building from plain values.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "ondo/infer/tools/tool_calls.h"
#include "ondo/serve/generation.h"

namespace ondo::serve {

enum class Flavor { Chat, Completion };

struct ResponseIds {
  Flavor flavor = Flavor::Chat;
  std::string id;  // "chatcmpl-..." / "cmpl-..."
  int64_t created = 0;
  std::string model;
};

ResponseIds new_response_ids(Flavor flavor, const std::string& model);

nlohmann::json usage_json(int32_t prompt_tokens, int32_t completion_tokens, int32_t cached_tokens);

// Chat: {"content": [...], "refusal": null}; completions: {"tokens", "token_logprobs",
// "top_logprobs", "text_offset"} with offsets counted from `text_offset`.
nlohmann::json logprobs_json(Flavor flavor, const std::vector<TokenEntry>& tokens, size_t text_offset);

// The non-streaming response. `tool_calls` (chat): null, or the message's tool_calls array
// (then content is null).
nlohmann::json full_response(const ResponseIds& ids, const std::string& text, const std::string& finish_reason,
                             const nlohmann::json& logprobs, const nlohmann::json& usage,
                             const nlohmann::json& tool_calls = nullptr);

// `prefix` and 24 random hex digits (response, item and call ids).
std::string random_id(const char* prefix);

// A new tool call id ("call_" and 24 hex digits).
std::string new_call_id();

// [{"id", "type": "function", "function": {"name", "arguments"}}] with ids[i] for call i.
nlohmann::json tool_calls_json(const std::vector<infer::tools::ParsedCall>& calls, const std::vector<std::string>& ids);

// A chat chunk whose delta carries tool-call pieces (`calls`: the delta's tool_calls array).
nlohmann::json tool_call_chunk(const ResponseIds& ids, const nlohmann::json& calls, bool usage_null);

// One stream chunk. `role_chunk` (chat only): the first chunk with delta.role. `finish`: the
// last choice chunk. `usage_null`: include "usage": null (stream_options.include_usage).
nlohmann::json stream_chunk(const ResponseIds& ids, const std::string& text, bool role_chunk,
                            const std::optional<std::string>& finish, const nlohmann::json& logprobs, bool usage_null);

// The chunk after the last choice chunk when include_usage: empty choices, usage set.
nlohmann::json usage_chunk(const ResponseIds& ids, const nlohmann::json& usage);

}  // namespace ondo::serve
