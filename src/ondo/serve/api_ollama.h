// Ollama API request bodies (POST /api/generate, /api/chat, /api/show), validated and
// translated into the OpenAI requests the other routes prepare (api_types.h): messages and
// tools keep their shape (tool-call arguments as objects), `format` becomes response_format
// ("json" -> json_object, a schema -> json_schema, the same fail-closed schema engine),
// `options` become sampling fields (num_predict -> max_tokens), a generate prompt becomes a
// user message under the model's chat template, or raw text with `raw`. The OpenAI parser then
// validates what both APIs share; its errors are renamed back to Ollama's field paths
// ("temperature" -> "options.temperature"). Layer: serve. Pure functions of the body bytes;
// never throw. What Ollama has and ondo refuses or ignores is listed in docs/api.md
// ("Ollama API").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/serve/api_types.h"
#include "ondo/serve/embeddings_api.h"
#include "ondo/serve/responses_request.h"

namespace ondo::serve {

// Ollama's sampling defaults, used where `options` does not set a value (Ollama's runner
// defaults: temperature 0.8, top_k 40, top_p 0.9, repeat_penalty 1.1 over the last 64 tokens).
inline constexpr double kOllamaTemperature = 0.8;
inline constexpr int kOllamaTopK = 40;
inline constexpr double kOllamaTopP = 0.9;
inline constexpr double kOllamaRepeatPenalty = 1.1;
inline constexpr int kOllamaRepeatLastN = 64;

struct OllamaRequest {
  std::string model;       // as the client named it (responses echo it)
  bool stream = true;      // Ollama streams unless told not to
  bool load_only = false;  // no prompt (generate) or no messages (chat): Ollama's "load the model"
  bool raw = false;        // generate with raw: true: `completion` holds the prompt text as is
  ChatRequest chat;              // generate (not raw) and chat
  CompletionRequest completion;  // generate with raw
  FieldRenames renames;          // OpenAI field paths -> Ollama's, for errors found later
};

// Errors: InvalidArgument or Unsupported whose field is the Ollama path at fault.
Result<OllamaRequest> parse_ollama_generate(std::string_view body);
Result<OllamaRequest> parse_ollama_chat(std::string_view body);

struct OllamaShowRequest {
  std::string model;  // "model", or the older "name"
  bool verbose = false;
};
Result<OllamaShowRequest> parse_ollama_show(std::string_view body);

// POST /api/embed ({"model", "input": string | [string], "truncate", "dimensions", "options",
// "keep_alive"}) and the older POST /api/embeddings ({"model", "prompt", ...}), parsed in
// api_ollama_embed.cpp. Errors: InvalidArgument whose field is the Ollama path at fault.
struct OllamaEmbedRequest {
  std::string model;
  std::vector<EmbeddingInput> inputs;  // text only; empty: Ollama's "load the model" call
  bool truncate = true;                // Ollama's default: cut to the context
  std::optional<int32_t> dimensions;   // absent or 0: the model's width
};
Result<OllamaEmbedRequest> parse_ollama_embed(std::string_view body);
// /api/embeddings: `prompt` becomes the one input (none when absent or ""); `truncate` is an
// ondo extension there (default true, as /api/embed); `dimensions` is not read.
Result<OllamaEmbedRequest> parse_ollama_embeddings(std::string_view body);

// The served alias an Ollama model name means: the name itself, or without the ":latest" tag
// Ollama clients add. `served` answers whether an alias exists.
template <typename Served>
std::string ollama_alias(const std::string& name, const Served& served) {
  if (served(name)) return name;
  constexpr std::string_view kLatest = ":latest";
  if (name.size() > kLatest.size() && name.compare(name.size() - kLatest.size(), kLatest.size(), kLatest) == 0) {
    std::string bare = name.substr(0, name.size() - kLatest.size());
    if (served(bare)) return bare;
  }
  return name;
}

}  // namespace ondo::serve
