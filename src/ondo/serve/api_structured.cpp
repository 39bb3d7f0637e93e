// Parsing of the structured-output fields: response_format, grammar, tools, tool_choice,
// parallel_tool_calls and assistant tool_calls in messages. Layer: serve. Pure functions of
// the body; schemas are compiled (and refused) in the routes.
#include <algorithm>

#include "ondo/serve/api_fields.h"

namespace ondo::serve::detail {
namespace {

constexpr size_t kMaxNameBytes = 64;
// Containers around messages[i].tool_calls[j].function.arguments: body, messages, message,
// tool_calls, call, function.
constexpr int kToolArgumentsDepth = 6;

bool valid_name(const std::string& s) {
  if (s.empty() || s.size() > kMaxNameBytes) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum((unsigned char)c) || c == '_' || c == '-'; });
}

Result<std::string> name_field(const ReqJson& obj, const std::string& path) {
  const ReqJson* n = member(obj, "name");
  if (!n) return field_error(path, "missing (expected a function name)");
  if (!n->is_string()) return field_error(path, "expected a string (seen " + seen(*n) + ")");
  const std::string name = n->get<std::string>();
  if (!valid_name(name)) {
    return field_error(path, "'" + name.substr(0, 80) + "' is not a valid name (expected 1 to 64 of a-z, A-Z, 0-9, _ and -)");
  }
  return name;
}

Status parse_json_schema_format(const ReqJson& rf, OutputConstraint& out) {
  const ReqJson* js = member(rf, "json_schema");
  if (!js) return field_error("response_format.json_schema", "missing (expected {\"name\", \"schema\"})");
  if (!js->is_object()) return field_error("response_format.json_schema", "expected an object (seen " + seen(*js) + ")");
  if (const ReqJson* n = member(*js, "name"); n && !n->is_string()) {
    return field_error("response_format.json_schema.name", "expected a string (seen " + seen(*n) + ")");
  }
  if (const ReqJson* st = member(*js, "strict"); st && !st->is_boolean()) {
    return field_error("response_format.json_schema.strict", "expected a boolean (seen " + seen(*st) + ")");
  }
  const ReqJson* schema = member(*js, "schema");
  if (!schema) return field_error("response_format.json_schema.schema", "missing (expected a JSON Schema object)");
  if (!schema->is_object() && !schema->is_boolean()) {
    return field_error("response_format.json_schema.schema", "expected an object (seen " + seen(*schema) + ")");
  }
  out.kind = OutputConstraint::Kind::JsonSchema;
  out.schema = *schema;
  out.param = "response_format.json_schema.schema";
  return ok_status();
}

}  // namespace

Status parse_output_constraint(const ReqJson& obj, OutputConstraint& out) {
  if (const ReqJson* rf = member(obj, "response_format")) {
    if (!rf->is_object()) return field_error("response_format", "expected an object (seen " + seen(*rf) + ")");
    const ReqJson* t = member(*rf, "type");
    if (!t || !t->is_string()) return field_error("response_format.type", "expected a string");
    const std::string type = t->get<std::string>();
    if (type == "json_object") {
      out.kind = OutputConstraint::Kind::JsonObject;
      out.param = "response_format";
    } else if (type == "json_schema") {
      ONDO_TRY(parse_json_schema_format(*rf, out));
    } else if (type != "text") {
      return field_error("response_format.type",
                         "'" + type.substr(0, 80) + "' is not supported (expected text, json_object or json_schema)",
                         ErrorCode::Unsupported);
    }
  }
  if (const ReqJson* g = member(obj, "grammar")) {
    if (!g->is_string()) return field_error("grammar", "expected a string of GBNF rules (seen " + seen(*g) + ")");
    if (out.kind != OutputConstraint::Kind::None) {
      return field_error("grammar", "give either grammar or a response_format of json_object / json_schema, not both");
    }
    out.kind = OutputConstraint::Kind::Gbnf;
    out.gbnf = g->get<std::string>();
    out.param = "grammar";
  }
  return ok_status();
}

namespace {

Result<infer::tools::ToolSpec> parse_tool(const ReqJson& t, const std::string& path) {
  if (!t.is_object()) return field_error(path, "expected an object (seen " + seen(t) + ")");
  const ReqJson* type = member(t, "type");
  if (!type || *type != "function") {
    return field_error(path + ".type", "expected \"function\"", type && type->is_string() ? ErrorCode::Unsupported
                                                                                           : ErrorCode::InvalidArgument);
  }
  const ReqJson* fn = member(t, "function");
  if (!fn || !fn->is_object()) return field_error(path + ".function", "expected an object with name and parameters");
  infer::tools::ToolSpec spec;
  ONDO_ASSIGN_OR_RETURN(spec.name, name_field(*fn, path + ".function.name"));
  if (const ReqJson* d = member(*fn, "description"); d && !d->is_string()) {
    return field_error(path + ".function.description", "expected a string (seen " + seen(*d) + ")");
  }
  if (const ReqJson* p = member(*fn, "parameters")) {
    if (!p->is_object()) return field_error(path + ".function.parameters", "expected a JSON Schema object (seen " + seen(*p) + ")");
    spec.parameters = *p;
  }
  return spec;
}

Status parse_tool_choice(const ReqJson& obj, ChatRequest& r) {
  const ReqJson* tc = member(obj, "tool_choice");
  if (!tc) return ok_status();
  if (tc->is_string()) {
    const std::string s = tc->get<std::string>();
    if (s == "auto") r.tool_choice = ToolChoice::Auto;
    else if (s == "none") r.tool_choice = ToolChoice::None;
    else if (s == "required") r.tool_choice = ToolChoice::Required;
    else return field_error("tool_choice", "unknown value '" + s.substr(0, 80) + "' (expected auto, none, required or an object)");
  } else if (tc->is_object()) {
    const ReqJson* type = member(*tc, "type");
    if (!type || *type != "function") return field_error("tool_choice.type", "expected \"function\"");
    const ReqJson* fn = member(*tc, "function");
    if (!fn || !fn->is_object()) return field_error("tool_choice.function", "expected an object with a name");
    ONDO_ASSIGN_OR_RETURN(r.tool_choice_name, name_field(*fn, "tool_choice.function.name"));
    r.tool_choice = ToolChoice::Named;
    const bool known = std::any_of(r.tool_specs.begin(), r.tool_specs.end(),
                                   [&](const infer::tools::ToolSpec& s) { return s.name == r.tool_choice_name; });
    if (!known) return field_error("tool_choice.function.name", "'" + r.tool_choice_name + "' is not one of the tools");
  } else {
    return field_error("tool_choice", "expected a string or an object (seen " + seen(*tc) + ")");
  }
  if (r.tool_specs.empty() && (r.tool_choice == ToolChoice::Required || r.tool_choice == ToolChoice::Named)) {
    return field_error("tool_choice", "requires tools");
  }
  return ok_status();
}

}  // namespace

Status parse_tools(const ReqJson& obj, ChatRequest& r) {
  if (const ReqJson* tools = member(obj, "tools")) {
    if (!tools->is_array()) return field_error("tools", "expected an array (seen " + seen(*tools) + ")");
    if (tools->size() > kMaxTools) {
      return field_error("tools", "too many tools (seen " + std::to_string(tools->size()) + ", expected at most " +
                                      std::to_string(kMaxTools) + ")");
    }
    for (size_t i = 0; i < tools->size(); ++i) {
      const std::string path = "tools[" + std::to_string(i) + "]";
      ONDO_ASSIGN_OR_RETURN(auto spec, parse_tool((*tools)[i], path));
      for (const auto& other : r.tool_specs) {
        if (other.name == spec.name) return field_error(path + ".function.name", "'" + spec.name + "' is given twice");
      }
      r.tool_specs.push_back(std::move(spec));
    }
    r.tools = *tools;
  }
  ONDO_TRY(parse_tool_choice(obj, r));
  if (const ReqJson* p = member(obj, "parallel_tool_calls")) {
    if (!p->is_boolean()) return field_error("parallel_tool_calls", "expected a boolean (seen " + seen(*p) + ")");
    r.parallel_tool_calls = p->get<bool>();
  }
  const bool calling = !r.tool_specs.empty() && r.tool_choice != ToolChoice::None;
  if (calling && r.gen.constraint.kind != OutputConstraint::Kind::None) {
    return field_error(r.gen.constraint.param, "cannot be combined with tools (unless tool_choice is none)",
                       ErrorCode::Unsupported);
  }
  return ok_status();
}

Status normalize_tool_calls(ReqJson& msg, const std::string& path, JsonBudget& budget) {
  auto it = msg.find("tool_calls");
  if (it == msg.end() || it->is_null()) return ok_status();
  if (!it->is_array()) return field_error(path + ".tool_calls", "expected an array (seen " + seen(*it) + ")");
  for (size_t i = 0; i < it->size(); ++i) {
    ReqJson& call = (*it)[i];
    const std::string cp = path + ".tool_calls[" + std::to_string(i) + "]";
    if (!call.is_object()) return field_error(cp, "expected an object (seen " + seen(call) + ")");
    auto fn = call.find("function");
    if (fn == call.end() || !fn->is_object()) return field_error(cp + ".function", "expected an object with name and arguments");
    ONDO_ASSIGN_OR_RETURN(std::string name, name_field(*fn, cp + ".function.name"));
    auto args = fn->find("arguments");
    if (args == fn->end() || args->is_null()) continue;
    if (args->is_string()) {
      // Text that is not JSON stays a string (the template shows it as is); JSON over the
      // limits is refused like the same value given as an object.
      const std::string& text = args->get_ref<const std::string&>();
      if (!ReqJson::accept(text)) continue;  // accept() builds nothing and does not recurse
      ONDO_ASSIGN_OR_RETURN(ReqJson parsed,
                            parse_request_json(text, cp + ".function.arguments", budget, kToolArgumentsDepth));
      if (parsed.is_object()) *args = std::move(parsed);
    } else if (!args->is_object()) {
      return field_error(cp + ".function.arguments", "expected a JSON string (seen " + seen(*args) + ")");
    }
  }
  return ok_status();
}

}  // namespace ondo::serve::detail
