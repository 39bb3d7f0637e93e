// The route table and what derives from it: registration on cpp-httplib, Allow, access rule
// and metrics label. Layer: serve.
#include "ondo/serve/route_table.h"

#include "ondo/serve/routes/adapters.h"
#include "ondo/serve/routes/compare.h"
#include "ondo/serve/routes/admin.h"
#include "ondo/serve/routes/anthropic.h"
#include "ondo/serve/routes/collections.h"
#include "ondo/serve/routes/console.h"
#include "ondo/serve/routes/embeddings.h"
#include "ondo/serve/routes/fridge.h"
#include "ondo/serve/routes/fridge_detect.h"
#include "ondo/serve/routes/guardrails.h"
#include "ondo/serve/routes/jobs.h"
#include "ondo/serve/routes/ollama.h"
#include "ondo/serve/routes/prompts.h"
#include "ondo/serve/routes/responses.h"
#include "ondo/serve/routes/routes.h"
#include "ondo/serve/routes/usage.h"

namespace ondo::serve {
namespace {

// One block per API family; each block keeps its rows together.
constexpr Route kRoutes[] = {
    // Operations.
    {"GET", "/health", handle_health, AuthRule::Public},
    {"GET", "/metrics", handle_metrics, AuthRule::ApiKey},
    // OpenAI.
    {"GET", "/v1/models", handle_list_models, AuthRule::ApiKey},
    {"GET", "/v1/models/{model}", handle_get_model, AuthRule::ApiKey},
    {"POST", "/v1/chat/completions", handle_chat_completions, AuthRule::ApiKey},
    {"POST", "/v1/completions", handle_completions, AuthRule::ApiKey},
    // OpenAI Responses API.
    {"POST", "/v1/responses", handle_create_response, AuthRule::ApiKey},
    {"GET", "/v1/responses/{id}", handle_get_response, AuthRule::ApiKey},
    {"DELETE", "/v1/responses/{id}", handle_delete_response, AuthRule::ApiKey},
    // Anthropic Messages API.
    {"POST", "/v1/messages", handle_anthropic_messages, AuthRule::ApiKey},
    {"POST", "/v1/messages/count_tokens", handle_anthropic_count_tokens, AuthRule::ApiKey},
    // Ollama API.
    {"GET", "/api/version", handle_ollama_version, AuthRule::ApiKey},
    {"GET", "/api/tags", handle_ollama_tags, AuthRule::ApiKey},
    {"GET", "/api/ps", handle_ollama_ps, AuthRule::ApiKey},
    {"POST", "/api/show", handle_ollama_show, AuthRule::ApiKey},
    {"POST", "/api/generate", handle_ollama_generate, AuthRule::ApiKey},
    {"POST", "/api/chat", handle_ollama_chat, AuthRule::ApiKey},
    {"POST", "/api/embed", handle_ollama_embed, AuthRule::ApiKey},
    {"POST", "/api/embeddings", handle_ollama_embeddings, AuthRule::ApiKey},
    // llama-server utility routes and unversioned aliases.
    {"POST", "/tokenize", handle_tokenize, AuthRule::ApiKey},
    {"POST", "/detokenize", handle_detokenize, AuthRule::ApiKey},
    {"POST", "/apply-template", handle_apply_template, AuthRule::ApiKey},
    {"GET", "/props", handle_props, AuthRule::ApiKey},
    {"GET", "/slots", handle_slots, AuthRule::ApiKey},
    {"POST", "/chat/completions", handle_chat_completions, AuthRule::ApiKey},
    {"POST", "/completions", handle_completions, AuthRule::ApiKey},
    {"GET", "/models", handle_list_models, AuthRule::ApiKey},
    // Embeddings and rerank.
    {"POST", "/v1/embeddings", handle_embeddings, AuthRule::ApiKey},
    {"POST", "/v1/rerank", handle_rerank, AuthRule::ApiKey},
    {"POST", "/rerank", handle_rerank, AuthRule::ApiKey},
    // Files and vector stores (collections; the store).
    {"GET", "/v1/files", handle_list_files, AuthRule::ApiKey},
    {"POST", "/v1/files", handle_create_file, AuthRule::ApiKey},
    {"GET", "/v1/files/{id}", handle_get_file, AuthRule::ApiKey},
    {"DELETE", "/v1/files/{id}", handle_delete_file, AuthRule::ApiKey},
    {"GET", "/v1/vector_stores", handle_list_vector_stores, AuthRule::ApiKey},
    {"POST", "/v1/vector_stores", handle_create_vector_store, AuthRule::ApiKey},
    {"GET", "/v1/vector_stores/{path}", handle_vector_store_get, AuthRule::ApiKey},
    {"POST", "/v1/vector_stores/{path}", handle_vector_store_post, AuthRule::ApiKey},
    {"DELETE", "/v1/vector_stores/{path}", handle_vector_store_delete, AuthRule::ApiKey},
    // Admin (the gateway's keys; --admin-key).
    {"GET", "/v1/admin/keys", handle_admin_list_keys, AuthRule::Admin},
    {"POST", "/v1/admin/keys", handle_admin_create_key, AuthRule::Admin},
    {"GET", "/v1/admin/keys/{id}", handle_admin_get_key, AuthRule::Admin},
    {"DELETE", "/v1/admin/keys/{id}", handle_admin_revoke_key, AuthRule::Admin},
    // Guardrails (admin; the fixed paths before /v1/guardrails/{name}).
    {"GET", "/v1/guardrails", handle_guardrails_list, AuthRule::Admin},
    {"POST", "/v1/guardrails", handle_guardrails_put, AuthRule::Admin},
    {"GET", "/v1/guardrails/decisions", handle_guardrails_decisions, AuthRule::Admin},
    {"POST", "/v1/guardrails/attach", handle_guardrails_attach, AuthRule::Admin},
    {"POST", "/v1/guardrails/detach", handle_guardrails_detach, AuthRule::Admin},
    {"GET", "/v1/guardrails/{name}", handle_guardrails_get, AuthRule::Admin},
    {"DELETE", "/v1/guardrails/{name}", handle_guardrails_delete, AuthRule::Admin},
    // Prompt registry (issue 15.5): reads and renders with any key, writes with the admin key.
    // /v1/prompts/render comes before /v1/prompts/{path}: the first matching row wins.
    {"GET", "/v1/prompts", handle_list_prompts, AuthRule::ApiKey},
    {"POST", "/v1/prompts", handle_create_prompt, AuthRule::Admin},
    {"POST", "/v1/prompts/render", handle_render_prompt, AuthRule::ApiKey},
    {"GET", "/v1/prompts/{path}", handle_prompt_get, AuthRule::ApiKey},
    {"POST", "/v1/prompts/{path}", handle_prompt_write, AuthRule::Admin},
    {"PUT", "/v1/prompts/{path}", handle_prompt_write, AuthRule::Admin},
    // Usage (issue 15.4): the admin key reads all usage; a store key its own (checked in the handlers).
    {"GET", "/v1/usage", handle_usage, AuthRule::ApiKey},
    {"GET", "/v1/usage/requests", handle_usage_requests, AuthRule::ApiKey},
    // Web console (issue 19): its embedded files (public: no data in them) and its session,
    // which checks the key itself; the pages call the API routes above with the session cookie.
    {"GET", "/", handle_console_index, AuthRule::Public},
    {"GET", "/console", handle_console_index, AuthRule::Public},
    {"GET", "/console/{path}", handle_console_file, AuthRule::Public},
    {"POST", "/v1/console/session", handle_console_session_create, AuthRule::Public},
    {"GET", "/v1/console/session", handle_console_session_get, AuthRule::Public},
    {"DELETE", "/v1/console/session", handle_console_session_delete, AuthRule::Public},
    // Fridge app: ingredients from a photo (issue 20.5); 404 unless ondo serve --detector.
    {"POST", "/apps/fridge/api/detect", handle_fridge_detect, AuthRule::ApiKey},
    // The fridge app (issue 20; docs/fridge.md), only with --app fridge (else 404): one row per
    // method, dispatching on the rest of the path. Fixed fridge paths (…/detect) go above these.
    {"GET", "/apps/fridge/api/{path}", handle_fridge_get, AuthRule::ApiKey},
    {"POST", "/apps/fridge/api/{path}", handle_fridge_post, AuthRule::ApiKey},
    {"PUT", "/apps/fridge/api/{path}", handle_fridge_put, AuthRule::ApiKey},
    {"DELETE", "/apps/fridge/api/{path}", handle_fridge_delete, AuthRule::ApiKey},
    // Jobs and fine-tuning (issue 17.3): OpenAI's fine-tuning API with any key; the generic
    // job queue (train, quantize: server paths) with the admin key.
    {"GET", "/v1/fine_tuning/jobs", handle_fine_tuning_list, AuthRule::ApiKey},
    {"POST", "/v1/fine_tuning/jobs", handle_fine_tuning_create, AuthRule::ApiKey},
    {"GET", "/v1/fine_tuning/jobs/{path}", handle_fine_tuning_get, AuthRule::ApiKey},
    {"POST", "/v1/fine_tuning/jobs/{path}", handle_fine_tuning_post, AuthRule::ApiKey},
    {"GET", "/v1/jobs", handle_jobs_list, AuthRule::Admin},
    {"POST", "/v1/jobs", handle_jobs_create, AuthRule::Admin},
    {"GET", "/v1/jobs/{path}", handle_jobs_get, AuthRule::Admin},
    {"POST", "/v1/jobs/{path}", handle_jobs_post, AuthRule::Admin},
    // LoRA adapters (issue 17.4): any key lists; loading and unloading need the admin key when
    // the gateway is on (checked in the handlers).
    {"GET", "/v1/adapters", handle_adapters_list, AuthRule::ApiKey},
    {"POST", "/v1/adapters", handle_adapters_load, AuthRule::ApiKey},
    {"DELETE", "/v1/adapters/{name}", handle_adapters_delete, AuthRule::ApiKey},
    // Compare (issue 17.5): one chat request answered by 2-4 models / adapters / fine-tuned ids.
    {"POST", "/v1/compare", handle_compare, AuthRule::ApiKey},
};

// The template's fixed part and whether it ends in a "{name}" segment.
struct Template {
  std::string_view prefix;
  bool has_param = false;
};

constexpr Template split(std::string_view path) {
  const size_t brace = path.find('{');
  if (brace == std::string_view::npos) return {path, false};
  return {path.substr(0, brace), true};
}

constexpr bool templates_are_well_formed() {
  for (const Route& r : kRoutes) {
    const std::string_view p = r.path;
    const size_t brace = p.find('{');
    const std::string_view m = r.method;
    if (m != "GET" && m != "POST" && m != "PUT" && m != "DELETE") return false;
    if (p.empty() || p.front() != '/') return false;
    if (brace != std::string_view::npos && (p.back() != '}' || p[brace - 1] != '/' || p.find('}') != p.size() - 1)) {
      return false;
    }
  }
  return true;
}
static_assert(templates_are_well_formed(), "route_table: GET, POST, PUT or DELETE; a path starts with '/'; only its last segment may be {name}");

// cpp-httplib matches handlers with std::regex: the fixed part escaped, "{name}" as "(.+)".
std::string to_regex(const Route& r) {
  const Template t = split(r.path);
  std::string out;
  for (char c : t.prefix) {
    if (std::string_view(".^$|()[]{}*+?\\").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  if (t.has_param) out += "(.+)";
  return out;
}

bool same_method(std::string_view row, std::string_view method) {
  return row == method || (row == "GET" && method == "HEAD");
}

}  // namespace

std::span<const Route> route_table() { return kRoutes; }

bool path_matches(const Route& route, std::string_view path) {
  const Template t = split(route.path);
  if (!t.has_param) return path == t.prefix;
  if (path.size() <= t.prefix.size() || path.substr(0, t.prefix.size()) != t.prefix) return false;
  // As the regex "(.+)": any character but a line break.
  return path.find_first_of("\r\n", t.prefix.size()) == std::string_view::npos;
}

const Route* find_route(std::string_view method, std::string_view path) {
  for (const Route& r : kRoutes) {
    if (same_method(r.method, method) && path_matches(r, path)) return &r;
  }
  return nullptr;
}

std::string allowed_methods(std::string_view path) {
  std::string out;
  for (const Route& r : kRoutes) {
    if (!path_matches(r, path)) continue;
    if (!out.empty()) out += ", ";
    out += r.method;
  }
  return out;
}

AuthRule auth_rule(std::string_view method, std::string_view path) {
  if (const Route* r = find_route(method, path)) return r->auth;
  bool any = false;
  for (const Route& r : kRoutes) {
    if (!path_matches(r, path)) continue;
    any = true;
    if (r.auth != AuthRule::Public) return AuthRule::ApiKey;
  }
  return any ? AuthRule::Public : AuthRule::ApiKey;
}

std::string route_label(std::string_view path) {
  for (const Route& r : kRoutes) {
    if (path_matches(r, path)) return r.path;
  }
  return "other";
}

void register_routes(httplib::Server& http, ServerState& state) {
  for (const Route& r : kRoutes) {
    const RouteHandler handler = r.handler;
    const httplib::Server::Handler call = [&state, handler](const httplib::Request& req, httplib::Response& res) {
      handler(state, req, res);
    };
    const std::string_view m = r.method;
    if (m == "GET") http.Get(to_regex(r), call);
    else if (m == "DELETE") http.Delete(to_regex(r), call);
    else if (m == "PUT") http.Put(to_regex(r), call);
    else http.Post(to_regex(r), call);  // the only other method (checked above)
  }
}

}  // namespace ondo::serve
