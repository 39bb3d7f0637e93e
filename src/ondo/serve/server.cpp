// Server: cpp-httplib setup over the HTTP edge (EdgeServer: connections, limits, workers),
// the access checks before routing, OpenAI-shaped bodies for routing errors (404, 405, 413,
// 408), the access log and request metrics, and the graceful drain. Layer: serve.
#include "ondo/serve/server.h"

#include <httplib.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <thread>

#include "ondo/serve/auth.h"
#include "ondo/serve/console_session.h"
#include "ondo/serve/cors.h"
#include "ondo/serve/http_guard.h"
#include "ondo/serve/limits.h"
#include "ondo/serve/route_table.h"
#include "ondo/serve/routes/adapters.h"
#include "ondo/serve/routes/routes.h"
#include "ondo/serve/collections.h"
#include "ondo/serve/fridge_app.h"
#include "ondo/serve/server_state.h"
#include "ondo/serve/usage.h"
#include "ondo/store/store.h"

namespace ondo::serve {

using Clock = std::chrono::steady_clock;

std::shared_ptr<RequestRecord>& current_request() {
  thread_local std::shared_ptr<RequestRecord> record;
  return record;
}

void ServerState::publish(ModelTable models) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    models_ = std::make_shared<const ModelTable>(std::move(models));
  }
  ready_.store(true);
}

std::shared_ptr<const ModelTable> ServerState::models() const {
  std::lock_guard<std::mutex> lock(mu_);
  return models_;
}

namespace {

// The usage row of a request that reached a model, written on this (the finishing HTTP)
// thread in one short transaction with its rollup; a failure is logged, the response is gone.
void write_usage(store::Store& store, const RequestRecord& r, const PriceTable* prices) {
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const std::optional<store::UsageRow> row = usage_row(r, prices, now_ms);
  if (!row) return;
  if (Status st = store.record_usage({&*row, 1}); !st.ok()) {
    std::fprintf(stderr, "ondo serve: usage row of %s not written: %s\n", r.context.id.c_str(), st.error().message.c_str());
  }
}

}  // namespace

void ServerState::finish_request(RequestRecord& r) {
  if (r.finished) return;
  r.finished = true;
  if (r.start.time_since_epoch().count() != 0) r.total_s = std::chrono::duration<double>(Clock::now() - r.start).count();
  metrics_.count_request(r.route, r.status);
  if (r.generated) {
    RequestSample s;
    s.model = r.context.model;
    s.prompt_tokens = r.prompt_tokens;
    s.completion_tokens = r.completion_tokens;
    s.queue_seconds = r.queue_s;
    s.first_token_seconds = r.first_token_s;
    s.duration_seconds = r.total_s;
    metrics_.observe_generation(s);
  }
  settle_limits(*this, r);
  if (options_.access_log) std::fprintf(stderr, "%s\n", access_log_line(r).c_str());
  if (options_.store) write_usage(*options_.store, r, options_.prices.get());
  if (!options_.on_request_done) return;
  try {
    options_.on_request_done(r);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ondo serve: request hook failed: %s\n", e.what());
  }
}

namespace {

// Refusals the edge answers itself (before httplib parses a request) are recorded like any
// other request: an id in x-request-id, metrics, the access log and the usage hook.
EdgeOptions edge_options(ServerState& state) {
  const ServerOptions& o = state.options();
  EdgeOptions e;
  e.on_refusal = [&state](int status) {
    RequestRecord r;
    r.context.id = new_request_id();
    r.start = Clock::now();
    r.method = "-";
    r.route = "edge";
    r.status = status;
    state.finish_request(r);
    return r.context.id;
  };
  e.limits = o.http;
  e.max_body_bytes = o.max_body_bytes;
  e.keep_alive_timeout_s = o.keep_alive_timeout_s;
  e.workers = std::max(4, o.http_threads);
  return e;
}

}  // namespace

struct Server::Impl {
  Impl(ServerOptions o, CorsPolicy cors) : state(std::move(o), std::move(cors)), http(edge_options(state)) {}
  ServerState state;
  EdgeServer http;
  std::thread listener;
  // --host localhost: the second listener, on [::1] and the same port, over the same routes.
  std::unique_ptr<EdgeServer> http6;
  std::thread listener6;
  int port = -1;
  std::atomic<bool> drained{false};
};

namespace {

constexpr int kListenBacklog = 1024;

std::shared_ptr<RequestRecord> new_record(const httplib::Request& req) {
  auto record = std::make_shared<RequestRecord>();
  record->context.id = new_request_id();
  record->start = Clock::now();
  record->method = req.method;
  record->route = route_label(req.path);
  return record;
}

// The record of this request; a response that never passed before_routing (a request line
// cpp-httplib refused) gets a fresh one here.
RequestRecord& request_record(const httplib::Request& req, httplib::Response& res) {
  std::shared_ptr<RequestRecord>& record = current_request();
  if (!record) {
    record = new_record(req);
    res.set_header("x-request-id", record->context.id);
  }
  return *record;
}

httplib::Server::HandlerResponse answer_cors_preflight(ServerState& state, const httplib::Request& req,
                                                       httplib::Response& res) {
  const std::string origin = req.get_header_value("Origin");
  const std::string method = req.get_header_value("Access-Control-Request-Method");
  const std::string headers = req.get_header_value("Access-Control-Request-Headers");
  const std::string allowed = allowed_methods(req.path);
  const PreflightAnswer a = answer_preflight(state.cors(), {origin, method, headers, allowed});
  if (a.ok) {
    for (const auto& [name, value] : a.headers) res.set_header(name, value);
    res.status = 204;
  } else if (a.wrong_method) {
    send_error(res, method_not_allowed(method.substr(0, 40), req.path));
    res.set_header("Allow", allowed);
  } else {
    send_error(res, a.refusal);
  }
  return httplib::Server::HandlerResponse::Handled;
}

// The web console's session cookie stands in for a key when a request sends neither
// Authorization nor x-api-key (serve/console_session.h): the session's key is then checked
// again (authorize_session) as if it had been sent. A cookie-authenticated request that can
// change something must carry the session's X-Ondo-CSRF header. Without any key configured the
// cookie means nothing. nullopt: no cookie (or no keys).
Result<std::optional<ConsoleSession>> console_session_of(ServerState& state, const httplib::Request& req) {
  const ServerOptions& o = state.options();
  if (o.api_key.empty() && o.admin_key.empty() && !o.store) return std::optional<ConsoleSession>();
  const std::string cookies = req.get_header_value("Cookie");
  const std::optional<std::string_view> token = cookie_value(cookies, kSessionCookie);
  if (!token) return std::optional<ConsoleSession>();
  ONDO_ASSIGN_OR_RETURN(std::optional<ConsoleSession> s, state.console_sessions().find(*token, int64_t(std::time(nullptr))));
  if (!s) return make_error(ErrorCode::Unauthenticated, "console session: expired or signed out (sign in again)");
  if (method_needs_csrf(req.method) &&
      !constant_time_equal(req.get_header_value(std::string(kCsrfHeader).c_str()), s->csrf)) {
    return make_error(ErrorCode::PermissionDenied,
                      "csrf: a request authenticated by the console session cookie must carry the session's "
                      "X-Ondo-CSRF header");
  }
  return s;
}

httplib::Server::HandlerResponse before_routing(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  if (auto& stale = current_request(); stale && !stale->finished) state.finish_request(*stale);  // never logged
  current_request().reset();
  RequestRecord& record = request_record(req, res);
  record.context.caller = state.options().api_key.empty() ? "local" : "api-key";
  // `curl -d` labels a JSON body as a form: httplib would then cap it at 8 KB and parse it as
  // form fields. Every POST route takes JSON, so the label is dropped before the body is read
  // (the Request is httplib's own non-const object; this handler runs before routing).
  if (req.method == "POST" && req.get_header_value("Content-Type").rfind("application/x-www-form-urlencoded", 0) == 0) {
    const_cast<httplib::Request&>(req).headers.erase("Content-Type");
  }
  std::optional<std::string_view> origin;
  const std::string origin_value = req.get_header_value("Origin");
  if (req.has_header("Origin")) origin = origin_value;
  if (state.cors().enabled()) {
    // A preflight carries no credentials: it is answered here, before the access check.
    if (req.method == "OPTIONS" && origin && req.has_header("Access-Control-Request-Method")) {
      return answer_cors_preflight(state, req, res);
    }
    for (auto& [name, value] : cors_response_headers(state.cors(), origin_value)) res.set_header(name, value);
  }
  if (auth_rule(req.method, req.path) == AuthRule::Public) return httplib::Server::HandlerResponse::Unhandled;
  std::string auth = req.get_header_value("Authorization");
  const std::string x_api_key = req.get_header_value("x-api-key");
  std::optional<ConsoleSession> session;
  if (auth.empty() && x_api_key.empty()) {
    auto s = console_session_of(state, req);
    if (!s.ok()) {
      record.context.caller.clear();
      send_error(res, store_api_error(s.error()), error_shape_for_path(req.path));
      return httplib::Server::HandlerResponse::Handled;
    }
    session = std::move(*s);
  }
  const std::string host = req.get_header_value("Host");
  GatewayPolicy policy{{state.options().api_key, &state.cors()}, state.options().admin_key, state.options().store};
  const bool admin = auth_rule(req.method, req.path) == AuthRule::Admin;
  const int64_t now = int64_t(std::time(nullptr));
  auto st = session ? authorize_session(policy, admin, session->key_id, session->key_hash, now)
                    : authorize(policy, admin, auth, x_api_key, host, origin, now);
  if (st.ok()) {
    record.context.caller = st->name;
    record.allowed_models = st->models;
    if (st->key) start_limits(state, record, *st->key, res);
  } else {
    record.context.caller.clear();  // not established
    send_error(res, store_api_error(st.error()), error_shape_for_path(req.path));  // a store failure: 503 / 507
    if (st.error().code == ErrorCode::Unauthenticated) res.set_header("WWW-Authenticate", "Bearer");
    return httplib::Server::HandlerResponse::Handled;
  }
  return httplib::Server::HandlerResponse::Unhandled;
}

// Routing errors get bodies in the path's family shape; bodies the routes wrote are kept.
httplib::Server::HandlerResponse on_error(const ServerState& state, const httplib::Request& req, httplib::Response& res) {
  request_record(req, res);
  if (!res.body.empty() || res.is_chunked_content_provider_) return httplib::Server::HandlerResponse::Unhandled;
  const BodyRefusal body = current_body_refusal();  // the edge stopped reading the body
  if (body != BodyRefusal::None) res.set_header("Connection", "close");  // the rest of the body is unread
  const ErrorShape shape = error_shape_for_path(req.path);
  const std::string allow = res.status == 404 ? allowed_methods(req.path) : std::string();
  if (body == BodyRefusal::TooLarge) {
    send_error(res, make_error(ErrorCode::TooLarge, "request body: larger than the server's limit of " +
                                                        std::to_string(state.options().max_body_bytes) + " bytes (--max-body)"), shape);
  } else if (body == BodyRefusal::Timeout) {
    send_error(res, edge_error(EdgeRefusal::Timeout, "request body: not received within " +
                                                         std::to_string(state.options().http.body_timeout_ms) + " ms"), shape);
  } else if (!allow.empty()) {
    send_error(res, method_not_allowed(req.method, req.path), shape);
    res.set_header("Allow", allow);
  } else if (res.status == 404) {
    send_error(res, make_error(ErrorCode::NotFound, "route: no route " + req.method + " " + req.path.substr(0, 200)), shape);
  } else if (res.status == 413) {
    send_error(res, make_error(ErrorCode::TooLarge, "request body: larger than the server's limit (--max-body)"), shape);
  } else {
    ApiError e;
    e.status = res.status;
    e.type = "invalid_request_error";
    e.message = "request: rejected by the HTTP layer (status " + std::to_string(res.status) + ")";
    send_error(res, e, shape);
  }
  return httplib::Server::HandlerResponse::Handled;
}

// cpp-httplib calls the logger after the response body was written (streams included).
void log_request(ServerState& state, const httplib::Request& req, const httplib::Response& res) {
  std::shared_ptr<RequestRecord> record = std::move(current_request());
  current_request().reset();
  if (!record) record = new_record(req);  // a response that passed neither before_routing nor on_error
  record->status = res.status;
  state.finish_request(*record);
}

void configure(httplib::Server& http, ServerState& state) {
  const ServerOptions& o = state.options();
  // Threads, idle keep-alive and read/write timeouts are enforced by the edge (EdgeServer);
  // httplib only advertises these two in its Keep-Alive response header.
  http.set_keep_alive_max_count(100000);
  http.set_keep_alive_timeout(o.keep_alive_timeout_s);
  http.set_payload_max_length(o.max_body_bytes);
  http.set_tcp_nodelay(true);
  http.set_pre_routing_handler(
      [&state](const httplib::Request& req, httplib::Response& res) { return before_routing(state, req, res); });
  http.set_error_handler(httplib::Server::HandlerWithResponse(
      [&state](const httplib::Request& req, httplib::Response& res) { return on_error(state, req, res); }));
  http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    std::fprintf(stderr, "ondo serve: handler failed: %s\n", what.c_str());
    send_error(res, make_error(ErrorCode::Internal, "server: internal error"));
  });
  http.set_logger([&state](const httplib::Request& req, const httplib::Response& res) { log_request(state, req, res); });
  register_routes(http, state);
}

bool wait_idle(const ServerState& state, Clock::time_point until) {
  while (state.in_flight() > 0) {
    if (Clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<Server>> Server::create(ServerOptions options) {
  ONDO_TRY(check_bind(options.host, !options.api_key.empty() || !options.admin_key.empty() || options.store, options.insecure));
  if (options.max_body_bytes == 0) return make_error(ErrorCode::InvalidArgument, "--max-body: must be positive");
  if (options.cache.ttl_s < 0 || options.cache.max_bytes < 0) {
    return make_error(ErrorCode::InvalidArgument, "--cache-ttl, --cache-size: must not be negative");
  }
  if (options.cache.ttl_s > 0 && !options.store) {
    return make_error(ErrorCode::InvalidArgument, "--cache-ttl: the response cache lives in the store (give --data-dir or --db)");
  }
  const std::string app = options.app;
  if (!app.empty() && app != "fridge") {
    return make_error(ErrorCode::InvalidArgument, "--app: unknown app '" + app + "' (known: fridge)");
  }
  if (app == "fridge" && !options.store) {
    return make_error(ErrorCode::InvalidArgument, "--app fridge: the app keeps its data in the store (give --data-dir or --db)");
  }
  const bool keyed = !options.api_key.empty() || !options.admin_key.empty() || options.store;  // every route needs a key
  ONDO_ASSIGN_OR_RETURN(CorsPolicy cors, make_cors_policy(options.cors_origins, keyed));
  auto impl = std::make_unique<Impl>(std::move(options), std::move(cors));
  if (store::Store* store = impl->state.options().store) {
    const ServerOptions& o = impl->state.options();
    impl->state.set_collections(std::make_shared<Collections>(impl->state, *store, o.index_dir, o.ingest_queue));
    if (app == "fridge") {
      impl->state.set_fridge_app(std::make_shared<FridgeApp>(impl->state, *store, *impl->state.collections()));
    }
  }
  configure(impl->http, impl->state);
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  if (FridgeApp* f = impl_->state.fridge_app()) f->stop();  // stops its worker before the collections go
  if (Collections* c = impl_->state.collections()) c->stop();
  impl_->http.stop();
  if (impl_->http6) impl_->http6->stop();
  if (impl_->listener.joinable()) impl_->listener.join();
  if (impl_->listener6.joinable()) impl_->listener6.join();
}

namespace {

// Binds `http` to host:port (port 0: any free port) with SO_REUSEADDR only: a restarted
// server may bind over TIME_WAIT connections, but a second server on a busy port fails, where
// httplib's default SO_REUSEPORT would silently share the port between both. Returns the port.
Result<int> bind_edge(EdgeServer& http, const std::string& host, int port) {
  int listen_fd = -1;
  http.set_socket_options([&listen_fd](socket_t sock) {
    const int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    listen_fd = sock;
  });
  const std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port == 0) {
    port = http.bind_to_any_port(host);
    if (port < 0) return make_error(ErrorCode::Unavailable, "--host " + host + ": cannot listen on any port");
  } else if (!http.bind_to_port(host, port)) {
    return make_error(ErrorCode::Unavailable,
                      shown + ":" + std::to_string(port) + ": cannot listen (address in use or not available)");
  }
  // httplib listens with a backlog of 5: a burst of new connections (16 clients at once)
  // overflows it and the kernel resets some of them. Listening again raises it.
  if (listen_fd >= 0) ::listen(listen_fd, kListenBacklog);
  return port;
}

// Whether this machine can bind the IPv6 loopback address (a kernel without IPv6, or with
// it disabled, cannot).
bool has_ipv6_loopback() {
  const int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

bool is_localhost(const std::string& host) {
  if (host.size() != 9) return false;
  for (size_t i = 0; i < host.size(); ++i) {
    if (std::tolower((unsigned char)host[i]) != "localhost"[i]) return false;
  }
  return true;
}

}  // namespace

Status Server::start() {
  const ServerOptions& o = impl_->state.options();
  // "localhost" names both loopback addresses; each gets its own listener on one port (the
  // name alone would bind whichever address the resolver lists first).
  const bool both = is_localhost(o.host);
  ONDO_ASSIGN_OR_RETURN(const int port, bind_edge(impl_->http, both ? "127.0.0.1" : o.host, o.port));
  if (both && has_ipv6_loopback()) {
    auto http6 = std::make_unique<EdgeServer>(edge_options(impl_->state));
    configure(*http6, impl_->state);
    auto bound = bind_edge(*http6, "::1", port);
    if (!bound.ok()) return bound.error().with_context("--host localhost");
    impl_->http6 = std::move(http6);
  } else if (both) {
    std::fprintf(stderr, "ondo serve: --host localhost: no IPv6 loopback on this machine; listening on 127.0.0.1 only\n");
  }
  impl_->port = port;
  impl_->listener = std::thread([this] { impl_->http.listen_after_bind(); });
  if (impl_->http6) impl_->listener6 = std::thread([this] { impl_->http6->listen_after_bind(); });
  // httplib's stop() only closes a listener that is already running: a server stopped right
  // after start() would otherwise leave its listener thread in accept() forever.
  const auto until = Clock::now() + std::chrono::seconds(10);
  while ((!impl_->http.is_running() || (impl_->http6 && !impl_->http6->is_running())) && Clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return ok_status();
}

int Server::port() const { return impl_->port; }

void Server::set_models(std::vector<ServedModel> models) {
  for (ServedModel& m : models) {
    if (m.chat_template) m.tool_format = infer::tools::detect_tool_format(*m.chat_template);
  }
  impl_->state.publish(std::move(models));
  if (Collections* c = impl_->state.collections()) c->start();  // re-queues interrupted ingestion
  if (FridgeApp* f = impl_->state.fridge_app()) f->start();  // seeds the recipe collection, raises alerts
}

Result<AdapterEntry> Server::load_adapter(const std::string& name, const std::string& base_alias,
                                          const std::filesystem::path& path, float scale) {
  return serve::load_adapter(impl_->state, name, base_alias, path, scale);
}

void Server::drain(int grace_ms) {
  if (impl_->drained.exchange(true)) return;
  ServerState& state = impl_->state;
  state.set_draining();
  if (Collections* c = state.collections()) c->stop();  // a file cut short stays in_progress
  if (FridgeApp* f = state.fridge_app()) f->stop();  // ends its event streams; the outbox keeps what is unsent
  impl_->http.begin_drain();  // idle connections close; new requests are answered 503
  if (impl_->http6) impl_->http6->begin_drain();
  // The listener stays open until nothing runs: httplib stops writing response bodies once its
  // listening socket is closed, so closing it first cut off a stream whose handler had returned
  // but whose body writer had not started yet (the client got headers and no body).
  if (!wait_idle(state, Clock::now() + std::chrono::milliseconds(std::max(0, grace_ms)))) {
    if (auto models = state.models()) {
      for (const ServedModel& m : *models) {
        if (m.scheduler) m.scheduler->shutdown(0);  // cancels what is left
      }
    }
    wait_idle(state, Clock::now() + std::chrono::seconds(5));
  }
  impl_->http.stop();
  impl_->http.shutdown_connections();
  if (impl_->http6) {
    impl_->http6->stop();
    impl_->http6->shutdown_connections();
  }
}

int Server::in_flight() const { return impl_->state.in_flight(); }

}  // namespace ondo::serve
