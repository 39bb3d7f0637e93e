// GET /health, GET /metrics, GET /v1/models and GET /v1/models/{model}. Layer: serve.
#include <algorithm>

#include "ondo/serve/routes/routes.h"

namespace ondo::serve {
namespace {

using nlohmann::json;

json model_json(const ServedModel& m) {
  return {{"id", m.alias}, {"object", "model"}, {"created", m.created}, {"owned_by", "ondo"}};
}

// A LoRA adapter served as a model of its own: base + adapter, `parent` naming the base.
json adapter_model_json(const AdapterEntry& a) {
  return {{"id", a.name}, {"object", "model"}, {"created", a.created}, {"owned_by", "ondo"}, {"parent", a.base}};
}

}  // namespace

void handle_health(ServerState& state, const httplib::Request&, httplib::Response& res) {
  if (state.draining()) return send_json(res, 503, {{"status", "draining"}});
  if (!state.ready()) return send_json(res, 503, {{"status", "loading"}});
  send_json(res, 200, {{"status", "ok"}});
}

void handle_metrics(ServerState& state, const httplib::Request&, httplib::Response& res) {
  std::vector<ModelGauges> gauges;
  if (auto models = state.models()) {
    for (const ServedModel& m : *models) {
      if (m.scheduler) gauges.push_back({m.alias, m.scheduler->stats()});
    }
  }
  res.status = 200;
  res.set_content(state.metrics().render(gauges), "text/plain; version=0.0.4; charset=utf-8");
}

void handle_list_models(ServerState& state, const httplib::Request&, httplib::Response& res) {
  auto models = state.models();
  if (!models || !state.ready()) return send_error(res, make_error(ErrorCode::Unavailable, "server: models are still loading"));
  json data = json::array();
  const auto& record = current_request();
  const auto* allowed = record && record->allowed_models ? &*record->allowed_models : nullptr;
  for (const ServedModel& m : *models) {
    if (allowed && std::find(allowed->begin(), allowed->end(), m.alias) == allowed->end()) continue;  // the key's models only
    data.push_back(model_json(m));
  }
  for (const AdapterEntry& a : state.adapters().list()) {
    if (allowed && std::find(allowed->begin(), allowed->end(), a.base) == allowed->end()) continue;
    data.push_back(adapter_model_json(a));
  }
  send_json(res, 200, {{"object", "list"}, {"data", data}});
}

void handle_get_model(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  auto m = lookup_model(state, req.matches[1].str());
  if (!m.ok() && m.error().code == ErrorCode::NotFound) {
    if (auto a = state.adapters().find(req.matches[1].str())) {
      if (auto base = lookup_model(state, a->base); base.ok()) return send_json(res, 200, adapter_model_json(*a));
    }
  }
  if (!m.ok()) return send_error(res, m.error());
  send_json(res, 200, model_json(**m));
}

}  // namespace ondo::serve
