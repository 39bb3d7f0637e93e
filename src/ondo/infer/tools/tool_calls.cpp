// Tool-call formats: detection from the chat template, call grammars built from the tools'
// parameter schemas, and the incremental output parser. Layer: infer (tools/).
#include "ondo/infer/tools/tool_calls.h"

#include "ondo/infer/grammar/grammar.h"
#include "ondo/infer/grammar/json_schema.h"

namespace ondo::infer::tools {
namespace {

using ojson = nlohmann::ordered_json;

constexpr std::string_view kOpenTag = "<tool_call>";
constexpr std::string_view kCloseTag = "</tool_call>";

// Keywords whose values are data, not schemas: their "$ref" members are not references.
bool is_data_keyword(const std::string& key) {
  return key == "enum" || key == "const" || key == "default" || key == "examples";
}

// Rewrites local references of a schema moved to `base` ("#/$defs/fn-0").
void rebase_refs(ojson& s, const std::string& base) {
  if (s.is_array()) {
    for (auto& v : s) rebase_refs(v, base);
    return;
  }
  if (!s.is_object()) return;
  for (auto it = s.begin(); it != s.end(); ++it) {
    if (it.key() == "$ref" && it->is_string()) {
      const std::string ref = it->get<std::string>();
      if (!ref.empty() && ref[0] == '#') *it = base + ref.substr(1);
    } else if (!is_data_keyword(it.key())) {
      rebase_refs(*it, base);
    }
  }
}

// The text every call list of the format starts with (the grammars below write no whitespace
// inside JSON): output that does not start with it is plain text.
std::string_view call_marker(ToolFormat f) {
  switch (f) {
    case ToolFormat::Generic: return "{\"tool_calls\"";
    case ToolFormat::Llama3Json: return "{\"name\"";
    case ToolFormat::Hermes: return kOpenTag;
  }
  return "{";
}

// GBNF rules `name`, `name`-1, ...: any text (maybe empty) that does not start with `marker`:
// a proper prefix of it, or a prefix followed by another character and then anything.
std::string text_without_prefix(const std::string& name, std::string_view marker) {
  std::string out;
  for (size_t k = 0; k < marker.size(); ++k) {
    const std::string rule = k == 0 ? name : name + "-" + std::to_string(k);
    const char c = marker[k];
    const std::string cls = std::string("[^") + (c == ']' || c == '\\' || c == '^' || c == '-' ? "\\" : "") + c + "]";
    out += rule + " ::= \"\" | " + cls + " .*";
    if (k + 1 < marker.size()) out += " | " + grammar::gbnf_quote(std::string(1, c)) + " " + name + "-" + std::to_string(k + 1);
    out += "\n";
  }
  return out;
}

const char* args_key(ToolFormat f) { return f == ToolFormat::Llama3Json ? "parameters" : "arguments"; }

// The JSON Schema of one call object (or any of them) with the tools' schemas in $defs.
ojson call_schema(std::span<const ToolSpec> tools, ToolFormat format) {
  ojson defs = ojson::object();
  ojson branches = ojson::array();
  for (size_t i = 0; i < tools.size(); ++i) {
    const std::string def = "fn-" + std::to_string(i);
    ojson params = tools[i].parameters.is_null() ? ojson{{"type", "object"}} : tools[i].parameters;
    rebase_refs(params, "#/$defs/" + def);
    defs[def] = std::move(params);
    ojson call = {{"type", "object"},
                  {"properties", {{"name", {{"const", tools[i].name}}}, {args_key(format), {{"$ref", "#/$defs/" + def}}}}},
                  {"required", {"name", args_key(format)}},
                  {"additionalProperties", false}};
    branches.push_back(std::move(call));
  }
  ojson one = branches.size() == 1 ? branches[0] : ojson{{"anyOf", branches}};
  ojson root = {{"$defs", defs}};
  for (auto it = one.begin(); it != one.end(); ++it) root[it.key()] = *it;
  return root;
}

ojson generic_schema(std::span<const ToolSpec> tools, bool parallel) {
  ojson inner = call_schema(tools, ToolFormat::Generic);
  ojson defs = inner["$defs"];
  inner.erase("$defs");
  ojson arr = {{"type", "array"}, {"items", inner}, {"minItems", 1}};
  arr["maxItems"] = parallel ? kMaxParallelCalls : 1;
  return {{"$defs", defs},
          {"type", "object"},
          {"properties", {{"tool_calls", arr}}},
          {"required", {"tool_calls"}},
          {"additionalProperties", false}};
}

}  // namespace

std::string_view tool_format_name(ToolFormat format) {
  switch (format) {
    case ToolFormat::Generic: return "generic";
    case ToolFormat::Llama3Json: return "llama3-json";
    case ToolFormat::Hermes: return "hermes";
  }
  return "generic";
}

ToolFormat detect_tool_format(const text::ChatTemplate& tmpl) {
  const std::string fn = "ondo_probe_fn";
  text::ChatTemplateInputs in;
  in.tools = ojson::array({{{"type", "function"},
                            {"function",
                             {{"name", fn},
                              {"description", "probe"},
                              {"parameters", {{"type", "object"}, {"properties", {{"x", {{"type", "integer"}}}}}}}}}}});
  in.messages = ojson::array(
      {{{"role", "user"}, {"content", "probe"}},
       {{"role", "assistant"},
        {"content", ""},
        {"tool_calls",
         {{{"id", "call_probe"}, {"type", "function"}, {"function", {{"name", fn}, {"arguments", {{"x", 1}}}}}}}}}});
  in.add_generation_prompt = false;
  in.bos_token = "";
  in.eos_token = "";
  auto out = tmpl.render(in);
  if (!out.ok()) return ToolFormat::Generic;
  if (out->find(std::string(kOpenTag) + "\n{\"name\": \"" + fn) != std::string::npos) return ToolFormat::Hermes;
  if (out->find("{\"name\": \"" + fn + "\", \"parameters\": ") != std::string::npos) return ToolFormat::Llama3Json;
  return ToolFormat::Generic;
}

Result<std::string> tool_call_gbnf(std::span<const ToolSpec> tools, ToolMode mode, ToolFormat format, bool parallel) {
  if (tools.empty()) return make_error(ErrorCode::InvalidArgument, "tools: no function to call");
  const ojson schema = format == ToolFormat::Generic ? generic_schema(tools, parallel) : call_schema(tools, format);
  ONDO_ASSIGN_OR_RETURN(std::string gbnf, grammar::json_schema_to_gbnf(schema));
  const std::string root(kToolGrammarRoot);
  std::string calls = "root";
  if (format == ToolFormat::Hermes) {
    gbnf += "\nxtc-call ::= " + grammar::gbnf_quote(std::string(kOpenTag) + "\n") + " root " +
            grammar::gbnf_quote("\n" + std::string(kCloseTag));
    gbnf += parallel ? "\nxtc-calls ::= xtc-call (\"\\n\" xtc-call){0," + std::to_string(kMaxParallelCalls - 1) + "}"
                     : "\nxtc-calls ::= xtc-call";
    calls = "xtc-calls";
  }
  if (mode == ToolMode::Required) {
    gbnf += "\n" + root + " ::= " + calls + "\n";
  } else {
    gbnf += "\n" + root + " ::= " + calls + " | xtc-text\n" + text_without_prefix("xtc-text", call_marker(format));
  }
  return gbnf;
}

// ---- ToolCallParser ----

ToolCallParser::ToolCallParser(ToolFormat format) : format_(format) {}

bool ToolCallParser::calls_complete() const {
  if (mode_ != Mode::Calls || broken_ || calls_.empty() || !stack_.empty() || in_string_) return false;
  if (format_ == ToolFormat::Hermes && hermes_state_ != 0) return false;
  for (const ParsedCall& c : calls_) {
    if (!c.complete) return false;
  }
  return true;
}

ParseStep ToolCallParser::feed(std::string_view text) {
  ParseStep out;
  const size_t base = all_.size();
  all_.append(text);
  for (size_t i = 0; i < text.size(); ++i) step_char(text[i], base + i, out);
  if (capture_depth_ >= 0) emit_capture(all_.size(), out);
  return out;
}

std::string ToolCallParser::finish() {
  if (mode_ != Mode::Undecided) return "";
  mode_ = Mode::Text;
  return all_;
}

void ToolCallParser::step_char(char c, size_t pos, ParseStep& out) {
  if (mode_ == Mode::Undecided) {  // held back while the output is a prefix of the call marker
    const std::string_view marker = call_marker(format_);
    if (pos < marker.size() && c == marker[pos]) {
      if (pos + 1 < marker.size()) return;
      mode_ = Mode::Calls;
      for (size_t i = 0; i <= pos; ++i) step_char(all_[i], i, out);
      return;
    }
    mode_ = Mode::Text;
    out.content += all_.substr(0, pos);
  }
  if (mode_ == Mode::Text) {
    out.content += c;
    return;
  }
  if (broken_) return;
  if (format_ != ToolFormat::Hermes) return step_json(c, pos, out);
  const bool ws = c == ' ' || c == '\n' || c == '\t' || c == '\r';
  if (hermes_state_ == 1) {
    if (stack_.empty() && !in_string_ && ws) return;
    step_json(c, pos, out);
    if (stack_.empty() && !in_string_ && !scalar_) hermes_state_ = 2;
    return;
  }
  const std::string_view tag = hermes_state_ == 0 ? kOpenTag : kCloseTag;
  if (tag_pos_ == 0 && ws) return;
  if (c != tag[tag_pos_]) {
    broken_ = true;
    return;
  }
  if (++tag_pos_ == tag.size()) {
    tag_pos_ = 0;
    hermes_state_ = hermes_state_ == 0 ? 1 : 0;
  }
}

bool ToolCallParser::at_call_level() const {
  const size_t depth = format_ == ToolFormat::Generic ? 3 : 1;
  return stack_.size() == depth && stack_.back().object;
}

void ToolCallParser::begin_value(size_t pos, bool scalar) {
  scalar_ = scalar;
  if (capture_depth_ >= 0 || !at_call_level() || stack_.back().key != args_key(format_)) return;
  if (calls_.empty() || calls_.back().complete) return;
  capture_depth_ = int(stack_.size());
  capture_from_ = pos;
}

void ToolCallParser::emit_capture(size_t end, ParseStep& out) {
  if (end <= capture_from_ || calls_.empty()) return;
  const std::string piece = all_.substr(capture_from_, end - capture_from_);
  capture_from_ = end;
  calls_.back().arguments += piece;
  const size_t index = calls_.size() - 1;
  if (!out.calls.empty() && out.calls.back().index == index) {
    out.calls.back().arguments += piece;
  } else {
    out.calls.push_back({index, false, piece});
  }
}

void ToolCallParser::close_value(size_t end, ParseStep& out) {
  if (capture_depth_ < 0 || int(stack_.size()) != capture_depth_) return;
  emit_capture(end, out);
  calls_.back().complete = true;
  capture_depth_ = -1;
}

void ToolCallParser::step_json(char c, size_t pos, ParseStep& out) {
  if (in_string_) {
    if (escape_) {
      escape_ = false;
    } else if (c == '\\') {
      escape_ = true;
    } else if (c == '"') {
      in_string_ = false;
      if (str_is_key_) {
        stack_.back().key = str_;
        return;
      }
      if (at_call_level() && stack_.back().key == "name") {
        calls_.push_back({str_, "", false});
        out.calls.push_back({calls_.size() - 1, true, ""});
      }
      return close_value(pos + 1, out);
    }
    str_ += c;
    return;
  }
  const bool ws = c == ' ' || c == '\n' || c == '\t' || c == '\r';
  if (scalar_ && (ws || c == ',' || c == '}' || c == ']')) {
    scalar_ = false;
    close_value(pos, out);
  }
  if (ws) return;
  switch (c) {
    case '"':
      in_string_ = true;
      str_.clear();
      str_is_key_ = !stack_.empty() && stack_.back().object && stack_.back().want_key;
      if (!str_is_key_) begin_value(pos, false);
      return;
    case '{':
    case '[':
      begin_value(pos, false);
      stack_.push_back({c == '{', c == '{', ""});
      return;
    case '}':
    case ']':
      if (stack_.empty()) {
        broken_ = true;
        return;
      }
      stack_.pop_back();
      return close_value(pos + 1, out);
    case ':':
      if (!stack_.empty()) stack_.back().want_key = false;
      return;
    case ',':
      if (!stack_.empty() && stack_.back().object) stack_.back().want_key = true;
      return;
    default:
      if (!scalar_) begin_value(pos, true);
      return;
  }
}

}  // namespace ondo::infer::tools
