// The prompt registry's routes (/v1/prompts, issue 15.5) and the `prompt` field of chat
// requests. Layer: serve (routes). Talks to the store through serve/prompt_ops.h.
#pragma once

#include <httplib.h>

#include <optional>
#include <string>
#include <string_view>

#include "ondo/core/result.h"

namespace ondo::serve {

class ServerState;

// GET /v1/prompts, POST /v1/prompts (admin), POST /v1/prompts/render.
void handle_list_prompts(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_create_prompt(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_render_prompt(ServerState& state, const httplib::Request& req, httplib::Response& res);
// /v1/prompts/{name}[/versions[/{n}] | /labels[/{label}] | /diff?from=&to=] (GET), and
// /v1/prompts/{name}/versions (POST), /v1/prompts/{name}/labels/{label} (POST, PUT): admin.
void handle_prompt_get(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_prompt_write(ServerState& state, const httplib::Request& req, httplib::Response& res);

// An OpenAI chat body with a `prompt` field ({"name", "label" | "version", "variables"}):
// resolves the version (a weighted label picks by the body's "user", else the caller's key),
// renders it, and returns the body with the prompt put in (prompt_registry.h
// apply_prompt_to_chat()); records "name@version" in the request record and the
// x-ondo-prompt header of `res`. nullopt when the body has no `prompt` field (it is then
// used as it is). Errors: InvalidArgument (400) naming "prompt.*" fields, NotFound (404)
// naming the prompt, label or version, Unavailable when the server has no store.
Result<std::optional<std::string>> apply_chat_prompt(ServerState& state, std::string_view body, httplib::Response& res);
// The same for an Anthropic Messages body (apply_prompt_to_anthropic(); the sticky key is
// metadata.user_id when given).
Result<std::optional<std::string>> apply_anthropic_prompt(ServerState& state, std::string_view body,
                                                          httplib::Response& res);

}  // namespace ondo::serve
