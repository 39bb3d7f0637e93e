// The embeddings family: POST /v1/embeddings (OpenAI shape) and POST /v1/rerank, /rerank
// (Jina / Cohere shape) over encoder models, and the embedding job other API families
// (Ollama's /api/embed) run through the same machinery. Layer: serve (internal to it). The
// rows are in route_table.cpp's "Embeddings and rerank" block; docs/api.md describes them.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/serve/embeddings_api.h"

namespace ondo::serve {

class ServerState;

void handle_embeddings(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_rerank(ServerState& state, const httplib::Request& req, httplib::Response& res);

// The vectors of `inputs` from the served embedding model `model` (an alias), in input order.
struct EmbeddingJob {
  std::string model;
  std::vector<EmbeddingInput> inputs;  // text is tokenized as llama-server does (specials added)
  bool truncate = false;               // cut an input over the context instead of refusing it
  bool normalize = true;               // L2-normalise each vector (false: the pooled vector as is)
  std::optional<int32_t> dimensions;   // 1..width: the first components, normalised again
  // Error paths name input i as "<input_field>[i]", or "<input_field>" alone when `single`.
  std::string input_field = "input";
  bool single = false;
};

struct EmbeddingOutcome {
  std::vector<std::vector<float>> vectors;
  int64_t prompt_tokens = 0;  // tokens evaluated (after truncation)
};

// Empty `inputs`: only the model is checked, and no vectors come back. Otherwise tokenizes
// on the calling (HTTP) thread, checks lengths, submits every input as one request
// to the model's scheduler (batched with the sequences of other waiting requests) and waits,
// bounded by the request timeout. Errors: NotFound / InvalidArgument (field "model": unknown,
// a text generation model, a reranker), InvalidArgument naming the input or "dimensions",
// Unavailable (not running, timed out), and the scheduler's own.
Result<EmbeddingOutcome> run_embedding_job(ServerState& state, EmbeddingJob job);

}  // namespace ondo::serve
