// Responses API request bodies translated into the chat-completions shape and validated by
// the chat parser (responses_request.h), with the fields this server cannot honour refused by
// name and the echo of the request that the Response object carries. Layer: serve. Pure
// functions of the body bytes.
#include "ondo/serve/responses_request.h"

#include "ondo/serve/api_fields.h"
#include "ondo/serve/json_limits.h"

namespace ondo::serve {
namespace {

using json = nlohmann::ordered_json;
using detail::field_error;
using detail::member;
using detail::seen;

// Chat fields given under the same name and meaning (the ondo extensions included).
constexpr const char* kSameFields[] = {"model",          "stream",        "temperature",       "top_p",
                                       "parallel_tool_calls", "seed",     "top_k",             "min_p",
                                       "repeat_penalty", "repeat_last_n", "presence_penalty",  "frequency_penalty",
                                       "logit_bias",     "ignore_eos", "cache", "lora"};

// The include values that ask for nothing this server would add (it has no reasoning items).
constexpr const char* kNoOpIncludes[] = {"reasoning.encrypted_content"};
// The include value that asks for the file_search_call item's results.
constexpr const char* kFileSearchResults = "file_search_call.results";

Status refuse_stateful(const json& obj) {
  if (const json* p = member(obj, "previous_response_id")) {
    return field_error("previous_response_id",
                       "responses are not stored on this server, so none can be continued (send the whole conversation "
                       "in input)" + std::string(p->is_string() ? "" : " (seen " + seen(*p) + ")"));
  }
  if (member(obj, "conversation")) {
    return field_error("conversation", "conversations are not stored on this server (send the whole conversation in input)",
                       ErrorCode::Unsupported);
  }
  if (member(obj, "prompt")) {
    return field_error("prompt", "stored prompt templates are not supported (send instructions and input)",
                       ErrorCode::Unsupported);
  }
  if (const json* bg = member(obj, "background"); bg && *bg != false) {
    return field_error("background", "background responses are not supported (expected false)", ErrorCode::Unsupported);
  }
  if (const json* s = member(obj, "store"); s && !s->is_boolean()) {
    return field_error("store", "expected a boolean (seen " + seen(*s) + ")");
  }
  return ok_status();
}

Status check_include(const json& obj) {
  const json* inc = member(obj, "include");
  if (!inc) return ok_status();
  if (!inc->is_array()) return field_error("include", "expected an array of strings (seen " + seen(*inc) + ")");
  for (size_t i = 0; i < inc->size(); ++i) {
    const json& v = (*inc)[i];
    const std::string path = "include[" + std::to_string(i) + "]";
    if (!v.is_string()) return field_error(path, "expected a string (seen " + seen(v) + ")");
    bool no_op = false;
    for (const char* k : kNoOpIncludes) no_op = no_op || v == k;
    if (!no_op && v != kFileSearchResults) {
      return field_error(path, "'" + v.get<std::string>().substr(0, 80) + "' is not supported", ErrorCode::Unsupported);
    }
  }
  return ok_status();
}

// Fields ondo cannot honour; a field that asks for nothing (null, defaults) passes.
Status refuse_unsupported(const json& obj) {
  ONDO_TRY(refuse_stateful(obj));
  ONDO_TRY(check_include(obj));
  if (const json* r = member(obj, "reasoning")) {
    if (!r->is_object()) return field_error("reasoning", "expected an object (seen " + seen(*r) + ")");
    for (auto it = r->begin(); it != r->end(); ++it) {
      if (it->is_null() || (it.key() == "effort" && *it == "none")) continue;
      return field_error("reasoning." + it.key(), "reasoning options are not supported (the served models have no separate reasoning)",
                         ErrorCode::Unsupported);
    }
  }
  if (const json* t = member(obj, "top_logprobs"); t && *t != 0) {
    return field_error("top_logprobs", "log probabilities are not supported on this endpoint (use /v1/chat/completions)",
                       ErrorCode::Unsupported);
  }
  if (member(obj, "max_tool_calls")) {
    return field_error("max_tool_calls", "not supported (use parallel_tool_calls: false for at most one call)",
                       ErrorCode::Unsupported);
  }
  if (const json* t = member(obj, "truncation"); t && *t != "auto" && *t != "disabled") {
    return field_error("truncation", "expected \"auto\" or \"disabled\"");
  }
  if (const json* m = member(obj, "metadata")) {
    if (!m->is_object()) return field_error("metadata", "expected an object of strings (seen " + seen(*m) + ")");
    for (auto it = m->begin(); it != m->end(); ++it) {
      if (!it->is_string()) return field_error("metadata." + it.key(), "expected a string (seen " + seen(*it) + ")");
    }
  }
  if (const json* u = member(obj, "user"); u && !u->is_string()) return field_error("user", "expected a string (seen " + seen(*u) + ")");
  if (const json* so = member(obj, "stream_options"); so && !so->is_object()) {
    return field_error("stream_options", "expected an object (seen " + seen(*so) + ")");
  }
  return ok_status();
}

// tools: flat function tools as chat's {"type": "function", "function": {...}}; one
// file_search tool is set aside for the route (ResponsesRequest::file_search).
Status translate_tools(const json& obj, json& chat, FieldRenames& renames, ResponsesRequest& r) {
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
    const json* type = t.is_object() ? member(t, "type") : nullptr;
    if (type && *type == "file_search") {
      if (r.file_search) {
        return field_error(path, "only one file_search tool is supported (list every store in its vector_store_ids)");
      }
      r.file_search = t;
      r.file_search_field = path;
      continue;
    }
    if (type && type->is_string() && *type != "function") {
      return field_error(path + ".type", "'" + type->get<std::string>().substr(0, 80) +
                                             "' tools are not supported (expected function or file_search)",
                         ErrorCode::Unsupported);
    }
    if (!type) {
      out.push_back(t);
      continue;
    }
    if (const json* s = member(t, "strict"); s && !s->is_boolean()) {
      return field_error(path + ".strict", "expected a boolean (seen " + seen(*s) + ")");
    }
    json fn = json::object();
    for (const char* key : {"name", "description", "parameters"}) {
      if (auto it = t.find(key); it != t.end()) fn[key] = *it;
    }
    out.push_back({{"type", *type}, {"function", std::move(fn)}});
    renames.push_back({path + ".function", path});
  }
  if (!out.empty() || !r.file_search) chat["tools"] = std::move(out);
  return ok_status();
}

// tool_choice: {"type": "function", "name"} as chat's {"type": "function", "function": {"name"}}.
Status translate_tool_choice(const json& obj, json& chat, FieldRenames& renames) {
  const json* tc = member(obj, "tool_choice");
  if (!tc) return ok_status();
  const json* type = tc->is_object() ? member(*tc, "type") : nullptr;
  if (!type || !type->is_string()) {
    chat["tool_choice"] = *tc;  // a string, or a wrong shape the chat parser names
    return ok_status();
  }
  if (*type == "file_search") return ok_status();  // the search always runs when the tool is given
  if (*type != "function") {
    return field_error("tool_choice.type", "'" + type->get<std::string>().substr(0, 80) +
                                               "' is not supported (expected function, or auto, none or required)",
                       ErrorCode::Unsupported);
  }
  json fn = json::object();
  if (auto it = tc->find("name"); it != tc->end()) fn["name"] = *it;
  chat["tool_choice"] = {{"type", "function"}, {"function", std::move(fn)}};
  renames.push_back({"tool_choice.function", "tool_choice"});
  return ok_status();
}

// text.format as chat's response_format (json_schema's fields nested under "json_schema").
Status translate_text(const json& obj, json& chat) {
  const json* text = member(obj, "text");
  if (!text) return ok_status();
  if (!text->is_object()) return field_error("text", "expected an object (seen " + seen(*text) + ")");
  const json* format = member(*text, "format");
  if (!format) return ok_status();
  const json* type = format->is_object() ? member(*format, "type") : nullptr;
  if (!type || *type != "json_schema") {
    chat["response_format"] = *format;  // text, json_object, or a shape the chat parser names
    return ok_status();
  }
  json js = json::object();
  for (const char* key : {"name", "description", "schema", "strict"}) {
    if (auto it = format->find(key); it != format->end()) js[key] = *it;
  }
  chat["response_format"] = {{"type", "json_schema"}, {"json_schema", std::move(js)}};
  return ok_status();
}

Result<json> chat_shape(const json& obj, FieldRenames& renames, ResponsesRequest& r) {
  json chat = json::object();
  for (const char* key : kSameFields) {
    if (auto it = obj.find(key); it != obj.end()) chat[key] = *it;
  }
  ONDO_ASSIGN_OR_RETURN(chat["messages"], detail::responses_input_messages(obj, renames));
  renames.push_back({"messages", "input"});
  ONDO_TRY(translate_tools(obj, chat, renames, r));
  ONDO_TRY(translate_tool_choice(obj, chat, renames));
  ONDO_TRY(translate_text(obj, chat));
  renames.push_back({"response_format", "text.format"});
  renames.push_back({"response_format.json_schema", "text.format"});
  if (auto it = obj.find("max_output_tokens"); it != obj.end()) chat["max_completion_tokens"] = *it;
  renames.push_back({"max_completion_tokens", "max_output_tokens"});
  renames.push_back({"max_tokens", "max_output_tokens"});  // prepare_generation's name for the limit
  return chat;
}

// The request fields a Response object repeats, with the API's defaults.
json echo_fields(const json& obj, const ChatRequest& chat) {
  auto given = [&](const char* key, json fallback) {
    const json* v = member(obj, key);
    return v ? *v : fallback;
  };
  json tools = json::array();
  if (const json* t = member(obj, "tools")) {
    for (json tool : *t) {
      const bool function = !tool.is_object() || !tool.contains("type") || tool["type"] == "function";
      if (function && (!tool.contains("strict") || tool["strict"].is_null())) tool["strict"] = true;  // the API's default
      tools.push_back(std::move(tool));
    }
  }
  json format = {{"type", "text"}};
  if (const json* text = member(obj, "text"); text && member(*text, "format")) format = (*text)["format"];
  json e = json::object();
  e["instructions"] = given("instructions", nullptr);
  e["max_output_tokens"] = given("max_output_tokens", nullptr);
  e["max_tool_calls"] = nullptr;
  e["metadata"] = given("metadata", json::object());
  e["parallel_tool_calls"] = chat.parallel_tool_calls;
  e["previous_response_id"] = nullptr;
  e["reasoning"] = {{"effort", nullptr}, {"summary", nullptr}};
  e["service_tier"] = "default";
  e["temperature"] = given("temperature", 1.0);
  e["text"] = {{"format", std::move(format)}};
  e["tool_choice"] = given("tool_choice", "auto");
  e["tools"] = std::move(tools);
  e["top_p"] = given("top_p", 1.0);
  e["truncation"] = given("truncation", "disabled");
  if (const json* u = member(obj, "user")) e["user"] = *u;
  return e;
}

// Whether `path` is `prefix` or continues it with a member or an index.
bool under(const std::string& path, const std::string& prefix) {
  if (path.compare(0, prefix.size(), prefix) != 0) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '.' || path[prefix.size()] == '[';
}

}  // namespace

Error rename_chat_error(const FieldRenames& renames, Error error) {
  const FieldRename* best = nullptr;
  for (const FieldRename& r : renames) {
    if (under(error.field, r.chat) && (!best || r.chat.size() > best->chat.size())) best = &r;
  }
  if (!best || error.field.empty()) return error;
  const std::string renamed = best->responses + error.field.substr(best->chat.size());
  const std::string old_prefix = error.field + ": ";
  if (error.message.compare(0, old_prefix.size(), old_prefix) == 0) {
    error.message = renamed + ": " + error.message.substr(old_prefix.size());
  }
  error.field = renamed;
  return error;
}

Result<ResponsesRequest> parse_responses_request(std::string_view body) {
  JsonBudget budget;
  ONDO_ASSIGN_OR_RETURN(json obj, parse_request_json(body, "", budget));
  if (!obj.is_object()) {
    return make_error(ErrorCode::InvalidArgument, "request body: expected a JSON object (seen " + seen(obj) + ")");
  }
  ONDO_TRY(refuse_unsupported(obj));
  ResponsesRequest r;
  ONDO_ASSIGN_OR_RETURN(json chat, chat_shape(obj, r.renames, r));
  if (const json* tc = member(obj, "tool_choice"); tc && *tc == "none") r.file_search.reset();  // no tool may run
  auto parsed = parse_chat_request(chat.dump(-1, ' ', false, json::error_handler_t::replace));
  if (!parsed.ok()) return rename_chat_error(r.renames, parsed.error());
  r.chat = std::move(*parsed);
  r.echo = echo_fields(obj, r.chat);
  if (const json* inc = member(obj, "include")) {
    for (const json& v : *inc) r.include_file_search_results = r.include_file_search_results || v == kFileSearchResults;
  }
  return r;
}

}  // namespace ondo::serve
