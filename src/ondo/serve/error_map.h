// The one place where ErrorCode becomes an HTTP status and an OpenAI-shaped error body
// ({"error": {"message", "type", "param", "code"}}). Layer: serve.
// Must not touch model code or the scheduler; pure functions of the error.
#pragma once

#include <string>
#include <string_view>

#include "ondo/core/result.h"

namespace ondo::serve {

struct ApiError {
  int status = 500;
  std::string type;     // OpenAI's error "type" ("invalid_request_error", "server_error", ...)
  std::string code;     // OpenAI's error "code" ("" -> null)
  std::string param;    // the request field at fault ("" -> null)
  std::string message;
  int retry_after_s = 0;  // > 0: send a Retry-After header (429)
};

// Maps `error` to status, type and code; its field path (Error::field) becomes `param`.
ApiError to_api_error(const Error& error);

// Routing failures that have no ErrorCode of their own: a known path with a wrong method.
ApiError method_not_allowed(std::string_view method, std::string_view path);

// {"error": {...}} as compact JSON.
std::string error_body(const ApiError& e);

}  // namespace ondo::serve
