// Cross-origin resource sharing for `ondo serve` (--cors-origin): which browser origins may
// call the server, the answer to a preflight (OPTIONS with Access-Control-Request-Method) and
// the headers a normal response carries for an allowed origin. Off by default: no origins, no
// CORS headers. Layer: serve. Pure functions of strings; no HTTP library types, no routes.
// Thread contract: a CorsPolicy is immutable after make_cors_policy(); safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ondo/core/result.h"

namespace ondo::serve {

struct CorsPolicy {
  std::vector<std::string> origins;  // normalized "scheme://host[:port]" (lowercase, no default port)
  bool any = false;                  // "*": every origin (only with an API key)
  bool enabled() const { return any || !origins.empty(); }
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Preflight answers are cached by browsers this long (seconds).
constexpr int kCorsMaxAgeS = 600;

// The policy of the --cors-origin values. Each is "*" or an origin "http[s]://host[:port]"
// (no path, no trailing slash, no "null"). Errors: InvalidArgument naming the value; "*"
// without an API key (any web page could then drive the server).
Result<CorsPolicy> make_cors_policy(const std::vector<std::string>& origins, bool has_api_key);

// `origin` (an Origin header value) in its normalized form, or nullopt when it is not a
// well-formed http(s) origin.
std::optional<std::string> normalize_origin(std::string_view origin);

// Whether the Origin header value `origin` is allowed by the policy.
bool origin_allowed(const CorsPolicy& policy, std::string_view origin);

// A preflight request: OPTIONS carrying Origin and Access-Control-Request-Method.
struct PreflightRequest {
  std::string_view origin;
  std::string_view method;           // Access-Control-Request-Method
  std::string_view request_headers;  // Access-Control-Request-Headers ("" when absent)
  std::string_view allowed_methods;  // the route table's methods for the path ("GET, POST"); "" for none
};

struct PreflightAnswer {
  bool ok = false;            // answer 204 with `headers`
  bool wrong_method = false;  // the path has routes, none for the requested method (Allow: allowed_methods)
  Error refusal;              // otherwise: PermissionDenied (origin), NotFound (path), InvalidArgument (headers)
  HeaderList headers;         // the CORS headers when ok
};

// The answer to a preflight. A GET route allows HEAD too. Allowed request headers are
// Authorization, Content-Type and x-api-key plus the names the client asks for (each must be a
// valid header name).
PreflightAnswer answer_preflight(const CorsPolicy& policy, const PreflightRequest& request);

// Headers for a normal (or streaming) response to a request from `origin` ("" when the
// request has none): for an allowed origin Access-Control-Allow-Origin (the origin itself),
// Vary: Origin and Access-Control-Expose-Headers (x-request-id, Retry-After); otherwise only
// Vary: Origin; nothing at all when the policy is off.
HeaderList cors_response_headers(const CorsPolicy& policy, std::string_view origin);

}  // namespace ondo::serve
