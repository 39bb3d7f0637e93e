// The web console's files and session routes. Layer: serve (routes).
#include "ondo/serve/routes/console.h"

#include <algorithm>
#include <ctime>

#include "ondo/serve/auth.h"
#include "ondo/serve/console_files.h"
#include "ondo/serve/console_session.h"
#include "ondo/serve/json_limits.h"
#include "ondo/serve/routes/routes.h"

namespace ondo::serve {

namespace {

using json = nlohmann::json;

constexpr std::string_view kConsolePrefix = "/console/";
// The page loads only its own scripts and styles and talks only to this server.
constexpr const char* kIndexPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'";

int64_t now_s() { return int64_t(std::time(nullptr)); }

void send_file(httplib::Response& res, const ConsoleFile& f, bool immutable) {
  res.status = 200;
  res.set_content(std::string(reinterpret_cast<const char*>(f.data), f.size), std::string(f.content_type));
  // Hashed assets never change under their name; index.html names the current ones.
  res.set_header("Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
  res.set_header("X-Content-Type-Options", "nosniff");
}

void send_index(httplib::Response& res) {
  const ConsoleFile* index = find_console_file("index.html");
  if (!index) {
    return send_error(res, make_error(ErrorCode::NotFound, "console: this binary was built without web/dist/index.html"));
  }
  send_file(res, *index, false);
  res.set_header("Content-Security-Policy", kIndexPolicy);
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("X-Frame-Options", "DENY");
}

bool server_needs_key(const ServerState& state) {
  const ServerOptions& o = state.options();
  return !o.api_key.empty() || !o.admin_key.empty() || o.store != nullptr;
}

GatewayPolicy policy_of(const ServerState& state) {
  const ServerOptions& o = state.options();
  return {{o.api_key, &state.cors()}, o.admin_key, o.store};
}

std::optional<std::string_view> origin_of(const httplib::Request& req, const std::string& value) {
  if (!req.has_header("Origin")) return std::nullopt;
  return std::string_view(value);
}

json session_json(const ConsoleSession& s) {
  return {{"object", "console.session"}, {"signed_in", true},        {"auth_required", true},
          {"caller", s.key_id},           {"admin", s.key_id == "admin"}, {"csrf_token", s.csrf},
          {"created_at", s.created_at},   {"expires_at", s.expires_at}};
}

json keyless_json() {
  return {{"object", "console.session"}, {"signed_in", true}, {"auth_required", false}, {"caller", "local"},
          {"admin", false},              {"csrf_token", nullptr}, {"expires_at", nullptr}};
}

// GET /v1/console/session without a live session: 200, so a page can ask before signing in.
json signed_out_json(const std::string& reason) {
  return {{"object", "console.session"}, {"signed_in", false}, {"auth_required", true}, {"reason", reason}};
}

bool secure_request(const httplib::Request& req) {
  return request_is_https(req.get_header_value("X-Forwarded-Proto"), req.get_header_value("Origin"));
}

// A sign-in from another site is refused: when the browser sends Origin, it must be this server.
Status check_same_origin(const httplib::Request& req) {
  if (!req.has_header("Origin")) return ok_status();
  const std::string origin = req.get_header_value("Origin");
  if (same_origin(origin, req.get_header_value("Host"))) return ok_status();
  return make_error(ErrorCode::PermissionDenied,
                    "origin: '" + origin.substr(0, 200) + "' is not this server (console sessions are same-origin only)");
}

}  // namespace

void handle_console_index(ServerState&, const httplib::Request&, httplib::Response& res) { send_index(res); }

void handle_console_file(ServerState&, const httplib::Request& req, httplib::Response& res) {
  const std::string_view path = std::string_view(req.path).substr(kConsolePrefix.size());
  if (const ConsoleFile* f = find_console_file(path); f && path != "index.html") {
    return send_file(res, *f, path.starts_with("assets/"));
  }
  if (path.starts_with("assets/")) {  // a stale page's asset: never answered with HTML
    return send_error(res, make_error(ErrorCode::NotFound, "console: no file " + std::string(req.path.substr(0, 200))));
  }
  send_index(res);  // the console's own client routes (/console/keys, ...)
}

void handle_console_session_create(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  if (Status st = check_same_origin(req); !st.ok()) return send_error(res, st.error());
  JsonBudget budget;
  auto body = parse_request_json(req.body, "", budget);
  if (!body.ok()) return send_error(res, body.error());
  if (!body->is_object()) return send_error(res, make_error(ErrorCode::InvalidArgument, "request body: expected a JSON object {\"key\": ...}"));
  for (const auto& [k, v] : body->items()) {
    if (k != "key") return send_error(res, field_error(ErrorCode::InvalidArgument, k, "unknown field (expected only \"key\")"));
  }
  if (!body->contains("key") || !(*body)["key"].is_string() || (*body)["key"].get<std::string>().empty()) {
    return send_error(res, field_error(ErrorCode::InvalidArgument, "key", "expected the admin key or an API key (a non-empty string)"));
  }
  if (!server_needs_key(state)) return send_json(res, 200, keyless_json());
  const std::string key = (*body)["key"].get<std::string>();
  const std::string origin = req.get_header_value("Origin");
  const int64_t now = now_s();
  auto caller = authorize(policy_of(state), false, "Bearer " + key, "", req.get_header_value("Host"),
                          origin_of(req, origin), now);
  if (!caller.ok()) return send_error(res, store_api_error(caller.error()));
  auto opened = state.console_sessions().open(key, caller->name, now);
  if (!opened.ok()) return send_error(res, store_api_error(opened.error()));
  res.set_header("Set-Cookie", session_cookie(opened->token, secure_request(req)));
  res.set_header("Cache-Control", "no-store");
  send_json(res, 201, session_json(opened->session));
}

void handle_console_session_get(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  res.set_header("Cache-Control", "no-store");
  if (!server_needs_key(state)) return send_json(res, 200, keyless_json());
  const std::string cookies = req.get_header_value("Cookie");
  const auto token = cookie_value(cookies, kSessionCookie);
  const int64_t now = now_s();
  std::optional<ConsoleSession> s;
  if (token) {
    auto found = state.console_sessions().find(*token, now);
    if (!found.ok()) return send_error(res, store_api_error(found.error()));
    s = std::move(*found);
  }
  if (!s) return send_json(res, 200, signed_out_json(token ? "console session: expired or signed out" : "console session: not signed in"));
  auto caller = authorize_session(policy_of(state), false, s->key_id, s->key_hash, now);
  if (!caller.ok()) {
    if (caller.error().code != ErrorCode::Unauthenticated) return send_error(res, store_api_error(caller.error()));
    // The key was revoked, expired or changed since sign-in: the session ends.
    if (auto closed = state.console_sessions().close(*token); !closed.ok()) {
      return send_error(res, store_api_error(closed.error()));
    }
    res.set_header("Set-Cookie", cleared_session_cookie(secure_request(req)));
    return send_json(res, 200, signed_out_json(caller.error().message));
  }
  send_json(res, 200, session_json(*s));
}

void handle_console_session_delete(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  if (Status st = check_same_origin(req); !st.ok()) return send_error(res, st.error());
  const std::string cookies = req.get_header_value("Cookie");
  const auto token = cookie_value(cookies, kSessionCookie);
  if (token) {
    const auto s = state.console_sessions().find(*token, now_s());
    if (!s.ok()) return send_error(res, store_api_error(s.error()));
    if (*s && !constant_time_equal(req.get_header_value(std::string(kCsrfHeader).c_str()), (*s)->csrf)) {
      return send_error(res, make_error(ErrorCode::PermissionDenied,
                                        "csrf: signing out needs the X-Ondo-CSRF header of the session"));
    }
    if (auto closed = state.console_sessions().close(*token); !closed.ok()) {
      return send_error(res, store_api_error(closed.error()));
    }
  }
  res.set_header("Set-Cookie", cleared_session_cookie(secure_request(req)));
  res.set_header("Cache-Control", "no-store");
  send_json(res, 200, {{"object", "console.session"}, {"deleted", token.has_value()}});
}

}  // namespace ondo::serve
