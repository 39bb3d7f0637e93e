// Anthropic Messages API request bodies translated into the chat-completions shape and
// validated by the chat parser (anthropic_request.h), with the fields this server cannot
// honour refused by name. Layer: serve. Pure functions of the body bytes.
#include "ondo/serve/anthropic_request.h"

#include <cmath>

#include "ondo/serve/api_fields.h"
#include "ondo/serve/json_limits.h"

namespace ondo::serve {
namespace {

using json = nlohmann::ordered_json;
using detail::field_error;
using detail::member;
using detail::seen;

// Fields given under the chat name with the same meaning: Anthropic's own (model, stream,
// temperature, top_p, top_k), ondo's sampling extensions and llama-server's "lora".
constexpr const char* kSameFields[] = {"model",          "stream",        "temperature",      "top_p",
                                       "top_k",          "seed",          "min_p",            "repeat_penalty",
                                       "repeat_last_n",  "presence_penalty", "frequency_penalty", "ignore_eos", "cache",
                                       "lora"};

// Fields for features this server does not have; given (not null), they are refused.
struct Refused {
  const char* field;
  const char* why;
};
constexpr Refused kRefused[] = {
    {"container", "containers are not supported (this server runs no code-execution tools)"},
    {"mcp_servers", "MCP servers are not supported (declare the tools in tools and run them in the client)"},
    {"context_management", "context management is not supported (send the conversation as it should be read)"},
};

Status check_max_tokens(const json& obj, AnthropicCall call) {
  const json* mt = member(obj, "max_tokens");
  if (!mt && call == AnthropicCall::Messages) return field_error("max_tokens", "missing (expected a positive integer)");
  if (mt && !mt->is_number()) return field_error("max_tokens", "expected an integer (seen " + seen(*mt) + ")");
  return ok_status();
}

// Anthropic's ranges, narrower than chat's (temperature 0..1).
Status check_sampling(const json& obj) {
  if (const json* t = member(obj, "temperature"); t && t->is_number()) {
    const double x = t->get<double>();
    if (!std::isfinite(x) || x < 0.0 || x > 1.0) {
      return field_error("temperature", "out of range (seen " + t->dump() + ", expected 0 to 1)");
    }
  }
  return ok_status();
}

Status check_refused(const json& obj) {
  for (const Refused& r : kRefused) {
    if (member(obj, r.field)) return field_error(r.field, r.why, ErrorCode::Unsupported);
  }
  if (const json* t = member(obj, "thinking")) {
    const json* type = t->is_object() ? member(*t, "type") : nullptr;
    if (!type) return field_error("thinking.type", "missing (expected disabled)");
    if (*type != "disabled") {
      return field_error("thinking.type", "extended thinking is not supported (expected disabled)", ErrorCode::Unsupported);
    }
  }
  if (const json* m = member(obj, "metadata")) {
    if (!m->is_object()) return field_error("metadata", "expected an object (seen " + seen(*m) + ")");
    if (const json* u = member(*m, "user_id"); u && !u->is_string()) {
      return field_error("metadata.user_id", "expected a string (seen " + seen(*u) + ")");
    }
  }
  if (const json* s = member(obj, "service_tier"); s && !s->is_string()) {
    return field_error("service_tier", "expected a string (seen " + seen(*s) + ")");
  }
  return ok_status();
}

Result<std::vector<std::string>> stop_sequences(const json& obj) {
  std::vector<std::string> out;
  const json* v = member(obj, "stop_sequences");
  if (!v) return out;
  if (!v->is_array()) return field_error("stop_sequences", "expected an array of strings (seen " + seen(*v) + ")");
  if (v->size() > kMaxStopSequences) {
    return field_error("stop_sequences", "too many stop sequences (seen " + std::to_string(v->size()) +
                                             ", expected at most " + std::to_string(kMaxStopSequences) + ")");
  }
  for (size_t i = 0; i < v->size(); ++i) {
    const json& s = (*v)[i];
    const std::string path = "stop_sequences[" + std::to_string(i) + "]";
    if (!s.is_string()) return field_error(path, "expected a string (seen " + seen(s) + ")");
    if (s.get_ref<const std::string&>().empty()) return field_error(path, "expected a non-empty string");
    out.push_back(s.get<std::string>());
  }
  return out;
}

// tools: {name, description, input_schema} as chat's {"type": "function", "function": {...}}.
Status translate_tools(const json& obj, json& chat, FieldRenames& renames) {
  const json* tools = member(obj, "tools");
  if (!tools) return ok_status();
  if (!tools->is_array()) {
    chat["tools"] = *tools;  // the chat parser names the wrong type
    return ok_status();
  }
  json out = json::array();
  for (size_t i = 0; i < tools->size(); ++i) {
    const json& t = (*tools)[i];
    const std::string path = "tools[" + std::to_string(i) + "]";
    if (!t.is_object()) return field_error(path, "expected an object (seen " + seen(t) + ")");
    if (const json* type = member(t, "type"); type && *type != "custom") {
      const std::string name = type->is_string() ? type->get<std::string>().substr(0, 80) : seen(*type);
      return field_error(path + ".type", "'" + name + "' tools are not supported (this server runs no server tools; "
                                                      "expected custom tools with name and input_schema)",
                         ErrorCode::Unsupported);
    }
    const json* schema = member(t, "input_schema");
    if (!schema) return field_error(path + ".input_schema", "missing (expected a JSON Schema object)");
    json fn = json::object();
    if (auto it = t.find("name"); it != t.end()) fn["name"] = *it;
    if (auto it = t.find("description"); it != t.end()) fn["description"] = *it;
    fn["parameters"] = *schema;
    out.push_back({{"type", "function"}, {"function", std::move(fn)}});
    renames.push_back({path + ".function", path});
    renames.push_back({path + ".function.parameters", path + ".input_schema"});
  }
  chat["tools"] = std::move(out);
  return ok_status();
}

// tool_choice: auto / any / tool / none as chat's auto / required / named / none;
// disable_parallel_tool_use as parallel_tool_calls: false.
Status translate_tool_choice(const json& obj, json& chat, FieldRenames& renames) {
  const json* tc = member(obj, "tool_choice");
  if (!tc) return ok_status();
  if (!tc->is_object()) return field_error("tool_choice", "expected an object with a type (seen " + seen(*tc) + ")");
  const json* type = member(*tc, "type");
  if (!type) return field_error("tool_choice.type", "missing (expected auto, any, tool or none)");
  if (!type->is_string()) return field_error("tool_choice.type", "expected a string (seen " + seen(*type) + ")");
  const std::string t = type->get<std::string>();
  if (t == "auto") chat["tool_choice"] = "auto";
  else if (t == "any") chat["tool_choice"] = "required";
  else if (t == "none") chat["tool_choice"] = "none";
  else if (t == "tool") {
    const json* name = member(*tc, "name");
    if (!name) return field_error("tool_choice.name", "missing (expected the name of one of the tools)");
    chat["tool_choice"] = {{"type", "function"}, {"function", {{"name", *name}}}};
    renames.push_back({"tool_choice.function.name", "tool_choice.name"});
  } else {
    return field_error("tool_choice.type", "unknown value '" + t.substr(0, 80) + "' (expected auto, any, tool or none)");
  }
  if (const json* d = member(*tc, "disable_parallel_tool_use")) {
    if (!d->is_boolean()) {
      return field_error("tool_choice.disable_parallel_tool_use", "expected a boolean (seen " + seen(*d) + ")");
    }
    chat["parallel_tool_calls"] = !d->get<bool>();
  }
  return ok_status();
}

Result<json> chat_shape(const json& obj, AnthropicCall call, FieldRenames& renames) {
  json chat = json::object();
  for (const char* key : kSameFields) {
    if (auto it = obj.find(key); it != obj.end()) chat[key] = *it;
  }
  if (call == AnthropicCall::CountTokens) chat.erase("stream");
  ONDO_ASSIGN_OR_RETURN(chat["messages"], detail::anthropic_messages(obj, renames));
  ONDO_TRY(translate_tools(obj, chat, renames));
  ONDO_TRY(translate_tool_choice(obj, chat, renames));
  if (const json* mt = member(obj, "max_tokens"); mt && call == AnthropicCall::Messages) chat["max_tokens"] = *mt;
  return chat;
}

}  // namespace

Result<AnthropicRequest> parse_anthropic_request(std::string_view body, AnthropicCall call) {
  JsonBudget budget;
  ONDO_ASSIGN_OR_RETURN(json obj, parse_request_json(body, "", budget));
  if (!obj.is_object()) {
    return make_error(ErrorCode::InvalidArgument, "request body: expected a JSON object (seen " + seen(obj) + ")");
  }
  if (!member(obj, "model")) return field_error("model", "missing (expected the name of a served model)");
  ONDO_TRY(check_max_tokens(obj, call));
  ONDO_TRY(check_sampling(obj));
  ONDO_TRY(check_refused(obj));
  ONDO_ASSIGN_OR_RETURN(std::vector<std::string> stops, stop_sequences(obj));
  AnthropicRequest r;
  ONDO_ASSIGN_OR_RETURN(json chat, chat_shape(obj, call, r.renames));
  auto parsed = parse_chat_request(chat.dump(-1, ' ', false, json::error_handler_t::replace));
  if (!parsed.ok()) return rename_chat_error(r.renames, parsed.error());
  r.chat = std::move(*parsed);
  r.chat.gen.stop = std::move(stops);
  return r;
}

}  // namespace ondo::serve
