// The guardrails admin API (--admin-key): policies (create or replace, list, read, delete),
// attaching them globally, to an API key or to a prompt name, and the decisions made on
// requests. Layer: serve (routes). Policies are checked by serve/guardrails before the store
// keeps them.
#pragma once

#include <httplib.h>

namespace ondo::serve {

class ServerState;

// GET /v1/guardrails, POST /v1/guardrails, GET and DELETE /v1/guardrails/{name}.
void handle_guardrails_list(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_guardrails_put(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_guardrails_get(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_guardrails_delete(ServerState& state, const httplib::Request& req, httplib::Response& res);
// POST /v1/guardrails/attach and /v1/guardrails/detach: {"policy", "scope": global|key|prompt, "target"}.
void handle_guardrails_attach(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_guardrails_detach(ServerState& state, const httplib::Request& req, httplib::Response& res);
// GET /v1/guardrails/decisions?request_id=&from=&to=&limit=
void handle_guardrails_decisions(ServerState& state, const httplib::Request& req, httplib::Response& res);

}  // namespace ondo::serve
