// The route table of `ondo serve`: one row per {method, path, handler, auth rule}. Route
// registration, the Allow header, 404 versus 405, the access rule applied before routing and
// the metrics' route label all derive from it. Layer: serve (internal to it).
// Thread contract: the table is immutable; every function here is safe from any thread.
#pragma once

#include <httplib.h>

#include <span>
#include <string>
#include <string_view>

namespace ondo::serve {

class ServerState;

// Who may call a route.
enum class AuthRule {
  Public,  // anyone (load balancer health checks)
  ApiKey,  // the API key when one is set, else loopback Host/Origin only (serve/auth.h)
  Admin,   // the admin key (--admin-key) only
};

using RouteHandler = void (*)(ServerState& state, const httplib::Request& req, httplib::Response& res);

struct Route {
  const char* method;  // "GET", "POST", "PUT", "DELETE"; a GET route answers HEAD too (as cpp-httplib does)
  // The path template, which is also the metrics' route label. A trailing "{name}" segment
  // matches the non-empty rest of the path ("/v1/models/{model}" matches "/v1/models/a/b").
  const char* path;
  RouteHandler handler;
  AuthRule auth;
};

// Every route, in registration order.
std::span<const Route> route_table();

// Whether `path` matches the row's path template.
bool path_matches(const Route& route, std::string_view path);
// The row for `method` and `path`, or nullptr.
const Route* find_route(std::string_view method, std::string_view path);
// The methods of the rows whose template matches `path`, as an Allow header value
// ("GET", "POST", "GET, DELETE"); empty when no row matches.
std::string allowed_methods(std::string_view path);
// The access rule for a request: its row's rule; for a path that matches rows of other
// methods only (a 405), Public when all of them are public; ApiKey otherwise (404 too; an
// admin path's 405 as well: it runs no admin handler).
AuthRule auth_rule(std::string_view method, std::string_view path);
// The metrics' route label: the matching row's path template, or "other".
std::string route_label(std::string_view path);

// Registers every row on `http`. `state` must outlive `http`.
void register_routes(httplib::Server& http, ServerState& state);

}  // namespace ondo::serve
