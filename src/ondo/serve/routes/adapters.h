// LoRA adapters over HTTP: POST /v1/adapters (load {name, path, model, scale}), GET
// /v1/adapters, DELETE /v1/adapters/{name}; and picking a request's adapters ("model": an
// adapter name, or llama-server's "lora" field). Layer: serve (routes). Loading and
// unloading need the admin key when an admin key or a store is configured (any API key may
// list); unloading is deferred (serve/adapters.h).
#pragma once

#include <httplib.h>

#include <filesystem>
#include <string>

#include "ondo/serve/adapters.h"

namespace ondo::serve {

class ServerState;
struct PreparedRequest;

void handle_adapters_list(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_adapters_load(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_adapters_delete(ServerState& state, const httplib::Request& req, httplib::Response& res);

// Loads `path` onto the served generator `base_alias` as `name` (Server::load_adapter).
Result<AdapterEntry> load_adapter(ServerState& state, const std::string& name, const std::string& base_alias,
                                  const std::filesystem::path& path, float scale);

// A fine-tuned model's id ("ft:<base>:<suffix>:<job id>", jobs/fine_tune.h) names a
// succeeded fine_tune job in the store: its adapter is loaded under that id on first use and
// served like any other. Does nothing when `alias` is no such id, is loaded already, or the
// server has no store. Errors: loading the job's adapter failed (named).
Status load_fine_tuned_adapter(ServerState& state, const std::string& alias);

// The adapters of a prepared request: the adapter its "model" names (when it names one, at
// its default scale), then each "lora" entry in order. Sets p.request.lora and the request
// record's adapter ("name", "name@scale" when the scale is not 1, joined with "+").
// Errors (field "lora[i]..."): an id or name that is not loaded (NotFound), an adapter of
// another model (InvalidArgument).
Status resolve_request_adapters(ServerState& state, PreparedRequest& p);

// What the response cache keys on for a request's adapters: each adapter's file path, size
// and modification time, and its scale, in order ("" for none). Unlike the in-process
// model::lora_set_key it survives restarts, as the cache does.
std::string adapters_cache_identity(const model::LoraSet* set);

// The served name a response shows for p: the adapter named by "model", else the model's alias.
std::string served_name(const ServerState& state, const PreparedRequest& p);

}  // namespace ondo::serve
