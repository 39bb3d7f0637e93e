// OpenAI Responses API request bodies (POST /v1/responses), validated and translated into a
// ChatRequest: input items become chat messages, flat function tools become chat tools,
// text.format becomes response_format, max_output_tokens becomes max_completion_tokens; the
// chat parser (api_types.h) then validates what both APIs share, and its errors are renamed
// back to this request's field paths ("messages[3].tool_calls[0].function.arguments" ->
// "input[4].arguments"). Layer: serve. Pure functions of the body; never throw on any bytes.
// Stateless: this server keeps no responses, so previous_response_id, conversation and item
// references are refused with errors that say so (docs/api.md "OpenAI Responses API").
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/serve/api_types.h"

namespace ondo::serve {

// A field path of the translated chat request and the Responses field it came from. A chat
// path equal to `chat`, or continuing it with "." or "[", is renamed to `responses`.
struct FieldRename {
  std::string chat;
  std::string responses;
};
using FieldRenames = std::vector<FieldRename>;

struct ResponsesRequest {
  ChatRequest chat;             // the generation, validated by the chat parser
  nlohmann::ordered_json echo;  // the Response object's fields that echo the request (tools, text, ...)
  FieldRenames renames;         // for errors found later (prepare_chat) in the chat request
  // The file_search tool as given (an object; the route parses it with parse_rag_object) and
  // its path ("tools[1]"); null when the request has none. Retrieval runs before generation.
  std::optional<nlohmann::ordered_json> file_search;
  std::string file_search_field;
  bool include_file_search_results = false;  // include: ["file_search_call.results"]
};

// Errors: InvalidArgument or Unsupported whose field is the Responses path at fault.
Result<ResponsesRequest> parse_responses_request(std::string_view body);

// `error` from the translated chat request with its field, and the path its message starts
// with, renamed to the Responses request's (the longest matching rename wins; an unmatched
// path is kept).
Error rename_chat_error(const FieldRenames& renames, Error error);

namespace detail {
// `input` (a string or items) and `instructions` as chat messages. Adds the renames of each
// message, tool call and field it creates. Errors name Responses paths.
Result<nlohmann::ordered_json> responses_input_messages(const nlohmann::ordered_json& body, FieldRenames& renames);
}  // namespace detail

}  // namespace ondo::serve
