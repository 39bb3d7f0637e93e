// Request bodies and response bodies of the embeddings family: POST /v1/embeddings (OpenAI
// shape) and POST /v1/rerank, /rerank (Jina / Cohere shape). Parsing validates everything
// that does not need the model and names the JSON field at fault; the response builders are
// pure. Layer: serve. Never throws on any body bytes. docs/api.md "Embeddings and rerank".
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ondo/core/result.h"

namespace ondo::serve {

constexpr size_t kMaxEmbeddingInputs = 2048;  // inputs per request (OpenAI's limit)
constexpr size_t kMaxRerankDocuments = 1024;

// One input of an embeddings request: text, or token ids given by the client.
struct EmbeddingInput {
  bool is_tokens = false;
  std::string text;
  std::vector<int32_t> tokens;  // range-checked against the vocabulary in the route
};

struct EmbeddingsRequest {
  std::string model;
  std::vector<EmbeddingInput> inputs;  // non-empty, in request order
  bool base64 = false;                 // encoding_format "base64" (default "float")
  std::optional<int32_t> dimensions;   // >= 1; checked against the model in the route
  bool truncate = false;               // extension: cut inputs longer than the context
};

struct RerankRequest {
  std::string model;
  std::string query;
  std::vector<std::string> documents;  // non-empty; strings or {"text": ...} objects
  std::optional<int32_t> top_n;        // >= 1
  bool return_documents = false;
  bool truncate = false;               // extension: cut pairs longer than the context
};

// Errors: InvalidArgument whose field is the path at fault ("input[2]", "encoding_format").
Result<EmbeddingsRequest> parse_embeddings_request(std::string_view body);
Result<RerankRequest> parse_rerank_request(std::string_view body);

// Standard base64 (RFC 4648, with padding) of the little-endian float32 bytes of `v`, as
// OpenAI's encoding_format "base64" returns vectors.
std::string base64_floats(std::span<const float> v);

// Matryoshka truncation: the first `dimensions` components, L2-normalised again.
// Requires: 1 <= dimensions <= v.size().
std::vector<float> truncate_dimensions(std::span<const float> v, int32_t dimensions);

// {"object":"list","data":[{"object":"embedding","index":i,"embedding":...}],"model":...,
// "usage":{"prompt_tokens":n,"total_tokens":n}}.
nlohmann::ordered_json embeddings_response(const std::string& model, const std::vector<std::vector<float>>& vectors,
                                           bool base64, int64_t prompt_tokens);

// {"object":"list","model":...,"results":[{"index","relevance_score"[,"document":{"text"}]}],
// "usage":{...}}: results by score, highest first (ties: lower index first), the first top_n.
nlohmann::ordered_json rerank_response(const RerankRequest& request, std::span<const float> scores,
                                       int64_t prompt_tokens);

}  // namespace ondo::serve
