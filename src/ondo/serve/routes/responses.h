// The OpenAI Responses API family: POST /v1/responses (stateless), and GET / DELETE
// /v1/responses/{id}, which answer that responses are not stored on this server.
// Layer: serve (internal to it). The rows are in route_table.cpp's "OpenAI Responses API"
// block; docs/api.md describes what is supported.
#pragma once

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>

#include "ondo/serve/routes/wire.h"

namespace ondo::serve {

class ServerState;

void handle_create_response(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_get_response(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_delete_response(ServerState& state, const httplib::Request& req, httplib::Response& res);

// The Responses wire format for one request: the Response object ("resp_..." with message and
// function_call output items, status completed or incomplete, usage) as the blocking body, or
// the event stream (response.created ... response.completed / response.incomplete, "event:"
// lines with typed data carrying sequence_number). `echo` holds the request fields the
// object repeats (ResponsesRequest::echo); `model` is the alias asked for. Both the body and
// the stream's last event carry the object built by one builder, the place a store would
// save it.
std::unique_ptr<WireFormat> responses_wire(const std::string& model, const nlohmann::ordered_json& echo);

}  // namespace ondo::serve
