// The prompt registry's routes and the `prompt` field of chat requests. Layer: serve.
// The routes parse paths and bodies; the work is serve/prompt_ops.cpp's.
#include "ondo/serve/routes/prompts.h"

#include <ctime>

#include "ondo/serve/json_limits.h"
#include "ondo/serve/prompt_ops.h"
#include "ondo/serve/routes/routes.h"

namespace ondo::serve {
namespace {

using ojson = nlohmann::ordered_json;

int64_t now_s() { return int64_t(std::time(nullptr)); }

Result<store::Store*> registry(ServerState& state) {
  if (!state.options().store) {
    return make_error(ErrorCode::Unavailable, "prompt registry: the server has no store (start it with --data-dir or --db)");
  }
  return state.options().store;
}

// The path below /v1/prompts/ split at '/'.
std::vector<std::string> segments(const std::string& rest) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t slash = rest.find('/', start);
    out.push_back(rest.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) return out;
    start = slash + 1;
  }
}

Error no_route(const httplib::Request& req) {
  return make_error(ErrorCode::NotFound, "route: no route " + req.method + " " + req.path.substr(0, 200));
}

void reply(httplib::Response& res, int status, const Result<ojson>& r) {
  if (!r.ok()) return send_error(res, r.error());
  res.status = status;
  res.set_content(r->dump(), "application/json");
}

Result<ojson> body_json(const httplib::Request& req) {
  JsonBudget budget;
  return parse_request_json(req.body, "", budget);
}

std::string caller_of() {
  const auto& record = current_request();
  return record ? record->context.caller : std::string("local");
}

Result<ojson> get_route(store::Store& s, const httplib::Request& req, const std::vector<std::string>& seg) {
  const std::string& name = seg[0];
  if (seg.size() == 1) return show_prompt(s, name);
  if (seg[1] == "versions" && seg.size() <= 3) {
    if (seg.size() == 2) return list_prompt_versions(s, name);
    ONDO_ASSIGN_OR_RETURN(int64_t v, parse_version_number(seg[2], "version"));
    return get_prompt_version(s, name, v);
  }
  if (seg[1] == "labels" && seg.size() <= 3) {
    ONDO_ASSIGN_OR_RETURN(ojson p, show_prompt(s, name));
    if (seg.size() == 2) return ojson{{"object", "list"}, {"data", p["labels"]}};
    if (!p["labels"].contains(seg[2])) {
      return field_error(ErrorCode::NotFound, "label", "prompt '" + name + "' has no label '" + seg[2].substr(0, 128) + "'");
    }
    return ojson{{"object", "prompt.label"}, {"prompt", name}, {"label", seg[2]}, {"versions", p["labels"][seg[2]]}};
  }
  if (seg[1] == "diff" && seg.size() == 2) {
    if (!req.has_param("from") || !req.has_param("to")) {
      return field_error(ErrorCode::InvalidArgument, req.has_param("from") ? "to" : "from", "missing (diff?from=N&to=M)");
    }
    ONDO_ASSIGN_OR_RETURN(int64_t from, parse_version_number(req.get_param_value("from"), "from"));
    ONDO_ASSIGN_OR_RETURN(int64_t to, parse_version_number(req.get_param_value("to"), "to"));
    return diff_prompt(s, name, from, to);
  }
  return no_route(req);
}

}  // namespace

void handle_list_prompts(ServerState& state, const httplib::Request&, httplib::Response& res) {
  auto s = registry(state);
  if (!s.ok()) return send_error(res, s.error());
  reply(res, 200, list_prompts(**s));
}

void handle_create_prompt(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  auto s = registry(state);
  if (!s.ok()) return send_error(res, s.error());
  auto body = body_json(req);
  if (!body.ok()) return send_error(res, body.error());
  reply(res, 201, create_prompt(**s, *body, now_s()));
}

void handle_render_prompt(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  auto s = registry(state);
  if (!s.ok()) return send_error(res, s.error());
  auto body = body_json(req);
  if (!body.ok()) return send_error(res, body.error());
  auto out = render_prompt_request(**s, *body, caller_of());
  if (out.ok()) res.set_header("x-ondo-prompt", (*out)["ref"].get<std::string>());
  reply(res, 200, out);
}

void handle_prompt_get(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  auto s = registry(state);
  if (!s.ok()) return send_error(res, s.error());
  reply(res, 200, get_route(**s, req, segments(req.matches[1].str())));
}

void handle_prompt_write(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  auto s = registry(state);
  if (!s.ok()) return send_error(res, s.error());
  const std::vector<std::string> seg = segments(req.matches[1].str());
  const bool version = seg.size() == 2 && seg[1] == "versions" && req.method == "POST";
  const bool label = seg.size() == 3 && seg[1] == "labels";
  if (!version && !label) return send_error(res, no_route(req));
  auto body = body_json(req);
  if (!body.ok()) return send_error(res, body.error());
  if (version) return reply(res, 201, add_prompt_version(**s, seg[0], *body, now_s()));
  reply(res, 200, set_prompt_label(**s, seg[0], seg[2], *body, now_s()));
}

namespace {

enum class Family { OpenAIChat, Anthropic };

Result<std::optional<std::string>> apply_prompt(ServerState& state, std::string_view text, httplib::Response& res, Family family) {
  if (text.find("\"prompt\"") == std::string_view::npos) return std::optional<std::string>();  // cheap first look
  JsonBudget budget;
  auto body = parse_request_json(text, "", budget);
  if (!body.ok() || !body->is_object() || !body->contains("prompt")) return std::optional<std::string>();  // the parser reports
  ONDO_ASSIGN_OR_RETURN(store::Store * s, registry(state));
  ONDO_ASSIGN_OR_RETURN(PromptRef ref, parse_prompt_ref((*body)["prompt"], "prompt"));
  std::string sticky = caller_of();
  const ojson* user = body->contains("user") ? &(*body)["user"] : nullptr;
  if (family == Family::Anthropic) {
    const ojson& m = body->contains("metadata") ? (*body)["metadata"] : ojson();
    user = m.is_object() && m.contains("user_id") ? &m["user_id"] : nullptr;
  }
  if (user && user->is_string() && !user->get<std::string>().empty()) sticky = "user:" + user->get<std::string>();
  ONDO_ASSIGN_OR_RETURN(store::PromptVersion v, resolve_prompt(*s, ref, sticky, "prompt"));
  ONDO_ASSIGN_OR_RETURN(std::vector<store::PromptMessage> rendered, render_prompt(v, ref.variables, "prompt"));
  if (family == Family::Anthropic) apply_prompt_to_anthropic(*body, v, rendered);
  else apply_prompt_to_chat(*body, v, rendered);
  const std::string served = v.prompt + "@" + std::to_string(v.version);
  if (const auto& record = current_request()) record->prompt_ref = served;
  res.set_header("x-ondo-prompt", served);
  return std::optional<std::string>(body->dump());
}

}  // namespace

Result<std::optional<std::string>> apply_chat_prompt(ServerState& state, std::string_view text, httplib::Response& res) {
  return apply_prompt(state, text, res, Family::OpenAIChat);
}

Result<std::optional<std::string>> apply_anthropic_prompt(ServerState& state, std::string_view text, httplib::Response& res) {
  return apply_prompt(state, text, res, Family::Anthropic);
}

}  // namespace ondo::serve
