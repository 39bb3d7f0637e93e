// The admin API's routes: list, create, read and revoke API keys. Layer: serve.
#include "ondo/serve/routes/admin.h"

#include <algorithm>
#include <cmath>
#include <ctime>

#include "ondo/serve/json_limits.h"
#include "ondo/serve/routes/routes.h"
#include "ondo/store/api_keys.h"

namespace ondo::serve {
namespace {

using json = nlohmann::json;

int64_t now_s() { return int64_t(std::time(nullptr)); }

json opt_time(const std::optional<int64_t>& t) { return t ? json(*t) : json(nullptr); }

// The store, or the error that the server has none (the admin key alone without a store
// cannot happen from the CLI, which opens one; a library user may configure it so).
Result<store::Store*> store_of(ServerState& state) {
  if (!state.options().store) return make_error(ErrorCode::Unavailable, "admin API: the server has no store");
  return state.options().store;
}

Result<int64_t> int_field(const nlohmann::ordered_json& body, const char* name) {
  if (!body.contains(name) || body.at(name).is_null()) return int64_t(0);
  return json_to_int(body.at(name), 0, int64_t(1) << 53, name);
}

}  // namespace

json api_key_json(const store::ApiKey& k, int64_t now) {
  const char* status = k.revoked_at ? "revoked" : (k.expires_at && *k.expires_at <= now) ? "expired" : "active";
  return {{"id", k.id},
          {"object", "api_key"},
          {"name", k.name},
          {"status", status},
          {"created_at", k.created_at},
          {"expires_at", opt_time(k.expires_at)},
          {"revoked_at", opt_time(k.revoked_at)},
          {"models", k.models},
          {"rpm", k.rpm},
          {"tpm", k.tpm},
          {"max_concurrent", k.max_concurrent},
          {"budget_tokens", k.budget_tokens},
          {"budget_usd", double(k.budget_nano_usd) / 1e9},
          {"budget_period", k.budget_period},
          {"metadata", k.metadata}};
}

Result<store::ApiKey> api_key_fields_from_json(const nlohmann::ordered_json& body, int64_t now) {
  if (!body.is_object()) return make_error(ErrorCode::InvalidArgument, "request body: expected a JSON object");
  static constexpr const char* kKnown[] = {"name", "models", "rpm", "tpm", "max_concurrent", "budget_tokens",
                                           "budget_usd", "budget_period", "expires_at", "expires_in", "metadata"};
  for (const auto& [k, v] : body.items()) {
    if (std::find(std::begin(kKnown), std::end(kKnown), k) == std::end(kKnown)) {
      return field_error(ErrorCode::InvalidArgument, k, "unknown field");
    }
  }
  store::ApiKey key;
  if (body.contains("name")) {
    if (!body["name"].is_string()) return field_error(ErrorCode::InvalidArgument, "name", "expected a string");
    key.name = body["name"].get<std::string>();
  }
  if (body.contains("models")) {
    const auto& m = body["models"];
    if (!m.is_array()) return field_error(ErrorCode::InvalidArgument, "models", "expected an array of model names");
    for (size_t i = 0; i < m.size(); ++i) {
      if (!m[i].is_string()) return field_error(ErrorCode::InvalidArgument, "models[" + std::to_string(i) + "]", "expected a string");
      key.models.push_back(m[i].get<std::string>());
    }
  }
  ONDO_ASSIGN_OR_RETURN(key.rpm, int_field(body, "rpm"));
  ONDO_ASSIGN_OR_RETURN(key.tpm, int_field(body, "tpm"));
  ONDO_ASSIGN_OR_RETURN(key.max_concurrent, int_field(body, "max_concurrent"));
  ONDO_ASSIGN_OR_RETURN(key.budget_tokens, int_field(body, "budget_tokens"));
  if (body.contains("budget_usd") && !body["budget_usd"].is_null()) {
    const auto& u = body["budget_usd"];
    if (!u.is_number() || u.get<double>() < 0 || u.get<double>() > 1e9) {
      return field_error(ErrorCode::InvalidArgument, "budget_usd", "expected a number of US dollars from 0 to 1e9");
    }
    key.budget_nano_usd = int64_t(std::llround(u.get<double>() * 1e9));
  }
  if (body.contains("budget_period")) {
    if (!body["budget_period"].is_string()) return field_error(ErrorCode::InvalidArgument, "budget_period", "expected a string");
    key.budget_period = body["budget_period"].get<std::string>();
  }
  if (body.contains("expires_at") && body.contains("expires_in")) {
    return field_error(ErrorCode::InvalidArgument, "expires_in", "give expires_at or expires_in, not both");
  }
  if (body.contains("expires_at") && !body["expires_at"].is_null()) {
    ONDO_ASSIGN_OR_RETURN(int64_t at, json_to_int(body["expires_at"], 1, int64_t(1) << 40, "expires_at"));
    key.expires_at = at;
  }
  if (body.contains("expires_in") && !body["expires_in"].is_null()) {
    ONDO_ASSIGN_OR_RETURN(int64_t in, json_to_int(body["expires_in"], 1, int64_t(1) << 35, "expires_in"));
    key.expires_at = now + in;
  }
  if (body.contains("metadata")) {
    const auto& m = body["metadata"];
    if (!m.is_object()) return field_error(ErrorCode::InvalidArgument, "metadata", "expected an object of strings");
    for (const auto& [k, v] : m.items()) {
      if (!v.is_string()) return field_error(ErrorCode::InvalidArgument, "metadata." + k, "expected a string");
      key.metadata[k] = v.get<std::string>();
    }
  }
  return key;
}

void handle_admin_list_keys(ServerState& state, const httplib::Request&, httplib::Response& res) {
  auto store = store_of(state);
  if (!store.ok()) return send_error(res, store.error());
  auto keys = (*store)->list_api_keys();
  if (!keys.ok()) return send_error(res, store_api_error(keys.error()));
  const int64_t now = now_s();
  json data = json::array();
  for (const store::ApiKey& k : *keys) data.push_back(api_key_json(k, now));
  send_json(res, 200, {{"object", "list"}, {"data", data}});
}

void handle_admin_create_key(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  auto store = store_of(state);
  if (!store.ok()) return send_error(res, store.error());
  JsonBudget budget;
  auto body = parse_request_json(req.body, "", budget);
  if (!body.ok()) return send_error(res, body.error());
  const int64_t now = now_s();
  auto fields = api_key_fields_from_json(*body, now);
  if (!fields.ok()) return send_error(res, fields.error());
  auto created = store::create_api_key(**store, *fields, now);
  if (!created.ok()) return send_error(res, store_api_error(created.error()));
  json out = api_key_json(created->key, now);
  out["key"] = created->secret;  // the only time it is shown
  send_json(res, 201, out);
}

void handle_admin_get_key(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  auto store = store_of(state);
  if (!store.ok()) return send_error(res, store.error());
  const std::string id = req.matches[1].str();
  auto key = (*store)->find_api_key(id);
  if (!key.ok()) return send_error(res, store_api_error(key.error()));
  if (!key->has_value()) return send_error(res, make_error(ErrorCode::NotFound, "api key '" + id.substr(0, 100) + "': not found"));
  send_json(res, 200, api_key_json(**key, now_s()));
}

void handle_admin_revoke_key(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  auto store = store_of(state);
  if (!store.ok()) return send_error(res, store.error());
  const std::string id = req.matches[1].str();
  const int64_t now = now_s();
  if (auto st = (*store)->revoke_api_key(id, now); !st.ok()) return send_error(res, store_api_error(st.error()));
  // Its console sessions end at their next request: each re-checks its key by hash and then
  // tells the browser the key was revoked (deleting them here would lose that reason).
  auto key = (*store)->find_api_key(id);
  if (!key.ok()) return send_error(res, store_api_error(key.error()));
  if (!key->has_value()) return send_error(res, make_error(ErrorCode::NotFound, "api key '" + id.substr(0, 100) + "': not found"));
  send_json(res, 200, api_key_json(**key, now));
}

}  // namespace ondo::serve
