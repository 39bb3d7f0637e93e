// The route handlers and the helpers the route files share (JSON and error replies, model
// lookup, running a prepared generation). Layer: serve (internal to it). The routes
// themselves are rows of route_table.cpp.
#pragma once

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <string>

#include "ondo/infer/scheduler/scheduler.h"
#include "ondo/serve/api_types.h"
#include "ondo/serve/error_map.h"
#include "ondo/serve/guardrails/evaluate.h"
#include "ondo/serve/routes/openai_json.h"
#include "ondo/serve/routes/wire.h"
#include "ondo/serve/server_state.h"

namespace ondo::serve {

// The handlers of the route table (route_table.cpp): GET /health, /metrics, /v1/models,
// /v1/models/{model} (ops.cpp); POST /v1/chat/completions, /v1/completions (openai.cpp).
void handle_health(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_metrics(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_list_models(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_get_model(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_chat_completions(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_completions(ServerState& state, const httplib::Request& req, httplib::Response& res);
// llama-server's utility routes (llama.cpp): POST /tokenize, /detokenize, /apply-template;
// GET /props, /slots.
void handle_tokenize(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_detokenize(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_apply_template(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_props(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_slots(ServerState& state, const httplib::Request& req, httplib::Response& res);

// Counts the request as in flight until the handler returns (streams count on their own).
class InFlight {
 public:
  explicit InFlight(ServerState& s) : s_(s) { s_.enter(); }
  ~InFlight() { s_.leave(); }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  ServerState& s_;
};

void send_json(httplib::Response& res, int status, const nlohmann::json& body);
// The error in `shape` (the route family's; OpenAI's by default), with Retry-After when set.
void send_error(httplib::Response& res, const ApiError& error, ErrorShape shape = ErrorShape::OpenAI);
// The error's field path becomes the body's "param" (OpenAI's shape).
void send_error(httplib::Response& res, const Error& error, ErrorShape shape = ErrorShape::OpenAI);

// The published model named `alias`, checking readiness and draining. Errors: Unavailable
// (loading, draining), NotFound (field "model").
Result<const ServedModel*> lookup_model(const ServerState& state, const std::string& alias);
// lookup_model() for chat/completions: also InvalidArgument (field "model") for a model that
// does not generate text (an encoder).
Result<const ServedModel*> lookup_generator(const ServerState& state, const std::string& alias);
// The same, after loading the adapter of a fine-tuned model id on first use (load_fine_tuned_adapter).
Result<const ServedModel*> lookup_generator(ServerState& state, const std::string& alias);

// A request ready for the scheduler.
struct PreparedRequest {
  const ServedModel* model = nullptr;
  Flavor flavor = Flavor::Chat;
  GenerationFields fields;
  infer::GenerationRequest request;            // of the first prompt
  std::vector<std::vector<int32_t>> more_prompts;  // /v1/completions: prompts 2.. of a batch
  bool tool_calling = false;  // tools given and tool_choice not none: parse calls from the output
  guardrails::PolicySet guardrails;  // the request's guardrail policies (their output rules run in generate.cpp)
  // Chat: the tools, tool_choice and parallel_tool_calls as the request gave them (they decide
  // the tool grammar); part of the response cache's key. Null: none.
  nlohmann::json tools_key;
};

// The grammar of a response_format / grammar constraint (null for none), from the cache.
// Errors name the field (param) and, for schemas, the keyword and its JSON path.
Result<std::shared_ptr<const infer::grammar::Grammar>> constraint_grammar(ServerState& state,
                                                                          const OutputConstraint& c);
// The tool-call grammar of a chat request in the model's format (null when it calls no tool).
Result<std::shared_ptr<const infer::grammar::Grammar>> tool_grammar(ServerState& state, const ServedModel& model,
                                                                    const ChatRequest& r);

// Fills request.prompt-dependent fields (max_tokens, sampling, logprobs) after checking
// the prompts (request.prompt, more_prompts) and parameters against the model. Errors name
// the field (param): `prompt_field`, or "prompt[i]" for prompt i of a batch.
Status prepare_generation(PreparedRequest& p, std::string_view prompt_field);

// The generation of a chat request (any API family's request translated into ChatRequest):
// model lookup, chat template, tool and output grammars, prepare_generation(). Errors name
// the field (param).
Result<PreparedRequest> prepare_chat(ServerState& state, ChatRequest chat);
// The same for a completion request (raw text or token ids).
Result<PreparedRequest> prepare_completion(ServerState& state, CompletionRequest completion);

// Submits and writes the response through `wire` (its JSON body, or its stream when
// fields.stream); null `wire`: OpenAI's shape for p.flavor. Several choices (fields.n > 1,
// more_prompts) need a wire with multi_choice(); each prompt's first sample is submitted
// first and its other samples once its prompt is evaluated, so they share its prompt K/V.
void respond_generation(ServerState& state, PreparedRequest p, httplib::Response& res,
                        std::unique_ptr<WireFormat> wire = nullptr);

}  // namespace ondo::serve
