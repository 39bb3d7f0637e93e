// POST /v1/compare (issue 17.5): one chat request answered by 2 to 4 models side by side (a
// base model, its adapters, fine-tuned model ids), the service's "base versus tuned" screen
// over HTTP. Layer: serve (routes).
//
// Body: chat-completion params (messages, max_tokens, temperature, seed, stop,
// response_format, lora, ...) plus "models": ["<id>", ...] in place of "model". Every row is
// the chat completion that request with "model": <id> would be: parsed and prepared by the
// chat path, then all rows submitted to their schedulers before any is read, so rows on one
// base run in one batch (the base matmul once, each row's adapter delta its own); a row
// equals its solo request bitwise. Without a seed the rows share one drawn seed (the reply
// says which). Answer: {"object": "compare", "id", "created", "seed", "results": [{"model",
// "message": {"role", "content"}, "finish_reason", "usage", "latency_ms"}, ...]} in request
// order. Errors name the field: "models" (missing, not 2 to 4), "models[i]" (not a string,
// not served: 404), "stream", "n", "tools", "logprobs", "prompt", "rag" (not available here),
// or a chat field as /v1/chat/completions names it.
// Thread contract: runs on the HTTP worker thread; waits on RequestHandles only.
#pragma once

#include <httplib.h>

namespace ondo::serve {

class ServerState;

void handle_compare(ServerState& state, const httplib::Request& req, httplib::Response& res);

}  // namespace ondo::serve
