// Anthropic `system` and `messages` as chat messages (anthropic_request.h): text blocks are
// joined into one content string; an assistant message's tool_use blocks become its
// tool_calls; a user message's tool_result blocks become tool messages, placed before the
// rest of that message's text, as chat templates expect a tool answer right after the call.
// Layer: serve. Pure functions of the body; the chat parser validates names and arguments
// afterwards, so only what the chat shape cannot express is checked here.
#include <map>

#include "ondo/serve/anthropic_request.h"
#include "ondo/serve/api_fields.h"

namespace ondo::serve::detail {
namespace {

using json = nlohmann::ordered_json;

std::string at(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

// Text blocks are joined with a blank line, as separate paragraphs.
constexpr const char* kBlockSeparator = "\n\n";

void append_text(std::string& out, const std::string& text) {
  if (!out.empty() && !text.empty()) out += kBlockSeparator;
  out += text;
}

// Block types ondo cannot read, with why.
Error unsupported_block(const std::string& type, const std::string& path) {
  std::string why = "'" + type.substr(0, 80) + "' blocks are not supported";
  if (type == "image" || type == "document" || type == "search_result" || type == "container_upload") {
    why += " (the served models read text only: send text blocks)";
  } else if (type == "server_tool_use" || type.find("tool_result") != std::string::npos) {
    why += " (this server runs no server tools)";
  } else {
    why += " (expected text, tool_use or tool_result)";
  }
  return field_error(path + ".type", why, ErrorCode::Unsupported);
}

// The type of the block at `path`, checked to be an object with a string type.
Result<std::string> block_type(const json& block, const std::string& path) {
  if (!block.is_object()) return field_error(path, "expected a content block object (seen " + seen(block) + ")");
  const json* type = member(block, "type");
  if (!type) return field_error(path + ".type", "missing (expected text, tool_use or tool_result)");
  if (!type->is_string()) return field_error(path + ".type", "expected a string (seen " + seen(*type) + ")");
  return type->get<std::string>();
}

Result<std::string> text_of_block(const json& block, const std::string& path) {
  const json* text = member(block, "text");
  if (!text) return field_error(path + ".text", "missing (expected a string)");
  if (!text->is_string()) return field_error(path + ".text", "expected a string (seen " + seen(*text) + ")");
  return text->get<std::string>();
}

// Content that may hold only text: a string or text blocks (system, tool_result content).
Result<std::string> text_only(const json& c, const std::string& path) {
  if (c.is_string()) return c.get<std::string>();
  if (!c.is_array()) return field_error(path, "expected a string or an array of text blocks (seen " + seen(c) + ")");
  std::string out;
  for (size_t i = 0; i < c.size(); ++i) {
    const std::string bp = at(path, i);
    ONDO_ASSIGN_OR_RETURN(std::string type, block_type(c[i], bp));
    if (type != "text") {
      if (type == "image" || type == "document" || type == "search_result") return unsupported_block(type, bp);
      return field_error(bp + ".type", "'" + type.substr(0, 80) + "' blocks are not allowed here (expected text)");
    }
    ONDO_ASSIGN_OR_RETURN(std::string text, text_of_block(c[i], bp));
    append_text(out, text);
  }
  return out;
}

// The translation's state: chat messages so far, renames, and the tool_use ids seen.
struct Builder {
  explicit Builder(FieldRenames& r) : renames(r) {}
  json messages = json::array();
  FieldRenames& renames;
  std::map<std::string, std::string> tool_names;  // tool_use id -> tool name

  std::string msg_path() const { return at("messages", messages.size()); }

  void push(json msg, const std::string& origin) {
    renames.push_back({msg_path(), origin});
    messages.push_back(std::move(msg));
  }
};

// One tool_use block as a chat tool call of the message about to be pushed.
Status add_tool_use(Builder& b, const json& block, const std::string& bp, const std::string& msg, json& calls) {
  const json* id = member(block, "id");
  if (!id) return field_error(bp + ".id", "missing (expected the tool_use id)");
  if (!id->is_string() || id->get_ref<const std::string&>().empty()) {
    return field_error(bp + ".id", "expected a non-empty string (seen " + seen(*id) + ")");
  }
  const json* name = member(block, "name");
  if (!name) return field_error(bp + ".name", "missing (expected the tool's name)");
  const json* input = member(block, "input");
  if (!input) return field_error(bp + ".input", "missing (expected an object)");
  if (!input->is_object()) return field_error(bp + ".input", "expected an object (seen " + seen(*input) + ")");
  const std::string cp = msg + ".tool_calls[" + std::to_string(calls.size()) + "]";
  b.renames.push_back({cp, bp});
  b.renames.push_back({cp + ".id", bp + ".id"});
  b.renames.push_back({cp + ".function", bp});
  b.renames.push_back({cp + ".function.name", bp + ".name"});
  b.renames.push_back({cp + ".function.arguments", bp + ".input"});
  calls.push_back({{"id", *id}, {"type", "function"}, {"function", {{"name", *name}, {"arguments", *input}}}});
  if (name->is_string()) b.tool_names[id->get<std::string>()] = name->get<std::string>();
  return ok_status();
}

// `path` names the message ("messages[3]").
Status add_assistant(Builder& b, const json& content, const std::string& path) {
  std::string text;
  json calls = json::array();
  const std::string msg = b.msg_path();
  for (size_t i = 0; i < content.size(); ++i) {
    const std::string bp = at(path + ".content", i);
    ONDO_ASSIGN_OR_RETURN(std::string type, block_type(content[i], bp));
    if (type == "text") {
      ONDO_ASSIGN_OR_RETURN(std::string t, text_of_block(content[i], bp));
      append_text(text, t);
    } else if (type == "tool_use") {
      ONDO_TRY(add_tool_use(b, content[i], bp, msg, calls));
    } else if (type == "thinking" || type == "redacted_thinking") {
      continue;  // dropped, as chat templates drop earlier turns' reasoning
    } else if (type == "tool_result") {
      return field_error(bp + ".type", "tool_result blocks belong in user messages");
    } else {
      return unsupported_block(type, bp);
    }
  }
  json m = {{"role", "assistant"}, {"content", std::move(text)}};
  if (!calls.empty()) m["tool_calls"] = std::move(calls);
  b.push(std::move(m), path);
  return ok_status();
}

// One tool_result block as a tool message.
Status add_tool_result(Builder& b, const json& block, const std::string& bp) {
  const json* id = member(block, "tool_use_id");
  if (!id) return field_error(bp + ".tool_use_id", "missing (expected the id of an earlier tool_use block)");
  if (!id->is_string()) return field_error(bp + ".tool_use_id", "expected a string (seen " + seen(*id) + ")");
  const std::string call_id = id->get<std::string>();
  const auto known = b.tool_names.find(call_id);
  if (known == b.tool_names.end()) {
    return field_error(bp + ".tool_use_id", "'" + call_id.substr(0, 80) +
                                                "' is not the id of a tool_use block in an earlier assistant message");
  }
  std::string text;
  if (const json* c = member(block, "content")) {
    ONDO_ASSIGN_OR_RETURN(text, text_only(*c, bp + ".content"));
  }
  if (const json* e = member(block, "is_error")) {
    if (!e->is_boolean()) return field_error(bp + ".is_error", "expected a boolean (seen " + seen(*e) + ")");
    if (e->get<bool>()) text = "Error: " + text;  // the chat shape has no error flag; the model reads it
  }
  const std::string msg = b.msg_path();
  b.renames.push_back({msg + ".content", bp + ".content"});
  b.renames.push_back({msg + ".tool_call_id", bp + ".tool_use_id"});
  b.push({{"role", "tool"}, {"tool_call_id", call_id}, {"name", known->second}, {"content", std::move(text)}}, bp);
  return ok_status();
}

// `path` names the message ("messages[3]").
Status add_user(Builder& b, const json& content, const std::string& path) {
  std::string text;
  bool any_text = false;
  for (size_t i = 0; i < content.size(); ++i) {
    const std::string bp = at(path + ".content", i);
    ONDO_ASSIGN_OR_RETURN(std::string type, block_type(content[i], bp));
    if (type == "text") {
      ONDO_ASSIGN_OR_RETURN(std::string t, text_of_block(content[i], bp));
      append_text(text, t);
      any_text = true;
    } else if (type == "tool_result") {
      ONDO_TRY(add_tool_result(b, content[i], bp));
    } else if (type == "tool_use" || type == "thinking" || type == "redacted_thinking") {
      return field_error(bp + ".type", "'" + type + "' blocks belong in assistant messages");
    } else {
      return unsupported_block(type, bp);
    }
  }
  if (any_text) b.push({{"role", "user"}, {"content", std::move(text)}}, path);
  return ok_status();
}

Status add_message(Builder& b, const json& m, const std::string& path) {
  if (!m.is_object()) return field_error(path, "expected an object (seen " + seen(m) + ")");
  const json* role = member(m, "role");
  if (!role) return field_error(path + ".role", "missing (expected user or assistant)");
  if (!role->is_string()) return field_error(path + ".role", "expected a string (seen " + seen(*role) + ")");
  const std::string r = role->get<std::string>();
  if (r == "system") return field_error(path + ".role", "'system' is not a message role here (use the top-level system field)");
  if (r != "user" && r != "assistant") return field_error(path + ".role", "unknown role '" + r.substr(0, 80) + "' (expected user or assistant)");
  const json* content = member(m, "content");
  const std::string cp = path + ".content";
  if (!content) return field_error(cp, "missing (expected a string or an array of content blocks)");
  if (content->is_string()) {
    b.push({{"role", r}, {"content", *content}}, path);
    return ok_status();
  }
  if (!content->is_array()) return field_error(cp, "expected a string or an array of content blocks (seen " + seen(*content) + ")");
  if (content->empty()) return field_error(cp, "expected at least one content block");
  return r == "assistant" ? add_assistant(b, *content, path) : add_user(b, *content, path);
}

}  // namespace

Result<json> anthropic_messages(const json& body, FieldRenames& renames) {
  Builder b(renames);
  if (const json* sys = member(body, "system")) {
    ONDO_ASSIGN_OR_RETURN(std::string text, text_only(*sys, "system"));
    renames.push_back({b.msg_path() + ".content", "system"});
    b.push({{"role", "system"}, {"content", std::move(text)}}, "system");
  }
  const json* msgs = member(body, "messages");
  if (!msgs) return field_error("messages", "missing (expected an array of messages)");
  if (!msgs->is_array()) return field_error("messages", "expected an array of messages (seen " + seen(*msgs) + ")");
  if (msgs->empty()) return field_error("messages", "expected at least one message");
  for (size_t i = 0; i < msgs->size(); ++i) ONDO_TRY(add_message(b, (*msgs)[i], at("messages", i)));
  if (*member(msgs->back(), "role") == "assistant") {  // every role was checked above
    return field_error(at("messages", msgs->size() - 1),
                       "a final assistant message (prefilling the answer) is not supported: end with a user message",
                       ErrorCode::Unsupported);
  }
  return std::move(b.messages);
}

}  // namespace ondo::serve::detail
