// The adapter routes and request adapter resolution (routes/adapters.h). Layer: serve.
#include "ondo/serve/routes/adapters.h"

#include <cstdio>

#include "ondo/serve/json_limits.h"
#include "ondo/serve/routes/routes.h"
#include "ondo/serve/server_state.h"
#include "ondo/store/store.h"

namespace ondo::serve {
namespace {

using nlohmann::json;

json entry_json(const AdapterEntry& e) {
  const model::LoraAdapter& a = *e.adapter;
  return {{"id", e.id},          {"name", e.name},          {"object", "adapter"},
          {"model", e.base},     {"path", e.path},          {"scale", e.scale},
          {"alpha", a.alpha()},  {"rank", a.max_rank()},    {"tensors", a.n_pairs() * 2},
          {"created", e.created}};
}

// Loading and unloading change what the server serves: the admin key's job when the
// gateway is on (an admin key or a store), anyone's who may call the API otherwise.
Status check_admin(const ServerState& state) {
  const ServerOptions& o = state.options();
  if (o.admin_key.empty() && !o.store) return ok_status();
  const auto& record = current_request();
  const std::string caller = record ? record->context.caller : std::string();
  if (caller == "admin") return ok_status();
  return make_error(ErrorCode::PermissionDenied,
                    "adapters: loading and unloading need the admin key (seen caller '" + caller + "')");
}

std::string fmt_scale(float s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", double(s));
  return buf;
}

}  // namespace

Result<AdapterEntry> load_adapter(ServerState& state, const std::string& name, const std::string& base_alias,
                                  const std::filesystem::path& path, float scale) {
  ONDO_TRY(check_adapter_name(name));
  auto models = state.models();
  if (!models) return make_error(ErrorCode::Unavailable, "server: models are still loading");
  const ServedModel* base = nullptr;
  bool taken = false;
  for (const ServedModel& m : *models) {
    if (m.alias == base_alias) base = &m;
    if (m.alias == name) taken = true;
  }
  if (!base) return field_error(ErrorCode::NotFound, "model", "'" + base_alias.substr(0, 200) + "' is not served here");
  if (!base->model || base->kind != ModelKind::Generator) {
    return field_error(ErrorCode::InvalidArgument, "model", "'" + base_alias + "' does not take LoRA adapters");
  }
  auto adapter = model::LoraAdapter::load(path, *base->model);
  if (!adapter.ok()) {
    Error e = adapter.error();
    if (e.code == ErrorCode::NotFound || e.code == ErrorCode::InvalidFile || e.code == ErrorCode::Unsupported) {
      e.field = "path";
    }
    return e;
  }
  return state.adapters().add(name, base_alias, path.string(), scale, std::move(*adapter), taken);
}

Status load_fine_tuned_adapter(ServerState& state, const std::string& alias) {
  store::Store* s = state.options().store;
  if (alias.rfind("ft:", 0) != 0 || !s || state.adapters().find(alias)) return ok_status();
  const std::string job_id = alias.substr(alias.rfind(':') + 1);
  auto job = s->find_job(job_id);
  if (!job.ok()) return job.error();
  if (!*job || (*job)->kind != "fine_tune" || (*job)->state != "succeeded") return ok_status();
  const json result = json::parse((*job)->result, nullptr, false);
  if (!result.is_object() || result.value("fine_tuned_model", "") != alias) return ok_status();
  auto loaded = load_adapter(state, alias, result.value("base_model", ""), result.value("adapter", ""), 1.0f);
  if (!loaded.ok() && state.adapters().find(alias)) return ok_status();  // another request loaded it first
  if (!loaded.ok()) return loaded.error().with_context("fine-tuned model '" + alias.substr(0, 200) + "'");
  return ok_status();
}

void handle_adapters_list(ServerState& state, const httplib::Request&, httplib::Response& res) {
  json data = json::array();
  for (const AdapterEntry& e : state.adapters().list()) data.push_back(entry_json(e));
  send_json(res, 200, {{"object", "list"}, {"data", data}});
}

void handle_adapters_load(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  InFlight guard(state);
  if (Status st = check_admin(state); !st.ok()) return send_error(res, st.error());
  JsonBudget budget;
  auto body = parse_request_json(req.body, "", budget);
  if (!body.ok()) return send_error(res, body.error());
  if (!body->is_object()) return send_error(res, make_error(ErrorCode::InvalidArgument, "request body: expected a JSON object"));
  auto str = [&](const char* key) -> Result<std::string> {
    auto it = body->find(key);
    if (it == body->end() || it->is_null()) return std::string();
    if (!it->is_string()) return field_error(ErrorCode::InvalidArgument, key, "expected a string");
    return it->get<std::string>();
  };
  auto name = str("name"), path = str("path"), model = str("model");
  for (const auto* r : {&name, &path, &model}) {
    if (!r->ok()) return send_error(res, r->error());
  }
  if (path->empty()) return send_error(res, field_error(ErrorCode::InvalidArgument, "path", "missing (the adapter GGUF file)"));
  std::string base = *model;
  if (base.empty()) {  // the only generator, when there is one
    auto models = state.models();
    int n = 0;
    for (const ServedModel& m : models ? *models : ModelTable{}) {
      if (m.kind == ModelKind::Generator && m.model) base = m.alias, ++n;
    }
    if (n != 1) return send_error(res, field_error(ErrorCode::InvalidArgument, "model", "missing (the base model's name)"));
  }
  float scale = 1.0f;
  if (auto it = body->find("scale"); it != body->end() && !it->is_null()) {
    if (!it->is_number()) return send_error(res, field_error(ErrorCode::InvalidArgument, "scale", "expected a number"));
    scale = it->get<float>();
  }
  auto e = load_adapter(state, *name, base, *path, scale);
  if (!e.ok()) return send_error(res, e.error());
  std::fprintf(stderr, "ondo serve: adapter '%s' loaded on '%s' from %s\n", e->name.c_str(), e->base.c_str(), e->path.c_str());
  send_json(res, 200, entry_json(*e));
}

void handle_adapters_delete(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  InFlight guard(state);
  if (Status st = check_admin(state); !st.ok()) return send_error(res, st.error());
  auto e = state.adapters().remove(req.matches[1].str());
  if (!e.ok()) return send_error(res, e.error());
  // requests still running hold it (their LoraSet): the registry's copy and this one aside
  const long users = std::max(0L, e->adapter.use_count() - 1);
  std::fprintf(stderr, "ondo serve: adapter '%s' unloaded (%ld running requests keep it until they end)\n",
               e->name.c_str(), users);
  send_json(res, 200, {{"id", e->id}, {"name", e->name}, {"object", "adapter"}, {"deleted", true},
                       {"running_requests", users}});
}

Status resolve_request_adapters(ServerState& state, PreparedRequest& p) {
  std::vector<model::LoraUse> uses;
  std::string label;
  auto use = [&](const AdapterEntry& e, float scale) {
    uses.push_back({e.adapter, scale});
    label += (label.empty() ? "" : "+") + e.name + (scale == 1.0f ? "" : "@" + fmt_scale(scale));
  };
  // lookup_generator() noted the adapter a "model" named
  const auto& record = current_request();
  if (record && !record->context.adapter.empty()) {
    auto e = state.adapters().find(record->context.adapter);
    if (!e) {
      return field_error(ErrorCode::NotFound, "model", "adapter '" + record->context.adapter + "' was unloaded");
    }
    use(*e, e->scale);
  }
  for (size_t i = 0; i < p.fields.lora.size(); ++i) {
    const LoraChoice& c = p.fields.lora[i];
    const std::string path = "lora[" + std::to_string(i) + "]";
    auto e = c.id >= 0 ? state.adapters().find_id(c.id) : state.adapters().find(c.name);
    if (!e) {
      return c.id >= 0 ? field_error(ErrorCode::NotFound, path + ".id", "no adapter has id " + std::to_string(c.id))
                       : field_error(ErrorCode::NotFound, path + ".name", "adapter '" + c.name.substr(0, 200) + "' is not loaded");
    }
    if (e->base != p.model->alias) {
      return field_error(ErrorCode::InvalidArgument, path,
                         "adapter '" + e->name + "' is for model '" + e->base + "', not '" + p.model->alias + "'");
    }
    use(*e, c.scale.value_or(e->scale));
  }
  if (uses.empty()) return ok_status();
  ONDO_ASSIGN_OR_RETURN(p.request.lora, model::make_lora_set(std::move(uses)));
  if (record) record->context.adapter = label;
  return ok_status();
}

std::string adapters_cache_identity(const model::LoraSet* set) {
  if (!set || set->empty()) return "";
  std::string id;
  for (const model::LoraUse& u : set->uses) {
    const gguf::GgufFile& f = u.adapter->file();
    std::error_code ec;
    const auto mtime = std::filesystem::last_write_time(f.name(), ec);
    const long long ticks = ec ? 0LL : static_cast<long long>(mtime.time_since_epoch().count());
    char scale[32];
    std::snprintf(scale, sizeof scale, "%.9g", double(u.scale));  // round-trips a float
    id += f.name() + ":" + std::to_string(f.file_size()) + ":" + std::to_string(ticks) + "@" + scale + ";";
  }
  return id;
}

std::string served_name(const ServerState& state, const PreparedRequest& p) {
  if (p.request.lora && p.fields.model != p.model->alias && state.adapters().find(p.fields.model)) return p.fields.model;
  return p.model->alias;
}

}  // namespace ondo::serve
