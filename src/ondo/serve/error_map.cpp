// ErrorCode -> HTTP status / OpenAI error type and code, and the error body. Layer: serve.
// The only file that knows HTTP statuses for error codes (STYLE 3).
#include "ondo/serve/error_map.h"

#include <nlohmann/json.hpp>

#include <array>

namespace ondo::serve {
namespace {

struct Row {
  ErrorCode code;
  int status;
  const char* type;
  const char* api_code;
};

// One row per ErrorCode, in enum order (checked below).
constexpr std::array<Row, 12> kRows = {{
    {ErrorCode::InvalidArgument, 400, "invalid_request_error", ""},
    {ErrorCode::NotFound, 404, "invalid_request_error", "not_found"},
    {ErrorCode::InvalidFile, 500, "server_error", "invalid_file"},
    {ErrorCode::Unsupported, 400, "invalid_request_error", "unsupported_parameter"},
    {ErrorCode::Unauthenticated, 401, "invalid_request_error", "invalid_api_key"},
    {ErrorCode::PermissionDenied, 403, "invalid_request_error", "permission_denied"},
    {ErrorCode::TooLarge, 413, "invalid_request_error", "request_too_large"},
    {ErrorCode::ResourceExhausted, 429, "rate_limit_error", "resource_exhausted"},
    {ErrorCode::Overloaded, 429, "rate_limit_error", "rate_limit_exceeded"},
    {ErrorCode::Unavailable, 503, "server_error", "service_unavailable"},
    {ErrorCode::Cancelled, 408, "server_error", "request_cancelled"},
    {ErrorCode::Internal, 500, "server_error", "internal_error"},
}};

constexpr bool rows_in_enum_order() {
  for (size_t i = 0; i < kRows.size(); ++i) {
    if (static_cast<size_t>(kRows[i].code) != i) return false;
  }
  return static_cast<size_t>(ErrorCode::Internal) + 1 == kRows.size();
}
static_assert(rows_in_enum_order(), "error_map: one row per ErrorCode, in enum order");

// Seconds a client should wait after a full queue before retrying.
constexpr int kRetryAfterSeconds = 1;

// The reason code a guardrail block starts its message with ("guardrail.pii.kr_rrn: ..."), or
// "" (serve/guardrail_gate.h guardrail_error()).
std::string guardrail_reason(const Error& error) {
  if (error.code != ErrorCode::InvalidArgument || error.message.rfind("guardrail.", 0) != 0) return "";
  const size_t colon = error.message.find(':');
  if (colon == std::string::npos || colon > 128) return "";
  for (size_t i = 0; i < colon; ++i) {
    const char c = error.message[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_')) return "";
  }
  return error.message.substr(0, colon);
}

}  // namespace

ApiError to_api_error(const Error& error) {
  const Row& row = kRows[static_cast<size_t>(error.code)];
  ApiError e;
  e.status = row.status;
  e.type = row.type;
  e.code = row.api_code;
  e.param = error.field;
  e.message = error.message;
  if (error.code == ErrorCode::NotFound && error.field == "model") e.code = "model_not_found";
  if (error.code == ErrorCode::Overloaded) e.retry_after_s = kRetryAfterSeconds;
  if (std::string reason = guardrail_reason(error); !reason.empty()) e.code = std::move(reason);
  return e;
}

ApiError store_api_error(const Error& error) {
  ApiError e = to_api_error(error);
  if (error.code == ErrorCode::ResourceExhausted) {
    e.status = 507;
    e.type = "server_error";
    e.code = "insufficient_storage";
    e.retry_after_s = 0;
  }
  return e;
}

ApiError method_not_allowed(std::string_view method, std::string_view path) {
  ApiError e;
  e.status = 405;
  e.type = "invalid_request_error";
  e.code = "method_not_allowed";
  e.message = std::string(path) + ": method " + std::string(method) + " is not allowed";
  return e;
}

ApiError edge_error(EdgeRefusal why, std::string message) {
  struct EdgeRow {
    int status;
    const char* type;
    const char* code;
  };
  static constexpr EdgeRow kEdge[] = {
      {400, "invalid_request_error", ""},
      {414, "invalid_request_error", "request_line_too_long"},
      {431, "invalid_request_error", "headers_too_large"},
      {413, "invalid_request_error", "request_too_large"},
      {408, "invalid_request_error", "request_timeout"},
      {429, "rate_limit_error", "too_many_connections"},
      {503, "server_error", "too_many_connections"},
  };
  static_assert(std::size(kEdge) == size_t(EdgeRefusal::TooManyConnections) + 1, "error_map: one row per EdgeRefusal");
  const EdgeRow& row = kEdge[size_t(why)];
  ApiError e;
  e.status = row.status;
  e.type = row.type;
  e.code = row.code;
  e.message = std::move(message);
  if (why == EdgeRefusal::TooManyFromAddress || why == EdgeRefusal::TooManyConnections) e.retry_after_s = kRetryAfterSeconds;
  return e;
}

std::string error_body(const ApiError& e) {
  nlohmann::json j = {{"error",
                       {{"message", e.message},
                        {"type", e.type},
                        {"param", e.param.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.param)},
                        {"code", e.code.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.code)}}}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

ErrorShape error_shape_for_path(std::string_view path) {
  constexpr std::string_view kMessages = "/v1/messages";
  if (path.rfind(kMessages, 0) == 0 && (path.size() == kMessages.size() || path[kMessages.size()] == '/')) {
    return ErrorShape::Anthropic;
  }
  if (path.rfind("/api/", 0) == 0) return ErrorShape::Ollama;
  return ErrorShape::OpenAI;
}

namespace {

// Anthropic's error types are named by the HTTP status.
const char* anthropic_error_type(int status) {
  switch (status) {
    case 401: return "authentication_error";
    case 403: return "permission_error";
    case 404: return "not_found_error";
    case 413: return "request_too_large";
    case 429: return "rate_limit_error";
    case 503:
    case 529: return "overloaded_error";
    default: return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

}  // namespace

std::string error_body(const ApiError& e, ErrorShape shape) {
  nlohmann::json j;
  switch (shape) {
    case ErrorShape::OpenAI: return error_body(e);
    case ErrorShape::Anthropic:
      j = {{"type", "error"}, {"error", {{"type", anthropic_error_type(e.status)}, {"message", e.message}}}};
      break;
    case ErrorShape::Ollama: j = {{"error", e.message}}; break;
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace ondo::serve
