// Chat prompts: choosing a model's chat template and turning OpenAI-style messages into
// prompt tokens. Layer: infer (uses text's templates and tokenizer).
// Only the template's own scaffolding may become special tokens: control-token text inside
// message contents stays plain text (no prompt injection through "<|im_end|>").
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/gguf/reader.h"
#include "ondo/text/chat_template/chat_template.h"
#include "ondo/text/tokenizer.h"

namespace ondo::infer {

struct SelectedTemplate {
  text::ChatTemplate tmpl;
  std::string source;   // "model", "builtin:<name>", or the file path
  std::string warning;  // non-empty when falling back (the model has no template)
};

// `choice` empty: the model's tokenizer.chat_template, else chatml with a warning;
// otherwise a built-in template name (chatml, llama2, llama3, ...) or a template file path.
Result<SelectedTemplate> select_chat_template(const gguf::GgufFile& file, std::string_view choice);

struct ChatPrompt {
  std::string text;             // the rendered prompt
  std::vector<int32_t> tokens;  // with BOS as the vocabulary wants it, never doubled
};

// Renders `messages` (and `tools`, null or an array) and tokenizes the result.
Result<ChatPrompt> build_chat_prompt(const text::ChatTemplate& tmpl, const text::Tokenizer& tokenizer,
                                     const nlohmann::ordered_json& messages, const nlohmann::ordered_json& tools,
                                     bool add_generation_prompt);

}  // namespace ondo::infer
