// The Ollama API family: GET /api/version, /api/tags, /api/ps; POST /api/show,
// /api/generate, /api/chat, /api/embed, /api/embeddings (ollama_embed.cpp). Layer: serve (internal to it). The rows are in route_table.cpp's
// "Ollama API" block; docs/api.md ("Ollama API") describes what is supported.
#pragma once

#include <httplib.h>

#include <chrono>
#include <memory>
#include <string>

#include "ondo/core/result.h"
#include "ondo/serve/routes/wire.h"

namespace ondo::serve {

class ServerState;

void handle_ollama_version(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_ollama_tags(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_ollama_ps(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_ollama_show(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_ollama_generate(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_ollama_chat(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_ollama_embed(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_ollama_embeddings(ServerState& state, const httplib::Request& req, httplib::Response& res);

struct ServedModel;
// The served model an Ollama name means (the alias, with or without ":latest"). Errors as
// lookup_model(): Unavailable (loading, draining), NotFound (field "model").
Result<const ServedModel*> find_ollama_model(const ServerState& state, const std::string& name);

enum class OllamaEndpoint { Generate, Chat };

// Ollama's wire format for one request: one JSON object (blocking), or NDJSON lines
// (application/x-ndjson) of {"model", "created_at", "response" | "message", "done": false}
// ending in a line with done: true, done_reason and the counts and durations (nanoseconds);
// tool calls go out as one message line with tool_calls (arguments as objects) before it.
// Errors are {"error": "..."} (a body, or a last line). `model` is the name the client sent;
// `start` when the request arrived (total_duration counts from it).
std::unique_ptr<WireFormat> ollama_wire(OllamaEndpoint endpoint, const std::string& model,
                                        std::chrono::steady_clock::time_point start);

// The current time as Ollama writes created_at: RFC 3339 UTC with nanoseconds.
std::string ollama_now();

}  // namespace ondo::serve
