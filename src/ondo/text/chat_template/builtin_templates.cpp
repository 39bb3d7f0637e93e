// Built-in chat templates for models whose GGUF carries none, written for ondo in each
// family's documented prompt format. Content may be a string, a list of text parts or null.
// Layer: text (chat_template).
#include <array>

#include "ondo/text/chat_template/chat_template.h"

namespace ondo::text {
namespace {

// Shared helper, pasted at the top of each template: the text of a message's content.
#define ONDO_CONTENT_MACRO                                                               \
  "{%- macro text(content) -%}\n"                                                        \
  "{%- if content is string -%}{{ content }}\n"                                          \
  "{%- elif content is iterable and content is not mapping -%}\n"                       \
  "{%- for part in content if part is mapping and part.type == 'text' -%}{{ part.text }}" \
  "{%- endfor -%}\n"                                                                     \
  "{%- endif -%}\n"                                                                      \
  "{%- endmacro -%}\n"

constexpr std::string_view kChatml = ONDO_CONTENT_MACRO R"({%- for message in messages -%}
{{ '<|im_start|>' + message.role + '\n' + text(message.content) + '<|im_end|>\n' }}
{%- endfor -%}
{%- if add_generation_prompt -%}{{ '<|im_start|>assistant\n' }}{%- endif -%})";

constexpr std::string_view kLlama2 = ONDO_CONTENT_MACRO R"({%- set ns = namespace(system='') -%}
{%- if messages and messages[0].role == 'system' -%}
{%- set ns.system = '<<SYS>>\n' + text(messages[0].content) + '\n<</SYS>>\n\n' -%}
{%- set messages = messages[1:] -%}
{%- endif -%}
{%- for message in messages -%}
{%- if message.role == 'user' -%}
{{ bos_token | default('<s>') }}[INST] {{ (ns.system if loop.first else '') + text(message.content) | trim }} [/INST]
{%- elif message.role == 'assistant' -%}
{{ ' ' + text(message.content) | trim + ' ' + eos_token | default('</s>') }}
{%- endif -%}
{%- endfor -%})";

constexpr std::string_view kLlama3 = ONDO_CONTENT_MACRO R"({{ bos_token | default('<|begin_of_text|>') }}
{%- for message in messages -%}
{{ '<|start_header_id|>' + message.role + '<|end_header_id|>\n\n' + text(message.content) | trim + '<|eot_id|>' }}
{%- endfor -%}
{%- if add_generation_prompt -%}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{%- endif -%})";

constexpr std::string_view kMistral = ONDO_CONTENT_MACRO R"({%- set ns = namespace(system='') -%}
{%- if messages and messages[0].role == 'system' -%}
{%- set ns.system = text(messages[0].content) + '\n\n' -%}
{%- set messages = messages[1:] -%}
{%- endif -%}
{{ bos_token | default('<s>') }}
{%- for message in messages -%}
{%- if message.role == 'user' -%}
{{ '[INST] ' + (ns.system if loop.first else '') + text(message.content) + ' [/INST]' }}
{%- elif message.role == 'assistant' -%}
{{ text(message.content) + eos_token | default('</s>') }}
{%- endif -%}
{%- endfor -%})";

constexpr std::string_view kGemma = ONDO_CONTENT_MACRO R"({%- set ns = namespace(system='') -%}
{%- if messages and messages[0].role == 'system' -%}
{%- set ns.system = text(messages[0].content) + '\n\n' -%}
{%- set messages = messages[1:] -%}
{%- endif -%}
{{ bos_token | default('<bos>') }}
{%- for message in messages -%}
{%- set role = 'model' if message.role == 'assistant' else message.role -%}
{{ '<start_of_turn>' + role + '\n' + (ns.system if loop.first else '') + text(message.content) | trim + '<end_of_turn>\n' }}
{%- endfor -%}
{%- if add_generation_prompt -%}{{ '<start_of_turn>model\n' }}{%- endif -%})";

constexpr std::string_view kPhi3 = ONDO_CONTENT_MACRO R"({%- for message in messages -%}
{{ '<|' + message.role + '|>\n' + text(message.content) + '<|end|>\n' }}
{%- endfor -%}
{%- if add_generation_prompt -%}{{ '<|assistant|>\n' }}{%- else -%}{{ eos_token | default('') }}{%- endif -%})";

constexpr std::string_view kZephyr = ONDO_CONTENT_MACRO R"({%- for message in messages -%}
{{ '<|' + message.role + '|>\n' + text(message.content) + eos_token | default('</s>') + '\n' }}
{%- endfor -%}
{%- if add_generation_prompt -%}{{ '<|assistant|>\n' }}{%- endif -%})";

#undef ONDO_CONTENT_MACRO

struct Builtin {
  std::string_view name;
  std::string_view source;
};

constexpr std::array<Builtin, 7> kBuiltins = {{
    {"chatml", kChatml},
    {"llama2", kLlama2},
    {"llama3", kLlama3},
    {"mistral", kMistral},
    {"gemma", kGemma},
    {"phi3", kPhi3},
    {"zephyr", kZephyr},
}};

}  // namespace

std::optional<std::string_view> builtin_chat_template(std::string_view name) {
  for (const Builtin& b : kBuiltins) {
    if (b.name == name) return b.source;
  }
  return std::nullopt;
}

std::vector<std::string_view> builtin_chat_template_names() {
  std::vector<std::string_view> out;
  for (const Builtin& b : kBuiltins) out.push_back(b.name);
  return out;
}

}  // namespace ondo::text
