// Helpers shared by the request parsers (api_types.cpp, api_structured.cpp): JSON member
// access and field-path errors, and the structured-output parsers. Layer: serve (internal).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "ondo/core/result.h"
#include "ondo/serve/api_types.h"
#include "ondo/serve/json_limits.h"

namespace ondo::serve::detail {

using ReqJson = nlohmann::ordered_json;

// An error about the request field `path` (its message starts with "<path>: ").
inline Error field_error(std::string_view path, const std::string& what, ErrorCode code = ErrorCode::InvalidArgument) {
  return ondo::field_error(code, path, what);
}

// The JSON type of `v` as error messages name it.
std::string seen(const ReqJson& v);

// The member `key` of `obj`, or nullptr when absent or null.
inline const ReqJson* member(const ReqJson& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

// response_format and grammar (both endpoints).
Status parse_output_constraint(const ReqJson& obj, OutputConstraint& out);
// tools, tool_choice, parallel_tool_calls (chat).
Status parse_tools(const ReqJson& obj, ChatRequest& r);
// An assistant message's tool_calls, validated; string arguments that hold a JSON object
// become that object, as chat templates expect. The string is parsed under the request's
// JSON limits, at its depth in the request, counting into `budget`.
Status normalize_tool_calls(ReqJson& msg, const std::string& path, JsonBudget& budget);

}  // namespace ondo::serve::detail
