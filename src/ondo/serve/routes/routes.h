// Route registration and the helpers the route files share (JSON and error replies,
// model lookup, running a prepared generation). Layer: serve (internal to it).
#pragma once

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <string>

#include "ondo/infer/scheduler/scheduler.h"
#include "ondo/serve/api_types.h"
#include "ondo/serve/error_map.h"
#include "ondo/serve/routes/openai_json.h"
#include "ondo/serve/server_state.h"

namespace ondo::serve {

// Registers every route on `http`. `state` must outlive `http`.
void register_routes(httplib::Server& http, ServerState& state);
void register_ops_routes(httplib::Server& http, ServerState& state);
void register_openai_routes(httplib::Server& http, ServerState& state);

// The known paths (for 405 versus 404, and the metrics' route label).
bool is_known_path(const std::string& path);
std::string route_label(const std::string& path);

void send_json(httplib::Response& res, int status, const nlohmann::json& body);
void send_error(httplib::Response& res, const ApiError& error);
void send_error(httplib::Response& res, const Error& error, std::string_view param = {});

// The published model named `alias`, checking readiness and draining. Errors: Unavailable
// (loading, draining), NotFound (param "model").
Result<const ServedModel*> lookup_model(const ServerState& state, const std::string& alias);

// A request ready for the scheduler.
struct PreparedRequest {
  const ServedModel* model = nullptr;
  Flavor flavor = Flavor::Chat;
  GenerationFields fields;
  infer::GenerationRequest request;
  bool tool_calling = false;  // tools given and tool_choice not none: parse calls from the output
};

// The grammar of a response_format / grammar constraint (null for none), from the cache.
// Errors name the field (param) and, for schemas, the keyword and its JSON path.
Result<std::shared_ptr<const infer::grammar::Grammar>> constraint_grammar(ServerState& state,
                                                                          const OutputConstraint& c);
// The tool-call grammar of a chat request in the model's format (null when it calls no tool).
Result<std::shared_ptr<const infer::grammar::Grammar>> tool_grammar(ServerState& state, const ServedModel& model,
                                                                    const ChatRequest& r);

// Fills request.prompt-dependent fields (max_tokens, sampling, logprobs) after checking
// the prompt and parameters against the model. Errors name the field (param).
Status prepare_generation(PreparedRequest& p, std::string_view prompt_field);

// Submits and writes the response (JSON, or SSE when fields.stream).
void respond_generation(ServerState& state, PreparedRequest p, httplib::Response& res);

}  // namespace ondo::serve
