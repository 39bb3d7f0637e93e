// Responses API `input` and `instructions` as chat messages (responses_request.h): message
// items, function_call items (joined into the assistant message before them, as chat
// templates expect one assistant turn with its tool_calls) and function_call_output items
// (tool messages). Layer: serve. Pure functions of the body; the chat parser validates roles,
// names and arguments afterwards, so only what the chat shape cannot express is checked here.
#include <map>

#include "ondo/serve/api_fields.h"
#include "ondo/serve/responses_request.h"

namespace ondo::serve::detail {
namespace {

using json = nlohmann::ordered_json;

std::string at(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

// A string member `key` of `item`, required.
Result<std::string> required_string(const json& item, const char* key, const std::string& path) {
  const json* v = member(item, key);
  const std::string p = path + "." + key;
  if (!v) return field_error(p, "missing (expected a string)");
  if (!v->is_string()) return field_error(p, "expected a string (seen " + seen(*v) + ")");
  return v->get<std::string>();
}

// Content given as a string or as text parts (input_text, output_text, refusal), joined.
// `path` names the field ("input[2].content", "input[3].output").
Result<std::string> text_content(const json& c, const std::string& path) {
  if (c.is_string()) return c.get<std::string>();
  if (!c.is_array()) return field_error(path, "expected a string or an array of parts (seen " + seen(c) + ")");
  std::string out;
  for (size_t j = 0; j < c.size(); ++j) {
    const json& part = c[j];
    const std::string pp = at(path, j);
    if (!part.is_object()) return field_error(pp, "expected an object (seen " + seen(part) + ")");
    const json* type = member(part, "type");
    if (!type) return field_error(pp + ".type", "missing (expected input_text or output_text)");
    if (!type->is_string()) return field_error(pp + ".type", "expected a string (seen " + seen(*type) + ")");
    const std::string t = type->get<std::string>();
    if (t == "input_text" || t == "output_text") {
      ONDO_ASSIGN_OR_RETURN(std::string text, required_string(part, "text", pp));
      out += text;
    } else if (t == "refusal") {
      ONDO_ASSIGN_OR_RETURN(std::string text, required_string(part, "refusal", pp));
      out += text;
    } else {
      return field_error(pp + ".type", "'" + t.substr(0, 80) + "' parts are not supported (expected input_text or output_text)",
                         ErrorCode::Unsupported);
    }
  }
  return out;
}

// The translation's state: messages so far, renames, and the names of the calls seen.
struct Builder {
  explicit Builder(FieldRenames& r) : renames(r) {}
  json messages = json::array();
  FieldRenames& renames;
  std::map<std::string, std::string> call_names;  // call_id -> function name
  bool last_is_assistant = false;                 // function_call items may join the last message

  std::string msg_path() const { return at("messages", messages.size()); }

  void push(json msg, const std::string& origin, bool assistant) {
    renames.push_back({msg_path(), origin});
    messages.push_back(std::move(msg));
    last_is_assistant = assistant;
  }
};

Status add_message(Builder& b, const json& item, const std::string& path) {
  const json* role = member(item, "role");
  if (!role) return field_error(path + ".role", "missing (expected user, assistant, system or developer)");
  json msg = json::object();
  msg["role"] = *role;  // checked by the chat parser (renamed back to this path)
  const json* content = member(item, "content");
  if (!content) return field_error(path + ".content", "missing (expected a string or an array of parts)");
  ONDO_ASSIGN_OR_RETURN(msg["content"], text_content(*content, path + ".content"));
  if (*role == "tool") return field_error(path + ".role", "'tool' is not a message role here (send a function_call_output item)");
  b.push(std::move(msg), path, *role == "assistant");
  return ok_status();
}

Status add_function_call(Builder& b, const json& item, const std::string& path) {
  ONDO_ASSIGN_OR_RETURN(std::string call_id, required_string(item, "call_id", path));
  ONDO_ASSIGN_OR_RETURN(std::string arguments, required_string(item, "arguments", path));
  const json* name = member(item, "name");
  if (!name) return field_error(path + ".name", "missing (expected a function name)");
  if (call_id.empty()) return field_error(path + ".call_id", "expected a non-empty string");
  if (!b.last_is_assistant) b.push({{"role", "assistant"}, {"content", ""}}, path, true);
  json& msg = b.messages.back();
  json& calls = msg["tool_calls"];
  if (!calls.is_array()) calls = json::array();
  const std::string call_path = at("messages", b.messages.size() - 1) + ".tool_calls[" + std::to_string(calls.size()) + "]";
  b.renames.push_back({call_path, path});
  b.renames.push_back({call_path + ".function", path});
  b.renames.push_back({call_path + ".id", path + ".call_id"});
  calls.push_back({{"id", call_id}, {"type", "function"}, {"function", {{"name", *name}, {"arguments", arguments}}}});
  if (name->is_string()) b.call_names[call_id] = name->get<std::string>();
  return ok_status();
}

Status add_function_call_output(Builder& b, const json& item, const std::string& path) {
  ONDO_ASSIGN_OR_RETURN(std::string call_id, required_string(item, "call_id", path));
  const auto known = b.call_names.find(call_id);
  if (known == b.call_names.end()) {
    return field_error(path + ".call_id", "'" + call_id.substr(0, 80) +
                                              "' is not the call_id of an earlier function_call item in input "
                                              "(responses are not stored here: send the function_call item too)");
  }
  const json* output = member(item, "output");
  if (!output) return field_error(path + ".output", "missing (expected a string)");
  ONDO_ASSIGN_OR_RETURN(std::string text, text_content(*output, path + ".output"));
  const std::string msg = b.msg_path();
  b.renames.push_back({msg + ".content", path + ".output"});
  b.renames.push_back({msg + ".tool_call_id", path + ".call_id"});
  b.push({{"role", "tool"}, {"tool_call_id", call_id}, {"name", known->second}, {"content", std::move(text)}}, path, false);
  return ok_status();
}

Status add_item(Builder& b, const json& item, const std::string& path) {
  if (!item.is_object()) return field_error(path, "expected an object (seen " + seen(item) + ")");
  const json* type = member(item, "type");
  if (!type && member(item, "role")) return add_message(b, item, path);  // an "easy" message: type is optional
  if (!type) return field_error(path + ".type", "missing (expected message, function_call or function_call_output)");
  if (!type->is_string()) return field_error(path + ".type", "expected a string (seen " + seen(*type) + ")");
  const std::string t = type->get<std::string>();
  if (t == "message") return add_message(b, item, path);
  if (t == "function_call") return add_function_call(b, item, path);
  if (t == "function_call_output") return add_function_call_output(b, item, path);
  if (t == "reasoning") return ok_status();  // dropped, as chat templates drop earlier turns' reasoning
  if (t == "item_reference") {
    return field_error(path, "item references need stored responses, which this server does not keep (send the item itself)",
                       ErrorCode::Unsupported);
  }
  return field_error(path + ".type",
                     "'" + t.substr(0, 80) + "' items are not supported (expected message, function_call or function_call_output)",
                     ErrorCode::Unsupported);
}

}  // namespace

Result<json> responses_input_messages(const json& body, FieldRenames& renames) {
  Builder b(renames);
  if (const json* ins = member(body, "instructions")) {
    if (!ins->is_string()) return field_error("instructions", "expected a string (seen " + seen(*ins) + ")");
    renames.push_back({b.msg_path() + ".content", "instructions"});
    b.push({{"role", "system"}, {"content", *ins}}, "instructions", false);
  }
  const json* input = member(body, "input");
  if (!input) return field_error("input", "missing (expected a string or an array of items)");
  if (input->is_string()) {
    renames.push_back({b.msg_path() + ".content", "input"});
    b.push({{"role", "user"}, {"content", *input}}, "input", false);
    return std::move(b.messages);
  }
  if (!input->is_array()) return field_error("input", "expected a string or an array of items (seen " + seen(*input) + ")");
  if (input->empty()) return field_error("input", "expected at least one item");
  for (size_t i = 0; i < input->size(); ++i) ONDO_TRY(add_item(b, (*input)[i], at("input", i)));
  return std::move(b.messages);
}

}  // namespace ondo::serve::detail
