// `ondo template`: renders a chat template for messages and prints the exact bytes on
// stdout. The template comes from a model's GGUF (tokenizer.chat_template, with its BOS/EOS
// token texts), a Jinja file, or a built-in name. Layer: cli.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "ondo/cli/args.h"
#include "ondo/cli/commands.h"
#include "ondo/cli/model_options.h"
#include "ondo/gguf/keys.h"
#include "ondo/gguf/reader.h"
#include "ondo/text/chat_template/chat_template.h"

namespace ondo::cli {
namespace {

using nlohmann::ordered_json;

const CommandSpec& template_spec() {
  static const std::string kDescription = [] {
    std::string d =
        "Renders a chat template for messages exactly as jinja2 does and prints the bytes on stdout.\n"
        "The template comes from a model's GGUF (tokenizer.chat_template, with its BOS/EOS token\n"
        "texts; default: the built-in model), a Jinja file, or a built-in name:";
    for (std::string_view n : text::builtin_chat_template_names()) d += " " + std::string(n);
    return d;
  }();
  static const CommandSpec kSpec = {
      "template",
      "template [-m MODEL | --template FILE | --chat-template NAME] --messages FILE.json [options]",
      kDescription,
      {
          model_option_spec(),
          {"--template", "FILE", "", "a Jinja template file instead of a model's"},
          {"--chat-template", "NAME", "", "a built-in template instead of a model's"},
          {"--messages", "FILE", "", "a JSON array of messages, or an object with \"messages\" (required)"},
          {"--tools", "FILE", "", "a JSON array of OpenAI tool objects"},
          {"--add-generation-prompt", "", "", "end with the assistant turn's opening"},
          {"--bos", "TEXT", "the model's BOS text", "the bos_token the template sees"},
          {"--eos", "TEXT", "the model's EOS text", "the eos_token the template sees"},
          {"--date", "YYYY-MM-DD", "", "the date the template's strftime_now/date_string sees"},
      },
      "ondo template --messages chat.json --add-generation-prompt\n"
      "ondo template --chat-template chatml --messages chat.json",
  };
  return kSpec;
}

Result<std::string> read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return make_error(ErrorCode::NotFound, path + ": cannot open file");
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

Result<ordered_json> read_json(const std::string& path, std::string_view field) {
  ONDO_ASSIGN_OR_RETURN(std::string text, read_text(path));
  ordered_json j = ordered_json::parse(text, nullptr, false);
  if (j.is_discarded()) return make_error(ErrorCode::InvalidArgument, path + ": not valid JSON");
  if (j.is_object() && j.contains(field)) j = j[std::string(field)];
  if (!j.is_array()) {
    return make_error(ErrorCode::InvalidArgument,
                      path + ": expected a JSON array of " + std::string(field));
  }
  return j;
}

// The text of the token whose id is stored under `key`, if any.
std::optional<std::string> token_text(const gguf::GgufFile& f, std::string_view key) {
  const gguf::Value* id = f.find(key);
  const gguf::Value* tokens = f.find(gguf::keys::kTokTokens);
  if (id == nullptr || tokens == nullptr || tokens->type() != gguf::ValueType::Array) return std::nullopt;
  const std::optional<uint64_t> i = id->as_uint();
  if (!i || *i >= tokens->size()) return std::nullopt;
  const std::optional<std::string_view> s = tokens->at(*i).as_string();
  if (!s) return std::nullopt;
  return std::string(*s);
}

struct Source {
  std::string text;
  std::string name;
  std::optional<std::string> bos, eos;
};

Result<Source> load_source(const Args& args) {
  const int given = int(args.has("-m")) + int(args.has("--template")) + int(args.has("--chat-template"));
  if (given > 1) {
    return make_error(ErrorCode::InvalidArgument,
                      "give at most one of -m MODEL, --template FILE, --chat-template NAME");
  }
  Source src;
  if (given == 0 || args.has("-m")) {  // a model's template; the built-in model by default
    ONDO_ASSIGN_OR_RETURN(const std::string model_path, model_path_option(args));
    const std::string* path = &model_path;
    ONDO_ASSIGN_OR_RETURN(std::unique_ptr<gguf::GgufFile> f, gguf::GgufFile::open(*path));
    auto tmpl = f->get_string(gguf::keys::kChatTemplate);
    if (!tmpl.ok()) {
      return make_error(ErrorCode::NotFound, *path + ": no tokenizer.chat_template in the model "
                                                     "(use --chat-template NAME or --template FILE)");
    }
    src.text = std::string(*tmpl);
    src.name = *path;
    src.bos = token_text(*f, gguf::keys::kTokBos);
    src.eos = token_text(*f, gguf::keys::kTokEos);
  } else if (auto file = args.get("--template")) {
    ONDO_ASSIGN_OR_RETURN(src.text, read_text(*file));
    src.name = *file;
  } else {
    const std::string name = *args.get("--chat-template");
    const auto builtin = text::builtin_chat_template(name);
    if (!builtin) {
      std::string names;
      for (std::string_view n : text::builtin_chat_template_names()) names += (names.empty() ? "" : ", ") + std::string(n);
      return make_error(ErrorCode::InvalidArgument,
                        "unknown built-in chat template (seen '" + name + "', expected one of " + names + ")");
    }
    src.text = std::string(*builtin);
    src.name = name;
  }
  if (auto bos = args.get("--bos")) src.bos = *bos;
  if (auto eos = args.get("--eos")) src.eos = *eos;
  return src;
}

}  // namespace

int cmd_template(int argc, char** argv) {
  Args args;
  if (auto done = parse_command(template_spec(), argc, argv, &args)) return *done;
  if (!args.has("--messages")) {
    return report("template", make_error(ErrorCode::InvalidArgument,
                                         "--messages FILE.json is required (see `ondo template --help`)"));
  }
  auto src = load_source(args);
  if (!src.ok()) return report("template", src.error());
  text::ChatTemplateInputs in;
  auto messages = read_json(*args.get("--messages"), "messages");
  if (!messages.ok()) return report("template", messages.error());
  in.messages = std::move(*messages);
  if (auto tools_path = args.get("--tools")) {
    auto tools = read_json(*tools_path, "tools");
    if (!tools.ok()) return report("template", tools.error());
    in.tools = std::move(*tools);
  }
  in.add_generation_prompt = args.has("--add-generation-prompt");
  in.bos_token = src->bos;
  in.eos_token = src->eos;
  in.date_string = args.get("--date").value_or("");
  auto tmpl = text::ChatTemplate::parse(src->text, src->name);
  if (!tmpl.ok()) return report("template", tmpl.error());
  auto out = tmpl->render(in);
  if (!out.ok()) {
    // A template that raises (raise_exception or a type error) is not a usage error: exit 1.
    std::fprintf(stderr, "ondo template: %s\n", out.error().message.c_str());
    return 1;
  }
  std::fwrite(out->data(), 1, out->size(), stdout);
  return 0;
}

}  // namespace ondo::cli
