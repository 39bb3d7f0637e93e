// The fridge app's routes (see fridge.h): path dispatch, caller, JSON bodies, the SSE stream
// of alerts. The domain is apps/fridge; the server side serve/fridge_app.h. Layer: serve.
#include "ondo/serve/routes/fridge.h"

#include <chrono>
#include <vector>

#include "ondo/apps/fridge/catalog.h"
#include "ondo/apps/fridge/detection_worker.h"
#include "ondo/serve/fridge_app.h"
#include "ondo/serve/json_limits.h"
#include "ondo/serve/routes/routes.h"
#include "ondo/serve/server_state.h"

namespace ondo::serve {
namespace {

using apps::fridge::json;
constexpr std::string_view kPrefix = "/apps/fridge/api/";

std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  std::string rest = path.size() > kPrefix.size() ? path.substr(kPrefix.size()) : "";
  size_t at = 0;
  while (at <= rest.size()) {
    const size_t slash = rest.find('/', at);
    const std::string part = rest.substr(at, slash == std::string::npos ? std::string::npos : slash - at);
    out.push_back(part);
    if (slash == std::string::npos) break;
    at = slash + 1;
  }
  if (!out.empty() && out.back().empty()) out.pop_back();  // a trailing slash
  return out;
}

// The store key id of the request's caller ("" for callers that are no store key).
std::string caller_of() {
  const auto& record = current_request();
  const std::string c = record ? record->context.caller : std::string();
  return c.rfind("key:", 0) == 0 ? c.substr(4) : std::string();
}

Result<json> body_of(const httplib::Request& req) {
  if (req.body.empty()) return json::object();
  JsonBudget budget;
  ONDO_ASSIGN_OR_RETURN(nlohmann::ordered_json o, parse_request_json(req.body, "", budget));
  return json::parse(o.dump());
}

Result<FridgeApp*> app_of(ServerState& state) {
  FridgeApp* app = state.fridge_app();
  if (!app) return make_error(ErrorCode::NotFound, "no route (the fridge app runs with `ondo serve --app fridge`)");
  if (caller_of().empty()) {
    return make_error(ErrorCode::PermissionDenied, "the fridge app's users are the store's API keys: call it with one");
  }
  return app;
}

Error no_route(const httplib::Request& req) {
  return make_error(ErrorCode::NotFound, "no route " + req.method + " " + req.path.substr(0, 200));
}

Result<int64_t> days_param(const httplib::Request& req) {
  if (!req.has_param("days")) return 3;
  const std::string v = req.get_param_value("days");
  if (v.empty() || v.size() > 5 || v.find_first_not_of("0123456789") != std::string::npos) {
    return field_error(ErrorCode::InvalidArgument, "days", "must be a whole number of days 0 to 3650 (seen '" + v.substr(0, 20) + "')");
  }
  return std::stoll(v);
}

void send(httplib::Response& res, const Result<json>& r, int status = 200) {
  if (!r.ok()) return send_error(res, r.error());
  res.status = status;
  res.set_content(r->dump(), "application/json");
}

// GET households/{id}/events: the household's alerts as server-sent events until the client
// goes or the server stops; a comment line every 15 s keeps proxies from closing it.
void stream_events(FridgeApp& app, const std::string& hid, httplib::Response& res) {
  auto sub = app.hub().subscribe(hid);
  res.set_header("Cache-Control", "no-cache");
  auto opened = std::make_shared<bool>(false);
  res.set_chunked_content_provider(
      "text/event-stream",
      [sub, opened](size_t, httplib::DataSink& sink) {
        if (!*opened) {  // the first bytes at once: the client knows it is subscribed
          *opened = true;
          static constexpr std::string_view kOpen = ": subscribed\n\n";
          return sink.write(kOpen.data(), kOpen.size());
        }
        std::string out;
        {
          std::unique_lock<std::mutex> lock(sub->mu);
          sub->cv.wait_for(lock, std::chrono::seconds(15), [&] { return sub->closed || !sub->events.empty(); });
          if (sub->closed) {
            sink.done();
            return true;
          }
          while (!sub->events.empty()) {
            const json e = json::parse(sub->events.front(), nullptr, false);
            out += "event: " + (e.is_object() ? e.value("type", "alert") : std::string("alert")) + "\n";
            out += "data: " + sub->events.front() + "\n\n";
            sub->events.pop_front();
          }
        }
        if (out.empty()) out = ": keep-alive\n\n";
        return sink.write(out.data(), out.size());
      },
      [&app, sub](bool) { app.hub().unsubscribe(sub); });
}

Result<json> household_get(FridgeApp& app, const std::string& caller, const std::vector<std::string>& s,
                           const httplib::Request& req, httplib::Response& res, bool* streamed) {
  auto& svc = app.service();
  const std::string& hid = s[1];
  if (s.size() == 2) return svc.get_household(caller, hid);
  if (s.size() != 3) return no_route(req);
  const std::string& what = s[2];
  if (what == "fridges") return svc.list_fridges(caller, hid);
  if (what == "items") return svc.list_household_items(caller, hid);
  if (what == "history") return svc.history(caller, hid);
  if (what == "stats") return svc.waste_stats(caller, hid);
  if (what == "digest") return svc.digest(caller, hid, apps::fridge::today_days());
  if (what == "expiring") {
    ONDO_ASSIGN_OR_RETURN(int64_t days, days_param(req));
    return svc.expiring(caller, hid, days, apps::fridge::today_days());
  }
  if (what == "recipes") return svc.list_recipes(caller, hid);
  if (what == "events") {
    ONDO_TRY(svc.role_of(caller, hid));
    stream_events(app, hid, res);
    *streamed = true;
    return json();
  }
  return no_route(req);
}

}  // namespace

void handle_fridge_get(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  InFlight in(state);
  auto app = app_of(state);
  if (!app.ok()) return send_error(res, app.error());
  const std::string caller = caller_of();
  auto& svc = (*app)->service();
  const auto s = segments(req.path);
  bool streamed = false;
  Result<json> r = no_route(req);
  if (s.size() == 1 && s[0] == "status") r = (*app)->status();
  else if (s.size() == 1 && s[0] == "units") r = json{{"units", apps::fridge::known_units()}};
  else if (s.size() == 1 && s[0] == "households") r = svc.list_households(caller);
  else if (s.size() >= 2 && s[0] == "households") r = household_get(**app, caller, s, req, res, &streamed);
  else if (s.size() == 2 && s[0] == "fridges") r = svc.get_fridge(caller, s[1]);
  else if (s.size() == 3 && s[0] == "fridges" && s[2] == "items") r = svc.list_items(caller, s[1]);
  else if (s.size() == 2 && s[0] == "items") r = svc.get_item(caller, s[1]);
  else if (s.size() == 1 && s[0] == "recipes") r = svc.list_recipes(caller, req.get_param_value("household_id"));
  else if (s.size() == 2 && s[0] == "recipes") r = svc.get_recipe(caller, s[1]);
  else if (s.size() == 3 && s[0] == "recipes" && s[2] == "photo") {
    auto photo = svc.recipe_photo(caller, s[1]);
    if (!photo.ok()) return send_error(res, photo.error());
    res.set_content(photo->second, photo->first);
    return;
  }
  if (streamed && r.ok()) return;
  send(res, r);
}

void handle_fridge_post(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  InFlight in(state);
  auto app = app_of(state);
  if (!app.ok()) return send_error(res, app.error());
  const std::string caller = caller_of();
  auto& svc = (*app)->service();
  const auto s = segments(req.path);
  auto body = body_of(req);
  if (!body.ok()) return send_error(res, body.error());
  const json& b = *body;
  Result<json> r = no_route(req);
  int created = 200;
  if (s.size() == 1 && s[0] == "households") {
    r = svc.create_household(caller, b);
    created = 201;
  } else if (s.size() == 3 && s[0] == "households" && s[2] == "members") {
    r = svc.add_member(caller, s[1], b);
  } else if (s.size() == 3 && s[0] == "households" && s[2] == "fridges") {
    r = svc.create_fridge(caller, s[1], b);
    created = 201;
  } else if (s.size() == 3 && s[0] == "fridges" && s[2] == "items") {
    r = svc.add_items(caller, s[1], b);
    created = 201;
  } else if (s.size() == 3 && s[0] == "fridges" && s[2] == "items:from-detections") {
    const auto& detector = state.options().detector;
    r = svc.add_detected(caller, s[1], b, detector ? detector->labels() : std::vector<std::string>());
    created = 201;
  } else if (s.size() == 3 && s[0] == "items" && s[2] == "consume") {
    r = svc.consume(caller, s[1], b);
  } else if (s.size() == 3 && s[0] == "items" && s[2] == "discard") {
    r = svc.discard(caller, s[1], b);
  } else if (s.size() == 3 && s[0] == "items" && s[2] == "move") {
    r = svc.move(caller, s[1], b);
  } else if (s.size() == 1 && s[0] == "recipes") {
    r = svc.create_recipe(caller, b);
    if (r.ok()) (*app)->recipe_added(*r);
    created = 201;
  } else if (s.size() == 1 && s[0] == "recommend") {
    r = (*app)->recommend(caller, b);
  }
  send(res, r, created);
}

void handle_fridge_put(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  InFlight in(state);
  auto app = app_of(state);
  if (!app.ok()) return send_error(res, app.error());
  const auto s = segments(req.path);
  auto body = body_of(req);
  if (!body.ok()) return send_error(res, body.error());
  Result<json> r = no_route(req);
  if (s.size() == 3 && s[0] == "households" && s[2] == "webhook") r = (*app)->service().set_webhook(caller_of(), s[1], *body);
  send(res, r);
}

void handle_fridge_delete(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  InFlight in(state);
  auto app = app_of(state);
  if (!app.ok()) return send_error(res, app.error());
  const auto s = segments(req.path);
  if (s.size() == 4 && s[0] == "households" && s[2] == "members") {
    Status st = (*app)->service().remove_member(caller_of(), s[1], s[3]);
    if (!st.ok()) return send_error(res, st.error());
    return send(res, json{{"deleted", true}, {"key_id", s[3]}});
  }
  send_error(res, no_route(req));
}

}  // namespace ondo::serve
