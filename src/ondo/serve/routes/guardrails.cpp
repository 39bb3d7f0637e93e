// The guardrails admin routes. Layer: serve (routes).
#include "ondo/serve/routes/guardrails.h"

#include <ctime>

#include "ondo/serve/guardrails/evaluate.h"
#include "ondo/serve/json_limits.h"
#include "ondo/serve/routes/routes.h"
#include "ondo/store/store.h"

namespace ondo::serve {
namespace {

using json = nlohmann::json;
namespace gr = guardrails;

int64_t now_s() { return int64_t(std::time(nullptr)); }

Result<store::Store*> store_of(ServerState& state) {
  if (!state.options().store) return make_error(ErrorCode::Unavailable, "guardrails API: the server has no store");
  return state.options().store;
}

json attachment_json(const store::GuardrailAttachment& a) {
  return {{"policy", a.policy}, {"scope", a.scope}, {"target", a.scope == "global" ? json(nullptr) : json(a.target)},
          {"created_at", a.created_at}};
}

// A stored policy as the API shows it, with its attachments.
Result<json> policy_view(const store::GuardrailPolicy& row, const std::vector<store::GuardrailAttachment>& attachments) {
  json body = json::parse(row.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return make_error(ErrorCode::Internal, "guardrail policy '" + row.name + "': the stored body is not a JSON object");
  }
  body["object"] = "guardrail_policy";
  body["created_at"] = row.created_at;
  body["updated_at"] = row.updated_at;
  json att = json::array();
  for (const auto& a : attachments) {
    if (a.policy == row.name) att.push_back(attachment_json(a));
  }
  body["attachments"] = att;
  return body;
}

Result<json> parse_body(const httplib::Request& req) {
  JsonBudget budget;
  ONDO_ASSIGN_OR_RETURN(auto body, parse_request_json(req.body, "", budget));
  if (!body.is_object()) return make_error(ErrorCode::InvalidArgument, "request body: expected a JSON object");
  return json::parse(body.dump());
}

// {"policy", "scope", "target"} of attach / detach.
Result<store::GuardrailAttachment> attachment_from(const json& body) {
  store::GuardrailAttachment a;
  for (const auto& [k, v] : body.items()) {
    if (k != "policy" && k != "scope" && k != "target") return field_error(ErrorCode::InvalidArgument, k.substr(0, 40), "unknown field");
  }
  if (!body.contains("policy") || !body["policy"].is_string()) return field_error(ErrorCode::InvalidArgument, "policy", "expected a policy name");
  if (!body.contains("scope") || !body["scope"].is_string()) {
    return field_error(ErrorCode::InvalidArgument, "scope", "expected \"global\", \"key\" or \"prompt\"");
  }
  a.policy = body["policy"].get<std::string>();
  a.scope = body["scope"].get<std::string>();
  if (a.scope != "global" && a.scope != "key" && a.scope != "prompt") {
    return field_error(ErrorCode::InvalidArgument, "scope", "expected \"global\", \"key\" or \"prompt\" (seen '" + a.scope.substr(0, 40) + "')");
  }
  if (body.contains("target") && !body["target"].is_null()) {
    if (!body["target"].is_string()) return field_error(ErrorCode::InvalidArgument, "target", "expected a string");
    a.target = body["target"].get<std::string>();
  }
  if (a.scope == "global" && !a.target.empty()) return field_error(ErrorCode::InvalidArgument, "target", "a global attachment has no target");
  if (a.scope != "global" && a.target.empty()) {
    return field_error(ErrorCode::InvalidArgument, "target", "expected the " + std::string(a.scope == "key" ? "API key id" : "prompt name"));
  }
  return a;
}

Result<std::optional<int64_t>> query_int(const httplib::Request& req, const char* name, int64_t lo, int64_t hi) {
  if (!req.has_param(name)) return std::optional<int64_t>();
  const std::string v = req.get_param_value(name);
  int64_t n = 0;
  size_t used = 0;
  try {
    n = std::stoll(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (v.empty() || used != v.size() || n < lo || n > hi) {
    return field_error(ErrorCode::InvalidArgument, name, "expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
  }
  return std::optional<int64_t>(n);
}

}  // namespace

void handle_guardrails_list(ServerState& state, const httplib::Request&, httplib::Response& res) {
  auto st = store_of(state);
  if (!st.ok()) return send_error(res, st.error());
  auto rows = (*st)->list_guardrail_policies();
  if (!rows.ok()) return send_error(res, rows.error());
  auto att = (*st)->list_guardrail_attachments();
  if (!att.ok()) return send_error(res, att.error());
  json data = json::array();
  for (const auto& row : *rows) {
    auto v = policy_view(row, *att);
    if (!v.ok()) return send_error(res, v.error());
    data.push_back(std::move(*v));
  }
  send_json(res, 200, {{"object", "list"}, {"data", data}});
}

void handle_guardrails_put(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  auto st = store_of(state);
  if (!st.ok()) return send_error(res, st.error());
  auto body = parse_body(req);
  if (!body.ok()) return send_error(res, body.error());
  auto policy = gr::parse_policy(*body);
  if (!policy.ok()) return send_error(res, policy.error());
  if (auto compiled = gr::CompiledPolicy::compile(*policy); !compiled.ok()) return send_error(res, compiled.error());
  auto existing = (*st)->find_guardrail_policy(policy->name);
  if (!existing.ok()) return send_error(res, existing.error());
  const int64_t now = now_s();
  store::GuardrailPolicy row{policy->name, gr::policy_json(*policy).dump(), now, now};
  if (auto put = (*st)->put_guardrail_policy(row); !put.ok()) return send_error(res, put.error());
  auto saved = (*st)->find_guardrail_policy(policy->name);
  if (!saved.ok()) return send_error(res, saved.error());
  if (!saved->has_value()) {
    return send_error(res, make_error(ErrorCode::Internal, "guardrail policy '" + policy->name + "': gone after writing"));
  }
  auto att = (*st)->list_guardrail_attachments();
  if (!att.ok()) return send_error(res, att.error());
  auto v = policy_view(**saved, *att);
  if (!v.ok()) return send_error(res, v.error());
  send_json(res, existing->has_value() ? 200 : 201, *v);
}

void handle_guardrails_get(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  auto st = store_of(state);
  if (!st.ok()) return send_error(res, st.error());
  const std::string name = req.matches[1].str();
  auto row = (*st)->find_guardrail_policy(name);
  if (!row.ok()) return send_error(res, row.error());
  if (!row->has_value()) return send_error(res, make_error(ErrorCode::NotFound, "guardrail policy '" + name.substr(0, 64) + "': not found"));
  auto att = (*st)->list_guardrail_attachments();
  if (!att.ok()) return send_error(res, att.error());
  auto v = policy_view(**row, *att);
  if (!v.ok()) return send_error(res, v.error());
  send_json(res, 200, *v);
}

void handle_guardrails_delete(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  auto st = store_of(state);
  if (!st.ok()) return send_error(res, st.error());
  const std::string name = req.matches[1].str();
  if (auto del = (*st)->delete_guardrail_policy(name); !del.ok()) return send_error(res, del.error());
  send_json(res, 200, {{"name", name}, {"object", "guardrail_policy.deleted"}, {"deleted", true}});
}

void handle_guardrails_attach(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  auto st = store_of(state);
  if (!st.ok()) return send_error(res, st.error());
  auto body = parse_body(req);
  if (!body.ok()) return send_error(res, body.error());
  auto a = attachment_from(*body);
  if (!a.ok()) return send_error(res, a.error());
  if (a->scope == "key") {
    auto key = (*st)->find_api_key(a->target);
    if (!key.ok()) return send_error(res, key.error());
    if (!key->has_value()) return send_error(res, field_error(ErrorCode::NotFound, "target", "no API key '" + a->target.substr(0, 64) + "'"));
  }
  a->created_at = now_s();
  if (auto put = (*st)->attach_guardrail_policy(*a); !put.ok()) return send_error(res, put.error());
  send_json(res, 200, attachment_json(*a));
}

void handle_guardrails_detach(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  auto st = store_of(state);
  if (!st.ok()) return send_error(res, st.error());
  auto body = parse_body(req);
  if (!body.ok()) return send_error(res, body.error());
  auto a = attachment_from(*body);
  if (!a.ok()) return send_error(res, a.error());
  if (auto del = (*st)->detach_guardrail_policy(a->scope, a->target, a->policy); !del.ok()) return send_error(res, del.error());
  json out = attachment_json(*a);
  out.erase("created_at");
  out["detached"] = true;
  send_json(res, 200, out);
}

void handle_guardrails_decisions(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  auto st = store_of(state);
  if (!st.ok()) return send_error(res, st.error());
  store::GuardrailDecisionQuery q;
  q.request_id = req.has_param("request_id") ? req.get_param_value("request_id") : "";
  auto from = query_int(req, "from", 0, int64_t(1) << 40);
  auto to = query_int(req, "to", 0, int64_t(1) << 40);
  auto limit = query_int(req, "limit", 1, 10000);
  for (const auto* r : {&from, &to, &limit}) {
    if (!r->ok()) return send_error(res, r->error());
  }
  q.from = *from;
  q.to = *to;
  if (*limit) q.limit = **limit;
  auto rows = (*st)->list_guardrail_decisions(q);
  if (!rows.ok()) return send_error(res, rows.error());
  json data = json::array();
  for (const auto& d : *rows) {
    data.push_back({{"id", d.id}, {"created_at", d.at}, {"request_id", d.request_id},
                    {"key_id", d.key_id.empty() ? json(nullptr) : json(d.key_id)}, {"policy", d.policy}, {"rule", d.rule},
                    {"reason", d.reason}, {"stage", d.stage}, {"action", d.action},
                    {"span", {d.span_begin, d.span_end}}});
  }
  send_json(res, 200, {{"object", "list"}, {"data", data}});
}

}  // namespace ondo::serve
