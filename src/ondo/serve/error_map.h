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

// A failure of a store write or read: as to_api_error(), except that the store's
// ResourceExhausted (its disk or quota is full) is 507 insufficient_storage, a server_error
// (not a 429: the caller did nothing wrong and retrying soon will not help); an unreachable
// store stays 503. The message names the store.
ApiError store_api_error(const Error& error);

// Routing failures that have no ErrorCode of their own: a known path with a wrong method.
ApiError method_not_allowed(std::string_view method, std::string_view path);

// Refusals of the HTTP edge, before any route runs (serve/http_guard.cpp).
enum class EdgeRefusal {
  Malformed,           // 400
  RequestLineTooLong,  // 414
  HeadersTooLarge,     // 431
  BodyTooLarge,        // 413
  Timeout,             // 408: first byte, header block or body too slow
  TooManyFromAddress,  // 429: connections per client address
  TooManyConnections,  // 503: connections in all
};
ApiError edge_error(EdgeRefusal why, std::string message);

// {"error": {...}} as compact JSON.
std::string error_body(const ApiError& e);

// The error body shapes of the API families ondo speaks. Every error on a family's paths,
// routing and access errors included, is written in that family's shape.
enum class ErrorShape {
  OpenAI,     // {"error": {"message", "type", "param", "code"}}
  Anthropic,  // {"type": "error", "error": {"type", "message"}} (type from the status)
  Ollama,     // {"error": "message"}
};
// Anthropic for /v1/messages and below, Ollama for /api/..., OpenAI for every other path.
ErrorShape error_shape_for_path(std::string_view path);
// The body of `e` in `shape`, as compact JSON.
std::string error_body(const ApiError& e, ErrorShape shape);

}  // namespace ondo::serve
