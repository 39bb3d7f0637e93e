// Chat template selection and prompt tokenization. Layer: infer.
#include "ondo/infer/chat/chat_prompt.h"

#include <fstream>
#include <sstream>

#include "ondo/gguf/keys.h"

namespace ondo::infer {
namespace {

// The contents of every message as strings (text parts joined), in order.
void collect_contents(const nlohmann::ordered_json& messages, std::vector<std::string>* out) {
  if (!messages.is_array()) return;
  for (const auto& m : messages) {
    if (!m.is_object() || !m.contains("content")) continue;
    const auto& c = m.at("content");
    if (c.is_string()) {
      out->push_back(c.get<std::string>());
    } else if (c.is_array()) {
      for (const auto& part : c) {
        if (part.is_object() && part.contains("text") && part.at("text").is_string()) {
          out->push_back(part.at("text").get<std::string>());
        }
      }
    }
  }
}

// Byte ranges of `text` holding message contents, found in order (a content a template
// altered beyond recognition is simply not found, and its region stays template text).
std::vector<std::pair<size_t, size_t>> content_ranges(const std::string& text, const std::vector<std::string>& contents) {
  std::vector<std::pair<size_t, size_t>> ranges;
  size_t from = 0;
  for (const std::string& c : contents) {
    if (c.empty()) continue;
    size_t at = text.find(c, from);
    if (at == std::string::npos) continue;
    ranges.emplace_back(at, at + c.size());
    from = at + c.size();
  }
  return ranges;
}

}  // namespace

Result<SelectedTemplate> select_chat_template(const gguf::GgufFile& file, std::string_view choice) {
  struct {
    std::string source, warning;
  } out;
  std::string source_text;
  if (choice.empty()) {
    if (auto t = file.find(gguf::keys::kChatTemplate); t && t->as_string()) {
      source_text = std::string(*t->as_string());
      out.source = "model";
    } else {
      source_text = std::string(*text::builtin_chat_template("chatml"));
      out.source = "builtin:chatml";
      out.warning = file.name() + " has no chat template (tokenizer.chat_template); using chatml";
    }
  } else if (auto b = text::builtin_chat_template(choice)) {
    source_text = std::string(*b);
    out.source = "builtin:" + std::string(choice);
  } else {
    std::ifstream in{std::string(choice), std::ios::binary};
    if (!in) {
      std::string names;
      for (auto n : text::builtin_chat_template_names()) names += (names.empty() ? "" : ", ") + std::string(n);
      return make_error(ErrorCode::NotFound, "chat template '" + std::string(choice) +
                                                 "' is neither a built-in template (" + names + ") nor a readable file");
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    source_text = ss.str();
    out.source = std::string(choice);
  }
  ONDO_ASSIGN_OR_RETURN(text::ChatTemplate tmpl, text::ChatTemplate::parse(source_text, out.source));
  return SelectedTemplate{std::move(tmpl), out.source, out.warning};
}

Result<ChatPrompt> build_chat_prompt(const text::ChatTemplate& tmpl, const text::Tokenizer& tokenizer,
                                     const nlohmann::ordered_json& messages, const nlohmann::ordered_json& tools,
                                     bool add_generation_prompt) {
  text::ChatTemplateInputs in;
  in.messages = messages;
  in.tools = tools;
  in.add_generation_prompt = add_generation_prompt;
  if (tokenizer.bos_id() >= 0) in.bos_token = std::string(tokenizer.token_text(tokenizer.bos_id()));
  if (tokenizer.eos_id() >= 0) in.eos_token = std::string(tokenizer.token_text(tokenizer.eos_id()));
  ChatPrompt out;
  ONDO_ASSIGN_OR_RETURN(out.text, tmpl.render(in));

  std::vector<std::string> contents;
  collect_contents(messages, &contents);
  const auto ranges = content_ranges(out.text, contents);
  text::EncodeOptions opts;
  opts.add_special = true;
  opts.parse_special = true;
  opts.plain_ranges = ranges;
  ONDO_ASSIGN_OR_RETURN(out.tokens, tokenizer.encode(out.text, opts));
  // A template that writes bos_token itself, on a vocabulary that adds BOS: keep one.
  const int32_t bos = tokenizer.bos_id();
  if (bos >= 0 && out.tokens.size() >= 2 && out.tokens[0] == bos && out.tokens[1] == bos) {
    out.tokens.erase(out.tokens.begin());
  }
  return out;
}

}  // namespace ondo::infer
