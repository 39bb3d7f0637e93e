// The embeddings family: POST /v1/embeddings (OpenAI shape) and POST /v1/rerank, /rerank
// (Jina / Cohere shape) over encoder models. Layer: serve (internal to it). The rows are in
// route_table.cpp's "Embeddings and rerank" block; docs/api.md describes them.
#pragma once

#include <httplib.h>

namespace ondo::serve {

class ServerState;

void handle_embeddings(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_rerank(ServerState& state, const httplib::Request& req, httplib::Response& res);

}  // namespace ondo::serve
