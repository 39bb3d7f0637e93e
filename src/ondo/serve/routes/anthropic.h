// The Anthropic Messages API family: POST /v1/messages (a generation, blocking or streamed)
// and POST /v1/messages/count_tokens (the prompt's token count). Layer: serve (internal to
// it). The rows are in route_table.cpp's "Anthropic Messages API" block; docs/api.md
// describes what is supported. Every error on these paths is in Anthropic's shape.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <memory>
#include <string>

#include "ondo/serve/routes/wire.h"

namespace ondo::serve {

class ServerState;

void handle_anthropic_messages(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_anthropic_count_tokens(ServerState& state, const httplib::Request& req, httplib::Response& res);

// The Anthropic wire format for one request: the Message object ("msg_..." with text and
// tool_use content blocks, stop_reason end_turn / max_tokens / stop_sequence / tool_use,
// usage) as the blocking body, or its event stream (message_start, ping, content_block_start /
// _delta (text_delta, input_json_delta) / _stop, message_delta, message_stop; "event: error"
// for a stream cut short). `model` is the alias asked for; `n_prompt` the prompt's tokens
// (message_start's input_tokens, before the prefix cache is known).
std::unique_ptr<WireFormat> anthropic_wire(const std::string& model, int32_t n_prompt);

}  // namespace ondo::serve
