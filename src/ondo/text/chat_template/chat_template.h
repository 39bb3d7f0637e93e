// Chat templates: renders a model's `tokenizer.chat_template` (Jinja) for a conversation
// exactly as Python's jinja2 3.1 does in the environment Hugging Face uses
// (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loop controls, pass-through
// {% generation %}, raise_exception, strftime_now, tojson = json.dumps without ASCII
// escaping). Layer: text; touches nothing above it and does no I/O.
//
// Thread contract: a ChatTemplate is immutable after parse(); render() may run on many
// threads at once. Copies share the parsed tree.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ondo/core/result.h"

namespace ondo::text {

namespace jinja {
struct Program;
}  // namespace jinja

// What a template sees. JSON objects keep their key order (templates print dicts and
// tools in insertion order), hence ordered_json; a plain nlohmann::json converts to it.
struct ChatTemplateInputs {
  nlohmann::ordered_json messages = nlohmann::ordered_json::array();  // role, content, tool_calls...
  nlohmann::ordered_json tools;        // null or an array of OpenAI tool objects; [] counts as null
  bool add_generation_prompt = true;
  std::optional<std::string> bos_token, eos_token;  // absent -> undefined in the template
  nlohmann::ordered_json extra_context;  // more variables (object or null); they override the above
  std::string date_string;             // for strftime_now, "YYYY-MM-DD"; empty -> today
};

// Bounds on one render; exceeding one is a ResourceExhausted error, never a crash or hang.
// Requires: max_depth <= 1024 (each level costs a few stack frames).
struct RenderLimits {
  size_t max_output_bytes = 4 << 20;  // output, and any intermediate string
  uint64_t max_steps = 50'000'000;    // interpreter steps (statements, expressions, copied bytes / 64)
  int max_depth = 256;                // nesting of statements, expressions and macro calls
};

class ChatTemplate {
 public:
  // Parses `source`. Syntax errors are InvalidFile: "chat template 'NAME': line N: ...".
  static Result<ChatTemplate> parse(std::string_view source, std::string name);

  // Renders the template. Errors: InvalidArgument for a template that raises
  // (raise_exception's message, or a Python-style TypeError/UndefinedError message, prefixed
  // with "chat template 'NAME': line N: "), ResourceExhausted when a limit is hit.
  Result<std::string> render(const ChatTemplateInputs& in, const RenderLimits& lim = {}) const;

  const std::string& name() const;
  const std::string& source() const;  // the Jinja text it was parsed from

 private:
  struct Impl;
  explicit ChatTemplate(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

// Built-in templates written for ondo in their models' documented formats: chatml, llama2,
// llama3, mistral, gemma, phi3, zephyr. Nullopt for other names.
std::optional<std::string_view> builtin_chat_template(std::string_view name);
std::vector<std::string_view> builtin_chat_template_names();

}  // namespace ondo::text
