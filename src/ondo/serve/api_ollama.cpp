// Ollama request bodies translated into OpenAI chat / completion requests and validated by
// the OpenAI parsers (api_ollama.h), with Ollama's defaults (stream true, its sampling
// defaults) and the fields ondo cannot honour refused by name; and the embedding bodies
// (/api/embed, /api/embeddings). Layer: serve. Pure functions of the body bytes.
#include "ondo/serve/api_ollama.h"

#include "ondo/serve/api_fields.h"
#include "ondo/serve/json_limits.h"

namespace ondo::serve {
namespace {

using json = nlohmann::ordered_json;
using detail::field_error;
using detail::member;
using detail::seen;

// options keys with the same meaning as the OpenAI request field of the same name.
constexpr const char* kSameOptions[] = {"temperature", "top_k", "top_p", "min_p", "seed", "repeat_penalty",
                                        "repeat_last_n", "presence_penalty", "frequency_penalty", "stop"};

std::string text_of(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

Result<json> parse_object(std::string_view body) {
  JsonBudget budget;
  ONDO_ASSIGN_OR_RETURN(json obj, parse_request_json(body, "", budget));
  if (!obj.is_object()) return make_error(ErrorCode::InvalidArgument, "request body: expected a JSON object (seen " + seen(obj) + ")");
  return obj;
}

Result<std::string> model_name(const json& obj) {
  const json* m = member(obj, "model");
  if (!m) return field_error("model", "missing (expected the name of a served model)");
  if (!m->is_string()) return field_error("model", "expected a string (seen " + seen(*m) + ")");
  if (m->get_ref<const std::string&>().empty()) return field_error("model", "expected the name of a served model (seen \"\")");
  return m->get<std::string>();
}

Result<bool> flag(const json& obj, const char* key, bool fallback) {
  const json* v = member(obj, key);
  if (!v) return fallback;
  if (!v->is_boolean()) return field_error(key, "expected a boolean (seen " + seen(*v) + ")");
  return v->get<bool>();
}

// Fields accepted with no effect here (keep_alive: models stay loaded) and features refused.
Status check_common(const json& obj) {
  if (const json* k = member(obj, "keep_alive"); k && !k->is_string() && !k->is_number()) {
    return field_error("keep_alive", "expected a duration string (\"5m\") or a number of seconds (seen " + seen(*k) + ")");
  }
  if (const json* t = member(obj, "think"); t && *t != false) {
    if (!t->is_boolean() && !t->is_string()) return field_error("think", "expected a boolean or a level (seen " + seen(*t) + ")");
    return field_error("think", "thinking is not supported (the served models have no separate reasoning)", ErrorCode::Unsupported);
  }
  ONDO_ASSIGN_OR_RETURN(bool logprobs, flag(obj, "logprobs", false));
  if (logprobs) return field_error("logprobs", "log probabilities are not supported on the Ollama API (use /v1/chat/completions)", ErrorCode::Unsupported);
  if (const json* t = member(obj, "top_logprobs"); t && *t != 0) {
    return field_error("top_logprobs", "log probabilities are not supported on the Ollama API (use /v1/chat/completions)", ErrorCode::Unsupported);
  }
  return ok_status();
}

// format: "json" -> json_object, a schema object -> json_schema; "" or null: none.
Status translate_format(const json& obj, json& chat, FieldRenames& renames) {
  const json* f = member(obj, "format");
  renames.push_back({"response_format", "format"});
  renames.push_back({"response_format.json_schema.schema", "format"});
  if (!f) return ok_status();
  if (f->is_string()) {
    const std::string& s = f->get_ref<const std::string&>();
    if (s.empty()) return ok_status();
    if (s != "json") return field_error("format", "expected \"json\" or a JSON schema object (seen \"" + s.substr(0, 80) + "\")");
    chat["response_format"] = {{"type", "json_object"}};
    return ok_status();
  }
  if (!f->is_object()) return field_error("format", "expected \"json\" or a JSON schema object (seen " + seen(*f) + ")");
  chat["response_format"] = {{"type", "json_schema"}, {"json_schema", {{"name", "format"}, {"schema", *f}}}};
  return ok_status();
}

// options: sampling fields (with Ollama's defaults), num_predict -> max_tokens, num_ctx checked
// and otherwise ignored, unknown keys ignored as Ollama does.
Status translate_options(const json& obj, json& chat, FieldRenames& renames) {
  chat["temperature"] = kOllamaTemperature;
  chat["top_k"] = kOllamaTopK;
  chat["top_p"] = kOllamaTopP;
  chat["repeat_penalty"] = kOllamaRepeatPenalty;
  chat["repeat_last_n"] = kOllamaRepeatLastN;
  for (const char* key : kSameOptions) renames.push_back({key, std::string("options.") + key});
  renames.push_back({"max_tokens", "options.num_predict"});
  const json* opts = member(obj, "options");
  if (!opts) return ok_status();
  if (!opts->is_object()) return field_error("options", "expected an object (seen " + seen(*opts) + ")");
  for (const char* key : kSameOptions) {
    if (const json* v = member(*opts, key)) chat[key] = *v;
  }
  if (const json* n = member(*opts, "num_predict")) {
    ONDO_ASSIGN_OR_RETURN(int64_t np, json_to_int(*n, -2, kMaxTokensLimit, "options.num_predict"));
    if (np == 0) return field_error("options.num_predict", "expected at least 1, or -1 / -2 for no limit (seen 0)");
    if (np > 0) chat["max_tokens"] = np;  // -1 (no limit) and -2 (fill the context): up to the context
  }
  if (const json* c = member(*opts, "num_ctx")) {
    ONDO_ASSIGN_OR_RETURN(int64_t unused, json_to_int(*c, 1, int64_t(1) << 24, "options.num_ctx"));
    (void)unused;  // the server's --ctx applies (docs/api.md)
  }
  return ok_status();
}

// The shared part of both endpoints: model, stream, format, options, lora, checks.
Result<json> chat_base(const json& obj, OllamaRequest& r) {
  ONDO_ASSIGN_OR_RETURN(r.model, model_name(obj));
  ONDO_ASSIGN_OR_RETURN(r.stream, flag(obj, "stream", true));
  ONDO_TRY(check_common(obj));
  json chat = json::object();
  chat["model"] = r.model;
  chat["stream"] = r.stream;
  ONDO_TRY(translate_format(obj, chat, r.renames));
  ONDO_TRY(translate_options(obj, chat, r.renames));
  if (const json* lora = member(obj, "lora")) chat["lora"] = *lora;  // llama-server's, as chat completions take it
  return chat;
}

Status refuse_images(const json& holder, const std::string& path) {
  const json* im = member(holder, "images");
  if (!im) return ok_status();
  if (!im->is_array()) return field_error(path, "expected an array of base64 images (seen " + seen(*im) + ")");
  if (!im->empty()) return field_error(path, "images are not supported (the served models read text only)", ErrorCode::Unsupported);
  return ok_status();
}

// One Ollama message as an OpenAI chat message: tool calls get their "type", tool_name its
// OpenAI spelling "name", images are refused, thinking is dropped.
Result<json> translate_message(const json& m, const std::string& path) {
  if (!m.is_object()) return m;  // the chat parser names the wrong type
  ONDO_TRY(refuse_images(m, path + ".images"));
  json out = m;
  out.erase("images");
  out.erase("thinking");
  if (const json* tn = member(m, "tool_name")) {
    if (!tn->is_string()) return field_error(path + ".tool_name", "expected a string (seen " + seen(*tn) + ")");
    if (!out.contains("name")) out["name"] = *tn;
  }
  if (auto calls = out.find("tool_calls"); calls != out.end() && calls->is_array()) {
    for (json& c : *calls) {
      if (c.is_object() && !c.contains("type")) c["type"] = "function";
    }
  }
  return out;
}

Result<json> translate_messages(const json& obj, bool& empty) {
  const json* msgs = member(obj, "messages");
  json out = json::array();
  empty = !msgs || (msgs->is_array() && msgs->empty());
  if (empty) return out;
  if (!msgs->is_array()) return field_error("messages", "expected an array of messages (seen " + seen(*msgs) + ")");
  for (size_t i = 0; i < msgs->size(); ++i) {
    ONDO_ASSIGN_OR_RETURN(json m, translate_message((*msgs)[i], "messages[" + std::to_string(i) + "]"));
    out.push_back(std::move(m));
  }
  return out;
}

Result<std::string> optional_string(const json& obj, const char* key) {
  const json* v = member(obj, key);
  if (!v) return std::string();
  if (!v->is_string()) return field_error(key, "expected a string (seen " + seen(*v) + ")");
  return v->get<std::string>();
}

// generate's fields that ondo refuses or accepts without effect.
Status check_generate_extras(const json& obj) {
  ONDO_ASSIGN_OR_RETURN(std::string suffix, optional_string(obj, "suffix"));
  if (!suffix.empty()) {
    return field_error("suffix", "fill-in-the-middle is not supported (send the text before the gap as prompt, without suffix)",
                       ErrorCode::Unsupported);
  }
  ONDO_ASSIGN_OR_RETURN(std::string tmpl, optional_string(obj, "template"));
  if (!tmpl.empty()) {
    return field_error("template", "Go prompt templates are not supported (the model's chat template applies; send raw: true "
                                   "with a fully formatted prompt instead)", ErrorCode::Unsupported);
  }
  ONDO_TRY(refuse_images(obj, "images"));
  if (const json* c = member(obj, "context")) {  // accepted and ignored: no conversation state is kept
    if (!c->is_array()) return field_error("context", "expected an array of token ids (seen " + seen(*c) + ")");
    for (size_t i = 0; i < c->size(); ++i) {
      if (!(*c)[i].is_number_integer()) {
        return field_error("context[" + std::to_string(i) + "]", "expected a token id (seen " + seen((*c)[i]) + ")");
      }
    }
  }
  return ok_status();
}

// The fields both embedding routes share: model, truncate, options (no key is read: an
// encoder has no sampling), keep_alive (accepted, ignored).
Result<OllamaEmbedRequest> embed_base(const json& obj) {
  OllamaEmbedRequest r;
  ONDO_ASSIGN_OR_RETURN(r.model, model_name(obj));
  ONDO_ASSIGN_OR_RETURN(r.truncate, flag(obj, "truncate", true));
  if (const json* o = member(obj, "options"); o && !o->is_object()) {
    return field_error("options", "expected an object (seen " + seen(*o) + ")");
  }
  if (const json* k = member(obj, "keep_alive"); k && !k->is_string() && !k->is_number()) {
    return field_error("keep_alive", "expected a duration string (\"5m\") or a number of seconds (seen " + seen(*k) + ")");
  }
  return r;
}

EmbeddingInput text_input(std::string text) { return {false, std::move(text), {}}; }

}  // namespace

Result<OllamaRequest> parse_ollama_chat(std::string_view body) {
  ONDO_ASSIGN_OR_RETURN(json obj, parse_object(body));
  OllamaRequest r;
  ONDO_ASSIGN_OR_RETURN(json chat, chat_base(obj, r));
  ONDO_ASSIGN_OR_RETURN(chat["messages"], translate_messages(obj, r.load_only));
  if (r.load_only) return r;
  if (const json* tools = member(obj, "tools")) chat["tools"] = *tools;
  // ondo extensions (Ollama has neither): OpenAI's tool_choice and parallel_tool_calls.
  for (const char* key : {"tool_choice", "parallel_tool_calls"}) {
    if (const json* v = member(obj, key)) chat[key] = *v;
  }
  auto parsed = parse_chat_request(text_of(chat));
  if (!parsed.ok()) return rename_chat_error(r.renames, parsed.error());
  r.chat = std::move(*parsed);
  return r;
}

Result<OllamaRequest> parse_ollama_generate(std::string_view body) {
  ONDO_ASSIGN_OR_RETURN(json obj, parse_object(body));
  OllamaRequest r;
  ONDO_ASSIGN_OR_RETURN(json chat, chat_base(obj, r));
  ONDO_TRY(check_generate_extras(obj));
  ONDO_ASSIGN_OR_RETURN(std::string prompt, optional_string(obj, "prompt"));
  ONDO_ASSIGN_OR_RETURN(std::string system, optional_string(obj, "system"));
  ONDO_ASSIGN_OR_RETURN(r.raw, flag(obj, "raw", false));
  r.load_only = prompt.empty() && system.empty();
  if (r.load_only) return r;
  if (r.raw) {  // the prompt as is: no template, no system message (as Ollama's raw mode)
    chat["prompt"] = prompt;
    r.renames.push_back({"prompt", "prompt"});
    auto parsed = parse_completion_request(text_of(chat));
    if (!parsed.ok()) return rename_chat_error(r.renames, parsed.error());
    r.completion = std::move(*parsed);
    return r;
  }
  json messages = json::array();
  if (!system.empty()) messages.push_back({{"role", "system"}, {"content", system}});
  messages.push_back({{"role", "user"}, {"content", prompt}});
  chat["messages"] = std::move(messages);
  r.renames.push_back({"messages", "prompt"});
  auto parsed = parse_chat_request(text_of(chat));
  if (!parsed.ok()) return rename_chat_error(r.renames, parsed.error());
  r.chat = std::move(*parsed);
  return r;
}

Result<OllamaShowRequest> parse_ollama_show(std::string_view body) {
  ONDO_ASSIGN_OR_RETURN(json obj, parse_object(body));
  OllamaShowRequest r;
  json named = obj;
  if (!member(obj, "model") && member(obj, "name")) named["model"] = obj["name"];  // the older spelling
  ONDO_ASSIGN_OR_RETURN(r.model, model_name(named));
  ONDO_ASSIGN_OR_RETURN(r.verbose, flag(obj, "verbose", false));
  return r;
}


Result<OllamaEmbedRequest> parse_ollama_embed(std::string_view body) {
  ONDO_ASSIGN_OR_RETURN(json obj, parse_object(body));
  ONDO_ASSIGN_OR_RETURN(OllamaEmbedRequest r, embed_base(obj));
  if (const json* in = member(obj, "input")) {
    if (in->is_string()) {
      if (!in->get_ref<const std::string&>().empty()) r.inputs.push_back(text_input(in->get<std::string>()));
    } else if (in->is_array()) {
      if (in->size() > kMaxEmbeddingInputs) {
        return field_error("input", std::to_string(in->size()) + " inputs are too many (at most " +
                                        std::to_string(kMaxEmbeddingInputs) + " per request)");
      }
      for (size_t i = 0; i < in->size(); ++i) {
        const json& v = (*in)[i];
        if (!v.is_string()) return field_error("input[" + std::to_string(i) + "]", "expected a string (seen " + seen(v) + ")");
        r.inputs.push_back(text_input(v.get<std::string>()));
      }
    } else {
      return field_error("input", "expected a string or an array of strings (seen " + seen(*in) + ")");
    }
  }
  if (const json* d = member(obj, "dimensions")) {
    ONDO_ASSIGN_OR_RETURN(int64_t n, json_to_int(*d, 0, int64_t(1) << 24, "dimensions"));
    if (n > 0) r.dimensions = int32_t(n);  // 0: the model's width, as Ollama reads it
  }
  return r;
}

Result<OllamaEmbedRequest> parse_ollama_embeddings(std::string_view body) {
  ONDO_ASSIGN_OR_RETURN(json obj, parse_object(body));
  ONDO_ASSIGN_OR_RETURN(OllamaEmbedRequest r, embed_base(obj));
  if (const json* p = member(obj, "prompt")) {
    if (!p->is_string()) return field_error("prompt", "expected a string (seen " + seen(*p) + ")");
    if (!p->get_ref<const std::string&>().empty()) r.inputs.push_back(text_input(p->get<std::string>()));
  }
  return r;
}

}  // namespace ondo::serve
