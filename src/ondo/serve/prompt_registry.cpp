// The prompt registry's request JSON: names, versions, labels and the `prompt` reference, and
// how records are shown. Rendering, picking and diffs are in prompt_render.cpp.
// Layer: serve. Pure functions.
#include "ondo/serve/prompt_registry.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "ondo/text/chat_template/chat_template.h"

namespace ondo::serve {
namespace {

using ojson = nlohmann::ordered_json;
constexpr ErrorCode kBad = ErrorCode::InvalidArgument;
constexpr size_t kMaxName = 128;
constexpr size_t kMaxMessages = 256;
constexpr size_t kMaxVariables = 128;

std::string kind_of(const ojson& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "boolean";
  if (v.is_number_integer()) return "integer";
  if (v.is_number()) return "number";
  if (v.is_string()) return "string";
  if (v.is_array()) return "array";
  return "object";
}

Error expected(const std::string& path, const std::string& what, const ojson& seen) {
  return field_error(kBad, path, "expected " + what + " (seen " + kind_of(seen) + ")");
}

Result<std::string> string_member(const ojson& body, const char* key, const std::string& path) {
  if (!body.contains(key) || body.at(key).is_null()) return std::string();
  if (!body.at(key).is_string()) return expected(path, "a string", body.at(key));
  return body.at(key).get<std::string>();
}

bool is_identifier(std::string_view s) {
  if (s.empty() || s.size() > 64 || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

Status check_template(const std::string& source, const std::string& path) {
  auto t = text::ChatTemplate::parse(source, path);
  if (!t.ok()) return field_error(kBad, path, "not a valid template (" + t.error().message + ")");
  return ok_status();
}

// [{role, content}] with roles from `roles`; templates parsed when `templates`.
Result<std::vector<store::PromptMessage>> messages_from_json(const ojson& body, const char* key, bool templates) {
  std::vector<store::PromptMessage> out;
  if (!body.contains(key) || body.at(key).is_null()) return out;
  const ojson& arr = body.at(key);
  if (!arr.is_array()) return expected(key, "an array of {role, content}", arr);
  if (arr.size() > kMaxMessages) return field_error(kBad, key, "more than " + std::to_string(kMaxMessages) + " messages");
  for (size_t i = 0; i < arr.size(); ++i) {
    const std::string path = std::string(key) + "[" + std::to_string(i) + "]";
    const ojson& m = arr[i];
    if (!m.is_object()) return expected(path, "an object {role, content}", m);
    ONDO_ASSIGN_OR_RETURN(std::string role, string_member(m, "role", path + ".role"));
    ONDO_ASSIGN_OR_RETURN(std::string content, string_member(m, "content", path + ".content"));
    if (role != "system" && role != "user" && role != "assistant") {
      return field_error(kBad, path + ".role", "unknown role '" + role.substr(0, 40) + "' (expected system, user or assistant)");
    }
    if (templates) ONDO_TRY(check_template(content, path + ".content"));
    out.push_back({std::move(role), std::move(content)});
  }
  return out;
}

// Whether `v` is a value of variable type `type`.
bool has_type(const ojson& v, const std::string& type) {
  if (type == "string") return v.is_string();
  if (type == "boolean") return v.is_boolean();
  if (type == "number") return v.is_number();
  if (type == "integer") {
    if (v.is_number_integer()) return true;
    const double d = v.is_number_float() ? v.get<double>() : 0.5;
    return std::isfinite(d) && std::floor(d) == d && std::fabs(d) <= 9007199254740992.0;  // 2^53: exact in a double
  }
  return false;
}

Result<std::vector<store::PromptVariable>> variables_from_json(const ojson& body) {
  std::vector<store::PromptVariable> out;
  if (!body.contains("variables") || body.at("variables").is_null()) return out;
  const ojson& vars = body.at("variables");
  if (!vars.is_object()) return expected("variables", "an object {name: {type, default}}", vars);
  if (vars.size() > kMaxVariables) return field_error(kBad, "variables", "more than " + std::to_string(kMaxVariables) + " variables");
  for (const auto& [name, spec] : vars.items()) {
    const std::string path = "variables." + name;
    if (!is_identifier(name)) return field_error(kBad, path, "not a variable name (letters, digits and _, not starting with a digit)");
    store::PromptVariable v{name, "", std::nullopt};
    if (spec.is_string()) {
      v.type = spec.get<std::string>();
    } else if (spec.is_object()) {
      for (const auto& [k, unused] : spec.items()) {
        if (k != "type" && k != "default") return field_error(kBad, path + "." + k, "unknown field (expected type or default)");
      }
      ONDO_ASSIGN_OR_RETURN(v.type, string_member(spec, "type", path + ".type"));
      if (spec.contains("default")) v.default_json = spec["default"].dump();
    } else {
      return expected(path, "a type name or an object {type, default}", spec);
    }
    if (v.type.empty()) v.type = "string";
    if (v.type != "string" && v.type != "number" && v.type != "integer" && v.type != "boolean") {
      return field_error(kBad, path + ".type", "unknown type '" + v.type.substr(0, 40) + "' (expected string, number, integer or boolean)");
    }
    if (v.default_json && !has_type(ojson::parse(*v.default_json), v.type)) {
      return expected(path + ".default", "a " + v.type, ojson::parse(*v.default_json));
    }
    out.push_back(std::move(v));
  }
  return out;
}

Result<std::string> params_from_json(const ojson& body) {
  if (!body.contains("params") || body.at("params").is_null()) return std::string();
  const ojson& p = body.at("params");
  if (!p.is_object()) return expected("params", "an object of sampling parameters", p);
  static constexpr const char* kNumbers[] = {"temperature", "top_p", "min_p", "presence_penalty", "frequency_penalty"};
  static constexpr const char* kIntegers[] = {"top_k", "max_tokens", "max_completion_tokens", "seed"};
  for (const auto& [k, v] : p.items()) {
    const std::string path = "params." + k;
    if (std::find(std::begin(kNumbers), std::end(kNumbers), k) != std::end(kNumbers)) {
      if (!v.is_number()) return expected(path, "a number", v);
    } else if (std::find(std::begin(kIntegers), std::end(kIntegers), k) != std::end(kIntegers)) {
      if (!has_type(v, "integer")) return expected(path, "an integer", v);
    } else if (k == "stop") {
      const bool ok = v.is_string() || (v.is_array() && std::all_of(v.begin(), v.end(), [](const ojson& s) { return s.is_string(); }));
      if (!ok) return expected(path, "a string or an array of strings", v);
    } else {
      return field_error(kBad, path,
                         "unknown parameter (expected temperature, top_p, top_k, min_p, max_tokens, max_completion_tokens, "
                         "seed, stop, presence_penalty or frequency_penalty)");
    }
  }
  return p.dump();
}

}  // namespace

Status check_prompt_name(std::string_view name, std::string_view field) {
  const bool ok = !name.empty() && name.size() <= kMaxName && std::isalnum(static_cast<unsigned char>(name[0])) &&
                  std::all_of(name.begin(), name.end(), [](char c) {
                    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
                  });
  if (ok) return ok_status();
  return field_error(kBad, field, "'" + std::string(name.substr(0, 80)) +
                                      "' is not a valid name (1 to 128 of A-Z a-z 0-9 . _ -, starting with a letter or digit)");
}

Result<store::PromptVersion> prompt_version_from_json(const ojson& body, const std::string& prompt, int64_t now) {
  if (!body.is_object()) return make_error(kBad, "request body: expected a JSON object");
  static constexpr const char* kKnown[] = {"system", "messages", "variables", "examples", "params", "response_schema",
                                           "tools", "guardrail", "note"};
  for (const auto& [k, v] : body.items()) {
    if (std::find(std::begin(kKnown), std::end(kKnown), k) == std::end(kKnown)) return field_error(kBad, k, "unknown field");
  }
  store::PromptVersion v;
  v.prompt = prompt;
  v.created_at = now;
  ONDO_ASSIGN_OR_RETURN(v.system, string_member(body, "system", "system"));
  ONDO_TRY(check_template(v.system, "system"));
  ONDO_ASSIGN_OR_RETURN(v.messages, messages_from_json(body, "messages", true));
  ONDO_ASSIGN_OR_RETURN(v.examples, messages_from_json(body, "examples", false));
  ONDO_ASSIGN_OR_RETURN(v.variables, variables_from_json(body));
  ONDO_ASSIGN_OR_RETURN(v.params_json, params_from_json(body));
  if (body.contains("response_schema") && !body["response_schema"].is_null()) {
    if (!body["response_schema"].is_object()) return expected("response_schema", "a JSON Schema object", body["response_schema"]);
    v.response_schema_json = body["response_schema"].dump();
  }
  if (body.contains("tools") && !body["tools"].is_null()) {
    const ojson& t = body["tools"];
    if (!t.is_array()) return expected("tools", "an array of tools", t);
    for (size_t i = 0; i < t.size(); ++i) {
      if (!t[i].is_object()) return expected("tools[" + std::to_string(i) + "]", "an object", t[i]);
    }
    if (!t.empty()) v.tools_json = t.dump();
  }
  ONDO_ASSIGN_OR_RETURN(v.guardrail, string_member(body, "guardrail", "guardrail"));
  if (!v.guardrail.empty()) ONDO_TRY(check_prompt_name(v.guardrail, "guardrail"));
  ONDO_ASSIGN_OR_RETURN(v.note, string_member(body, "note", "note"));
  if (v.system.empty() && v.messages.empty() && v.examples.empty()) {
    return make_error(kBad, "request body: a version needs a system text, messages or examples");
  }
  return v;
}

Result<std::vector<store::LabelTarget>> label_targets_from_json(const ojson& body) {
  if (!body.is_object()) return make_error(kBad, "request body: expected a JSON object");
  const bool one = body.contains("version"), split = body.contains("versions");
  if (one == split) return make_error(kBad, "request body: give version (one) or versions (a weighted split)");
  for (const auto& [k, v] : body.items()) {
    if (k != "version" && k != "versions") return field_error(kBad, k, "unknown field");
  }
  auto version_of = [](const ojson& v, const std::string& path) -> Result<int64_t> {
    if (!has_type(v, "integer") || v.get<double>() < 1 || v.get<double>() > 1e15) return expected(path, "a version number (1 or more)", v);
    return int64_t(v.get<double>());
  };
  std::vector<store::LabelTarget> out;
  if (one) {
    ONDO_ASSIGN_OR_RETURN(int64_t v, version_of(body["version"], "version"));
    out.push_back({v, 1});
    return out;
  }
  const ojson& arr = body["versions"];
  if (!arr.is_array() || arr.empty()) return expected("versions", "a non-empty array of {version, weight}", arr);
  if (arr.size() > 64) return field_error(kBad, "versions", "more than 64 targets");
  for (size_t i = 0; i < arr.size(); ++i) {
    const std::string path = "versions[" + std::to_string(i) + "]";
    if (!arr[i].is_object() || !arr[i].contains("version")) return expected(path, "an object {version, weight}", arr[i]);
    ONDO_ASSIGN_OR_RETURN(int64_t v, version_of(arr[i]["version"], path + ".version"));
    int64_t w = 1;
    if (arr[i].contains("weight")) {
      const ojson& wj = arr[i]["weight"];
      if (!has_type(wj, "integer") || wj.get<double>() < 1 || wj.get<double>() > 1e6) {
        return expected(path + ".weight", "an integer weight from 1 to 1000000", wj);
      }
      w = int64_t(wj.get<double>());
    }
    out.push_back({v, w});
  }
  return out;
}

ojson prompt_json(const store::Prompt& p, const std::vector<store::PromptLabel>& labels) {
  ojson l = ojson::object();
  for (const store::PromptLabel& label : labels) l[label.label] = prompt_label_json(label)["versions"];
  return {{"object", "prompt"}, {"name", p.name}, {"description", p.description}, {"created_at", p.created_at},
          {"latest_version", p.latest_version}, {"labels", l}};
}

ojson prompt_version_json(const store::PromptVersion& v) {
  auto messages = [](const std::vector<store::PromptMessage>& ms) {
    ojson out = ojson::array();
    for (const auto& m : ms) out.push_back({{"role", m.role}, {"content", m.content}});
    return out;
  };
  ojson vars = ojson::object();
  for (const auto& var : v.variables) {
    ojson spec = {{"type", var.type}};
    if (var.default_json) spec["default"] = ojson::parse(*var.default_json);
    vars[var.name] = spec;
  }
  auto doc = [](const std::string& text) { return text.empty() ? ojson(nullptr) : ojson::parse(text); };
  return {{"object", "prompt.version"}, {"prompt", v.prompt},        {"version", v.version},
          {"system", v.system},         {"messages", messages(v.messages)}, {"variables", vars},
          {"examples", messages(v.examples)}, {"params", doc(v.params_json)}, {"response_schema", doc(v.response_schema_json)},
          {"tools", doc(v.tools_json)}, {"guardrail", v.guardrail.empty() ? ojson(nullptr) : ojson(v.guardrail)},
          {"note", v.note},             {"created_at", v.created_at}};
}

ojson prompt_label_json(const store::PromptLabel& l) {
  ojson versions = ojson::array();
  for (const auto& t : l.targets) versions.push_back({{"version", t.version}, {"weight", t.weight}});
  return {{"object", "prompt.label"}, {"prompt", l.prompt}, {"label", l.label}, {"versions", versions},
          {"updated_at", l.updated_at}};
}

Result<PromptRef> parse_prompt_ref(const ojson& v, const std::string& field) {
  if (!v.is_object()) {
    if (field.empty()) return make_error(kBad, "request body: expected a JSON object {name, label | version, variables}");
    return expected(field, "an object {name, label | version, variables}", v);
  }
  PromptRef r;
  for (const auto& [k, unused] : v.items()) {
    if (k != "name" && k != "label" && k != "version" && k != "variables") {
      return field_error(kBad, join_field_path(field, k), "unknown field (expected name, label, version or variables)");
    }
  }
  if (!v.contains("name")) return field_error(kBad, join_field_path(field, "name"), "missing (expected the prompt's name)");
  ONDO_ASSIGN_OR_RETURN(r.name, string_member(v, "name", join_field_path(field, "name")));
  ONDO_TRY(check_prompt_name(r.name, join_field_path(field, "name")));
  if (v.contains("label") && v.contains("version")) return field_error(kBad, join_field_path(field, "version"), "give label or version, not both");
  if (v.contains("label")) {
    ONDO_ASSIGN_OR_RETURN(std::string label, string_member(v, "label", join_field_path(field, "label")));
    ONDO_TRY(check_prompt_name(label, join_field_path(field, "label")));
    r.label = std::move(label);
  }
  if (v.contains("version")) {
    const ojson& n = v["version"];
    if (!has_type(n, "integer") || n.get<double>() < 1 || n.get<double>() > 1e15) {
      return expected(join_field_path(field, "version"), "a version number (1 or more)", n);
    }
    r.version = int64_t(n.get<double>());
  }
  if (v.contains("variables") && !v["variables"].is_null()) {
    if (!v["variables"].is_object()) return expected(join_field_path(field, "variables"), "an object", v["variables"]);
    r.variables = v["variables"];
  }
  return r;
}

}  // namespace ondo::serve
