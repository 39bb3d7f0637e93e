// The built-in chat templates: each parses and renders a two-turn conversation (plus a
// system message and content parts where the format defines them) in its documented format.
// Layer: text tests (unit label).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ondo/text/chat_template/chat_template.h"

namespace ondo::text {
namespace {

using nlohmann::ordered_json;

ordered_json two_turns() {
  return ordered_json::parse(R"([
    {"role": "user", "content": "Hi"},
    {"role": "assistant", "content": "Hello!"},
    {"role": "user", "content": "How are you?"}])");
}

std::string render_builtin(std::string_view name, ordered_json messages, bool gen = true) {
  auto src = builtin_chat_template(name);
  if (!src) return "<missing>";
  auto tmpl = ChatTemplate::parse(*src, std::string(name));
  if (!tmpl.ok()) return "<parse error> " + tmpl.error().message;
  ChatTemplateInputs in;
  in.messages = std::move(messages);
  in.add_generation_prompt = gen;
  auto out = tmpl->render(in);
  return out.ok() ? *out : "<render error> " + out.error().message;
}

TEST(BuiltinTemplates, NamesAreListedAndFound) {
  const auto names = builtin_chat_template_names();
  EXPECT_EQ(names.size(), 7u);
  for (std::string_view n : names) EXPECT_TRUE(builtin_chat_template(n).has_value()) << n;
  EXPECT_FALSE(builtin_chat_template("nope").has_value());
}

TEST(BuiltinTemplates, Chatml) {
  EXPECT_EQ(render_builtin("chatml", two_turns()),
            "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n"
            "<|im_start|>user\nHow are you?<|im_end|>\n<|im_start|>assistant\n");
  EXPECT_EQ(render_builtin("chatml", two_turns(), false),
            "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n"
            "<|im_start|>user\nHow are you?<|im_end|>\n");
}

TEST(BuiltinTemplates, Llama2) {
  EXPECT_EQ(render_builtin("llama2", two_turns()),
            "<s>[INST] Hi [/INST] Hello! </s><s>[INST] How are you? [/INST]");
  ordered_json with_system = two_turns();
  with_system.insert(with_system.begin(),
                     ordered_json::object({{"role", "system"}, {"content", "Be brief."}}));
  EXPECT_EQ(render_builtin("llama2", with_system),
            "<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello! </s>"
            "<s>[INST] How are you? [/INST]");
}

TEST(BuiltinTemplates, Llama3) {
  EXPECT_EQ(render_builtin("llama3", two_turns()),
            "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nHow are you?<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n");
}

TEST(BuiltinTemplates, Mistral) {
  EXPECT_EQ(render_builtin("mistral", two_turns()),
            "<s>[INST] Hi [/INST]Hello!</s>[INST] How are you? [/INST]");
}

TEST(BuiltinTemplates, Gemma) {
  EXPECT_EQ(render_builtin("gemma", two_turns()),
            "<bos><start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\nHello!<end_of_turn>\n"
            "<start_of_turn>user\nHow are you?<end_of_turn>\n<start_of_turn>model\n");
}

TEST(BuiltinTemplates, Phi3) {
  EXPECT_EQ(render_builtin("phi3", two_turns()),
            "<|user|>\nHi<|end|>\n<|assistant|>\nHello!<|end|>\n<|user|>\nHow are you?<|end|>\n"
            "<|assistant|>\n");
}

TEST(BuiltinTemplates, Zephyr) {
  EXPECT_EQ(render_builtin("zephyr", two_turns()),
            "<|user|>\nHi</s>\n<|assistant|>\nHello!</s>\n<|user|>\nHow are you?</s>\n"
            "<|assistant|>\n");
}

TEST(BuiltinTemplates, ContentPartsAndNullContent) {
  const ordered_json messages = ordered_json::parse(R"([
    {"role": "user", "content": [{"type": "text", "text": "Look: "}, {"type": "image_url"},
                                 {"type": "text", "text": "a cat"}]},
    {"role": "assistant", "content": null}])");
  EXPECT_EQ(render_builtin("chatml", messages, false),
            "<|im_start|>user\nLook: a cat<|im_end|>\n<|im_start|>assistant\n<|im_end|>\n");
}

}  // namespace
}  // namespace ondo::text
