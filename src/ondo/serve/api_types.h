// OpenAI request bodies as typed structs, parsed and validated from JSON. Layer: serve.
// Every validation error is InvalidArgument (or Unsupported) whose Error::field is the JSON
// field path at fault ("messages[1].content"), which becomes the error's "param"; its message
// starts with that path ("messages[1].content: expected a string or an array (seen number)").
// Never throws on any input bytes.
// Checks that need the model (vocabulary size, context length) happen in the routes.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/infer/sampler/sampler.h"
#include "ondo/infer/tools/tool_calls.h"

namespace ondo::serve {

// A constraint on the output text: response_format (json_object, json_schema) or grammar
// (GBNF). Compiled in the routes, where a schema ondo cannot enforce exactly is refused.
struct OutputConstraint {
  enum class Kind { None, JsonObject, JsonSchema, Gbnf };
  Kind kind = Kind::None;
  nlohmann::ordered_json schema;  // JsonSchema, key order kept
  std::string gbnf;               // Gbnf
  std::string param;              // the request field it came from, for errors
};

// Fields shared by /v1/chat/completions and /v1/completions.
// One entry of llama-server's "lora" field: an adapter by id or by name, with a scale
// (absent: the adapter's default scale).
struct LoraChoice {
  int64_t id = -1;    // >= 0 when picked by id
  std::string name;   // non-empty when picked by name
  std::optional<float> scale;
};

struct GenerationFields {
  std::string model;
  bool stream = false;
  bool include_usage = false;          // stream_options.include_usage
  std::optional<int32_t> max_tokens;   // max_tokens / max_completion_tokens; absent: up to n_ctx
  std::vector<std::string> stop;       // up to 4, each non-empty
  infer::SamplerParams sampling;       // OpenAI defaults: temperature 1, top_p 1, top_k/min_p off
  bool seed_given = false;
  int32_t n_logprobs = -1;             // -1: none; 0..20 alternatives per token
  bool ignore_eos = false;             // extension
  int32_t n = 1;                       // choices per prompt (1..kMaxChoices)
  OutputConstraint constraint;         // response_format / grammar
  std::string guardrails;              // extension: a guardrail policy applied as well ("": none)
  bool cache = true;                   // extension "cache": false skips the response cache
  std::vector<LoraChoice> lora;        // llama-server's "lora": adapters for this request
};

enum class ToolChoice { Auto, None, Required, Named };

struct ChatRequest {
  GenerationFields gen;
  nlohmann::ordered_json messages;  // validated: [{role, content: string}], content parts joined
  nlohmann::ordered_json tools;     // null or an array (key order kept for the template)
  std::vector<infer::tools::ToolSpec> tool_specs;  // tools[i].function name and parameters
  ToolChoice tool_choice = ToolChoice::Auto;       // Auto when tools are given
  std::string tool_choice_name;                     // Named: one of tool_specs
  bool parallel_tool_calls = true;
};

struct CompletionRequest {
  GenerationFields gen;
  bool prompt_is_tokens = false;
  std::string prompt_text;
  std::vector<int32_t> prompt_tokens;  // ids are range-checked against the vocabulary later
  // Prompts 2.. of a batch (`prompt` as an array of strings or of token arrays), of the same
  // kind as the first (texts when !prompt_is_tokens, else token ids).
  std::vector<std::string> more_prompt_texts;
  std::vector<std::vector<int32_t>> more_prompt_tokens;
};

// Largest accepted request values.
constexpr int32_t kMaxTokensLimit = 1 << 24;
constexpr int32_t kMaxStopStrings = 4;
constexpr int32_t kMaxLogprobs = 20;
constexpr size_t kMaxLogitBias = 1024;
constexpr size_t kMaxTools = 128;
constexpr int32_t kMaxChoices = 16;  // n, and prompts x n on /v1/completions

Result<ChatRequest> parse_chat_request(std::string_view body);
Result<CompletionRequest> parse_completion_request(std::string_view body);

}  // namespace ondo::serve
