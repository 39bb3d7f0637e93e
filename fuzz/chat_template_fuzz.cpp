// libFuzzer target for chat templates: parses arbitrary bytes as a Jinja template and
// renders it with tight limits against a fixed conversation (system, user, assistant tool
// call, tool result, tools). An input holding "\n#json\n" renders instead with the JSON after
// it as the messages. Layer: fuzz (links every ondo layer). A crash, hang, sanitizer report
// or check failure is a bug in text/chat_template/; errors are expected and ignored.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ondo/text/chat_template/chat_template.h"

namespace {

using nlohmann::ordered_json;

const ordered_json& default_messages() {
  static const ordered_json m = ordered_json::parse(R"([
    {"role": "system", "content": "  Be brief.\n"},
    {"role": "user", "content": [{"type": "text", "text": "빵 🍳"}, {"type": "text", "text": "x"}]},
    {"role": "assistant", "content": null, "tool_calls": [{"id": "call0001a", "type": "function",
      "function": {"name": "f", "arguments": {"a": 1, "b": [true, 2.5, null]}}}]},
    {"role": "tool", "tool_call_id": "call0001a", "content": "{\"ok\": 1}"},
    {"role": "user", "content": "Again?"}])");
  return m;
}

const ordered_json& default_tools() {
  static const ordered_json t = ordered_json::parse(R"([{"type": "function", "function": {
    "name": "f", "description": "d", "parameters": {"type": "object",
    "properties": {"a": {"type": "integer"}}, "required": ["a"]}}}])");
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  ondo::text::ChatTemplateInputs in;
  in.messages = default_messages();
  in.tools = default_tools();
  in.bos_token = "<s>";
  in.eos_token = "</s>";
  in.date_string = "2026-01-15";
  in.add_generation_prompt = size % 2 == 0;
  const size_t split = input.find("\n#json\n");
  if (split != std::string_view::npos) {
    ordered_json j = ordered_json::parse(input.substr(split + 7), nullptr, false);
    if (!j.is_discarded()) in.messages = std::move(j);
    input = input.substr(0, split);
  }
  auto tmpl = ondo::text::ChatTemplate::parse(input, "fuzz");
  if (!tmpl.ok()) return 0;
  ondo::text::RenderLimits lim;
  lim.max_output_bytes = 1 << 16;
  lim.max_steps = 200'000;
  lim.max_depth = 64;
  auto out = tmpl->render(in, lim);
  if (out.ok() && out->size() > lim.max_output_bytes) __builtin_trap();
  return 0;
}
