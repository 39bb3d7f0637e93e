// Anthropic Messages API request bodies (POST /v1/messages, /v1/messages/count_tokens),
// validated and translated into a ChatRequest: `system` becomes a system message, content
// blocks become chat messages (tool_use blocks the assistant's tool_calls, tool_result blocks
// tool messages), tools' input_schema becomes function parameters, tool_choice auto / any /
// tool / none becomes auto / required / named / none; the chat parser (api_types.h) then
// validates what both APIs share, and its errors are renamed back to this request's field
// paths ("messages[2].tool_calls[0].function.name" -> "messages[1].content[1].name").
// Layer: serve. Pure functions of the body; never throw on any bytes. What ondo cannot
// honour (image and document blocks, server tools, extended thinking, assistant prefill) is
// refused by name (docs/api.md "Anthropic Messages API").
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "ondo/core/result.h"
#include "ondo/serve/api_types.h"
#include "ondo/serve/responses_request.h"

namespace ondo::serve {

// Which route the body is for: count_tokens needs no max_tokens and generates nothing.
enum class AnthropicCall { Messages, CountTokens };

struct AnthropicRequest {
  ChatRequest chat;      // the generation, validated by the chat parser; gen.stop holds stop_sequences
  FieldRenames renames;  // chat path -> Anthropic path, for errors found later (prepare_chat)
};

// Most stop_sequences accepted in one request.
constexpr size_t kMaxStopSequences = 16;

// Errors: InvalidArgument or Unsupported whose field is the Anthropic path at fault.
Result<AnthropicRequest> parse_anthropic_request(std::string_view body, AnthropicCall call);

namespace detail {
// `system` and `messages` as chat messages, adding the renames of each message, tool call and
// field they create. Errors name Anthropic paths.
Result<nlohmann::ordered_json> anthropic_messages(const nlohmann::ordered_json& body, FieldRenames& renames);
}  // namespace detail

}  // namespace ondo::serve
