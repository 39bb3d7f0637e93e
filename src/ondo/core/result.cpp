// Error helpers and the invariant-failure handler. Layer: core.
#include "ondo/core/result.h"

#include <cstdio>
#include <cstdlib>

#include "ondo/core/check.h"

namespace ondo {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidArgument: return "invalid_argument";
    case ErrorCode::NotFound: return "not_found";
    case ErrorCode::InvalidFile: return "invalid_file";
    case ErrorCode::Unsupported: return "unsupported";
    case ErrorCode::Unauthenticated: return "unauthenticated";
    case ErrorCode::PermissionDenied: return "permission_denied";
    case ErrorCode::TooLarge: return "too_large";
    case ErrorCode::ResourceExhausted: return "resource_exhausted";
    case ErrorCode::Overloaded: return "overloaded";
    case ErrorCode::Unavailable: return "unavailable";
    case ErrorCode::Cancelled: return "cancelled";
    case ErrorCode::Internal: return "internal";
  }
  return "unknown";
}

Error Error::with_context(std::string_view context) const {
  Error e = *this;
  e.message = std::string(context) + ": " + message;
  return e;
}

Error Error::in_field(std::string_view parent) const {
  Error e = *this;
  e.field = join_field_path(parent, field);
  const std::string old_prefix = field + ": ";
  if (!field.empty() && message.compare(0, old_prefix.size(), old_prefix) == 0) {
    e.message = e.field + ": " + message.substr(old_prefix.size());
  } else {
    e.message = e.field + ": " + message;
  }
  return e;
}

Error make_error(ErrorCode code, std::string message) { return Error{code, std::move(message), {}}; }

Error field_error(ErrorCode code, std::string_view path, std::string_view what) {
  std::string message(path);
  message += ": ";
  message += what;
  return Error{code, std::move(message), std::string(path)};
}

std::string join_field_path(std::string_view parent, std::string_view child) {
  std::string out(parent);
  if (!parent.empty() && !child.empty() && child.front() != '[') out += '.';
  out += child;
  return out;
}

}  // namespace ondo

namespace ondo::core {

void check_failed(const char* file, int line, const char* expr, const char* msg) {
  std::fprintf(stderr, "ondo: internal invariant failed at %s:%d: %s%s%s\n", file, line, expr,
               msg ? " — " : "", msg ? msg : "");
  std::abort();
}

}  // namespace ondo::core
