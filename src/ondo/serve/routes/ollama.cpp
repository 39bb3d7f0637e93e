// The Ollama API's handlers (routes/ollama.h): version, the model list and details, running
// models, and generation through the OpenAI preparation (prepare_chat / prepare_completion)
// written by the Ollama wire format. Layer: serve. No model code runs here. Every error is in
// Ollama's shape, {"error": "..."}.
#include "ondo/serve/routes/ollama.h"

#include "ondo/serve/api_ollama.h"
#include "ondo/serve/routes/adapters.h"
#include "ondo/serve/routes/routes.h"
#include "ondo/core/version.h"

namespace ondo::serve {
namespace {

using json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

// Models never unload here: /api/ps shows this as their expiry.
constexpr const char* kNeverExpires = "9999-12-31T23:59:59Z";

void reply(httplib::Response& res, const json& body) {
  res.status = 200;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

void fail(httplib::Response& res, const Error& e) { send_error(res, e, ErrorShape::Ollama); }

// Ollama names carry a tag; an alias without one is listed as "<alias>:latest".
std::string listed_name(const ServedModel& m) {
  return m.alias.find(':') == std::string::npos ? m.alias + ":latest" : m.alias;
}

json details_json(const ServedModel& m) {
  const ModelCard* c = m.card.get();
  const std::string family = c ? c->family : "";
  return {{"parent_model", ""},
          {"format", "gguf"},
          {"family", family},
          {"families", family.empty() ? json(nullptr) : json::array({family})},
          {"parameter_size", c ? c->parameter_size : ""},
          {"quantization_level", c ? c->quantization_level : ""}};
}

json listed_json(const ServedModel& m) {
  const ModelCard* c = m.card.get();
  const std::string modified = c && !c->modified_at.empty() ? c->modified_at : rfc3339_utc(m.created);
  return {{"name", listed_name(m)},
          {"model", listed_name(m)},
          {"modified_at", modified},
          {"size", c ? c->size_bytes : 0},
          {"digest", c ? c->digest : ""},
          {"details", details_json(m)}};
}

// Ollama's parameters text ("name value" lines): the context and the end-of-generation text.
std::string parameters_text(const ServedModel& m) {
  std::string out;
  if (m.scheduler) out += "num_ctx " + std::to_string(m.scheduler->options().n_ctx);
  if (m.tokenizer && m.tokenizer->eos_id() >= 0 && m.tokenizer->eos_id() < m.tokenizer->n_vocab()) {
    const std::string eos(m.tokenizer->token_text(m.tokenizer->eos_id()));
    if (!eos.empty()) out += (out.empty() ? "" : "\n") + std::string("stop \"") + eos + "\"";
  }
  return out;
}

// A request with no prompt or no messages: Ollama's "load the model" call. The model is
// already loaded; the answer says so.
void reply_loaded(httplib::Response& res, OllamaEndpoint endpoint, const std::string& model) {
  json j = {{"model", model}, {"created_at", ollama_now()}};
  if (endpoint == OllamaEndpoint::Generate) j["response"] = "";
  else j["message"] = {{"role", "assistant"}, {"content", ""}};
  j["done"] = true;
  j["done_reason"] = "load";
  reply(res, j);
}

void generate(ServerState& state, const httplib::Request& req, httplib::Response& res, OllamaEndpoint endpoint) {
  const Clock::time_point start = Clock::now();
  InFlight guard(state);
  auto parsed = endpoint == OllamaEndpoint::Chat ? parse_ollama_chat(req.body) : parse_ollama_generate(req.body);
  if (!parsed.ok()) return fail(res, parsed.error());
  OllamaRequest& r = *parsed;
  auto model = find_ollama_model(state, r.model);
  std::string name = model.ok() ? (*model)->alias : std::string();
  if (!model.ok() && model.error().code == ErrorCode::NotFound) {
    // an adapter's name or a fine-tuned model's id, as chat completions take them
    const std::string latest = ":latest";
    const bool tagged = r.model.size() > latest.size() && r.model.compare(r.model.size() - latest.size(), latest.size(), latest) == 0;
    for (const std::string& n : {r.model, tagged ? r.model.substr(0, r.model.size() - latest.size()) : std::string()}) {
      if (n.empty()) continue;
      if (Status st = load_fine_tuned_adapter(state, n); !st.ok()) return fail(res, st.error().in_field("model"));
      if (state.adapters().find(n)) {
        model = lookup_generator(state, n);
        name = n;
        break;
      }
    }
  }
  if (!model.ok()) return fail(res, model.error());
  if (r.load_only) {
    auto gen = lookup_generator(state, name);
    if (!gen.ok()) return fail(res, gen.error());
    return reply_loaded(res, endpoint, r.model);
  }
  r.completion.gen.model = name;
  r.chat.gen.model = name;
  auto p = r.raw ? prepare_completion(state, std::move(r.completion)) : prepare_chat(state, std::move(r.chat));
  if (!p.ok()) return fail(res, rename_chat_error(r.renames, p.error()));
  respond_generation(state, std::move(*p), res, ollama_wire(endpoint, r.model, start));
}

}  // namespace

// The served model an Ollama name means (with or without ":latest"). Errors as lookup_model().
Result<const ServedModel*> find_ollama_model(const ServerState& state, const std::string& name) {
  auto models = state.models();
  const std::string alias = ollama_alias(name, [&](const std::string& a) {
    if (!models) return false;
    for (const ServedModel& m : *models) {
      if (m.alias == a) return true;
    }
    return false;
  });
  return lookup_model(state, alias);
}

void handle_ollama_version(ServerState&, const httplib::Request&, httplib::Response& res) {
  reply(res, {{"version", ondo_version()}});
}

void handle_ollama_tags(ServerState& state, const httplib::Request&, httplib::Response& res) {
  auto models = state.models();
  if (!models || !state.ready()) return fail(res, make_error(ErrorCode::Unavailable, "server: models are still loading"));
  json list = json::array();
  for (const ServedModel& m : *models) list.push_back(listed_json(m));
  reply(res, {{"models", list}});
}

void handle_ollama_ps(ServerState& state, const httplib::Request&, httplib::Response& res) {
  auto models = state.models();
  if (!models || !state.ready()) return fail(res, make_error(ErrorCode::Unavailable, "server: models are still loading"));
  json list = json::array();
  for (const ServedModel& m : *models) {
    json j = listed_json(m);
    j.erase("modified_at");
    j["size"] = m.card ? m.card->loaded_bytes : 0;
    j["expires_at"] = kNeverExpires;
    j["size_vram"] = 0;
    if (m.scheduler) j["context_length"] = m.scheduler->options().n_ctx;
    list.push_back(std::move(j));
  }
  reply(res, {{"models", list}});
}

void handle_ollama_show(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  auto parsed = parse_ollama_show(req.body);
  if (!parsed.ok()) return fail(res, parsed.error());
  auto found = find_ollama_model(state, parsed->model);
  if (!found.ok()) return fail(res, found.error());
  const ServedModel& m = **found;
  const ModelCard* c = m.card.get();
  const std::string tmpl = c ? c->template_text : "";
  json j = {{"license", ""},
            {"modelfile", "# Modelfile generated by ondo\nFROM " + listed_name(m) + "\n"},
            {"parameters", parameters_text(m)},
            {"template", tmpl},
            {"system", ""},
            {"details", details_json(m)},
            {"model_info", c ? c->model_info : json::object()},
            {"capabilities", json::array({m.kind == ModelKind::Generator ? "completion" : "embedding"})},
            {"modified_at", c && !c->modified_at.empty() ? c->modified_at : rfc3339_utc(m.created)}};
  reply(res, j);
}

void handle_ollama_generate(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  generate(state, req, res, OllamaEndpoint::Generate);
}

void handle_ollama_chat(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  generate(state, req, res, OllamaEndpoint::Chat);
}

}  // namespace ondo::serve
