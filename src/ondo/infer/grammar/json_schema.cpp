// compile_json_schema(): JSON Schema -> GBNF text -> Grammar. Dispatch, $ref, combinators
// and the per-type keyword sets live here; objects and arrays in json_schema_struct.cpp;
// terminals in json_schema_parts.cpp. Layer: infer (grammar/).
#include "ondo/infer/grammar/json_schema.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "ondo/infer/grammar/json_schema_compiler.h"
#include "ondo/infer/grammar/json_schema_parts.h"

namespace ondo::infer::grammar {
namespace schema {
namespace {

using json = nlohmann::ordered_json;

const std::set<std::string>& annotations() {
  static const std::set<std::string> k = {"title", "description", "$comment", "examples", "default", "deprecated",
                                          "readOnly", "writeOnly", "$schema", "$id", "$defs", "definitions"};
  return k;
}

const std::set<std::string>& known_keywords() {
  static const std::set<std::string> k = {
      "type", "enum", "const", "anyOf", "oneOf", "allOf", "$ref",
      "minLength", "maxLength", "pattern", "format",
      "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
      "properties", "required", "additionalProperties",
      "items", "prefixItems", "minItems", "maxItems", "uniqueItems"};
  return k;
}

std::set<std::string> type_set(const json& s, const Compiler& c, int depth);

}  // namespace

std::string Compiler::prelude() const {
  // `ws` goes between any two tokens, `sep` after ':' and ','.
  const std::string free = "( \" \" | \"\\n\" [ \\t]{0," + std::to_string(opt_.max_indent) + "} )?";
  std::string ws = "\"\"";
  std::string sep = "\"\"";
  if (opt_.layout == JsonLayout::Spaced) sep = "\" \"?";
  if (opt_.layout == JsonLayout::Free) ws = sep = free;
  return "ws ::= " + ws + "\nsep ::= " + sep + "\n" +
         "json-value ::= json-object | json-array | json-string | json-number | json-bool | json-null\n"
         "json-object ::= \"{\" ws ( json-member ( ws \",\" sep json-member )* ws )? \"}\"\n"
         "json-member ::= json-string ws \":\" sep json-value\n"
         "json-array ::= \"[\" ws ( json-value ( ws \",\" sep json-value )* ws )? \"]\"\n"
         "json-string ::= \"\\\"\" json-char* \"\\\"\"\n"
         "json-char ::= [^\"\\\\\\x00-\\x1F] | \"\\\\\" ( [\"\\\\/bfnrt] | \"u\" json-u4 )\n"
         "json-u4 ::= [0-9a-cA-C] json-hex{3} | [dD] [0-7] json-hex{2} | [eEfF] json-hex{3}\n"
         "json-hex ::= [0-9a-fA-F]\n"
         "json-int ::= \"-\"? ( \"0\" | [1-9] [0-9]* )\n"
         "json-number ::= json-int ( \".\" [0-9]+ )? ( [eE] [-+]? [0-9]+ )?\n"
         "json-bool ::= \"true\" | \"false\"\n"
         "json-null ::= \"null\"\n";
}

Error Compiler::unsupported(const std::string& keyword, const std::string& path, const std::string& why) const {
  return make_error(ErrorCode::Unsupported, "schema: keyword '" + keyword + "' at " + (path.empty() ? "/" : path) +
                                                " is not supported" + (why.empty() ? "" : " (" + why + ")"));
}

Error Compiler::invalid(const std::string& path, const std::string& what) const {
  return make_error(ErrorCode::InvalidArgument, "schema: at " + (path.empty() ? "/" : path) + ": " + what);
}

std::string Compiler::new_rule(const std::string& base, std::string body) {
  const std::string name = base + "-" + std::to_string(++n_rules_);
  define(name, std::move(body));
  return name;
}

void Compiler::define(const std::string& name, std::string body) {
  size_ += name.size() + body.size() + 6;
  rules_.push_back(name + " ::= " + body);
}

Status Compiler::check_size() const {
  if (size_ > opt_.max_grammar_bytes) {
    return make_error(ErrorCode::TooLarge, "schema: the grammar exceeds " + std::to_string(opt_.max_grammar_bytes) + " bytes");
  }
  return ok_status();
}

const json* Compiler::resolve(const std::string& ref) const {
  if (ref.empty() || ref[0] != '#') return nullptr;
  const json* cur = &root_;
  size_t pos = 1;
  while (pos < ref.size()) {
    if (ref[pos] != '/') return nullptr;
    const size_t next = std::min(ref.find('/', pos + 1), ref.size());
    std::string token = ref.substr(pos + 1, next - pos - 1);
    for (size_t i = 0; (i = token.find('~', i)) != std::string::npos; ++i) {
      if (i + 1 >= token.size() || (token[i + 1] != '0' && token[i + 1] != '1')) return nullptr;
      token.replace(i, 2, token[i + 1] == '0' ? "~" : "/");
    }
    if (cur->is_object()) {
      auto it = cur->find(token);
      if (it == cur->end()) return nullptr;
      cur = &*it;
    } else if (cur->is_array()) {
      if (token.empty() || token.size() > 9 || token.find_first_not_of("0123456789") != std::string::npos) return nullptr;
      const size_t idx = std::stoul(token);
      if (idx >= cur->size()) return nullptr;
      cur = &(*cur)[idx];
    } else {
      return nullptr;
    }
    pos = next;
  }
  return cur;
}

// A reference counts as one nesting level: a chain of references that each lead to the next
// ends at max_depth like any other nesting (instead of recursing once per link).
Result<std::string> Compiler::ref_rule(const std::string& ref, const std::string& path, uint32_t depth) {
  auto it = refs_.find(ref);
  if (it != refs_.end()) return it->second;
  const json* target = resolve(ref);
  if (!target) return unsupported("$ref", path, "only local references '#' and '#/...' that resolve are supported; seen '" + ref + "'");
  const std::string name = "ref-" + std::to_string(refs_.size() + 1);
  refs_.emplace(ref, name);
  ONDO_ASSIGN_OR_RETURN(std::string body, value(*target, ref.substr(1), depth + 1));
  define(name, body);
  return name;
}

Status Compiler::check_keywords(const json& s, const std::string& path) const {
  for (const auto& [k, v] : s.items()) {
    if (annotations().count(k) || known_keywords().count(k)) continue;
    return unsupported(k, path);
  }
  if (s.contains("uniqueItems") && s["uniqueItems"] != json(false)) return unsupported("uniqueItems", path, "only false");
  return ok_status();
}

// Keywords of `s` that assert something (not annotations).
std::vector<std::string> Compiler::assertions(const json& s) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : s.items()) {
    if (!annotations().count(k)) out.push_back(k);
  }
  return out;
}

Result<std::string> Compiler::value(const json& s, const std::string& path, uint32_t depth) {
  if (depth > opt_.max_depth) return make_error(ErrorCode::TooLarge, "schema: nested deeper than " + std::to_string(opt_.max_depth) + " at " + path);
  ONDO_TRY(check_size());
  if (s.is_boolean()) {
    if (s.get<bool>()) return std::string("json-value");
    return invalid(path, "schema false allows no value");
  }
  if (!s.is_object()) return invalid(path, "a schema must be an object or a boolean");
  ONDO_TRY(check_keywords(s, path));
  const auto keys = assertions(s);
  auto only = [&](std::initializer_list<const char*> allowed, const char* main) -> Status {
    for (const auto& k : keys) {
      if (std::find_if(allowed.begin(), allowed.end(), [&](const char* a) { return k == a; }) == allowed.end()) {
        return unsupported(k, path, std::string("combined with '") + main + "'");
      }
    }
    return ok_status();
  };
  if (s.contains("$ref")) {
    ONDO_TRY(only({"$ref"}, "$ref"));
    if (!s["$ref"].is_string()) return invalid(path + "/$ref", "must be a string");
    return ref_rule(s["$ref"].get<std::string>(), path, depth);
  }
  if (s.contains("allOf")) return all_of(s, path, depth);
  if (s.contains("anyOf") || s.contains("oneOf")) {
    const char* kw = s.contains("anyOf") ? "anyOf" : "oneOf";
    ONDO_TRY(only({kw}, kw));
    return any_of(s[kw], kw, path + "/" + kw, depth);
  }
  if (s.contains("const") || s.contains("enum")) {
    ONDO_TRY(only({"const", "enum", "type"}, s.contains("const") ? "const" : "enum"));
    return constants(s, path);
  }
  return typed(s, path, depth);
}

Result<std::string> Compiler::any_of(const json& branches, const std::string& kw, const std::string& path, uint32_t depth) {
  if (!branches.is_array() || branches.empty()) return invalid(path, "must be a non-empty array");
  if (kw == "oneOf") ONDO_TRY(check_disjoint(branches, path));
  std::string out = "(";
  for (size_t i = 0; i < branches.size(); ++i) {
    ONDO_ASSIGN_OR_RETURN(std::string b, value(branches[i], path + "/" + std::to_string(i), depth + 1));
    out += (i ? " | " : "") + b;
  }
  return out + ")";
}

namespace {

std::set<std::string> value_types(const json& v) {
  if (v.is_null()) return {"null"};
  if (v.is_boolean()) return {"boolean"};
  if (v.is_number()) return {"number"};
  if (v.is_string()) return {"string"};
  if (v.is_array()) return {"array"};
  return {"object"};
}

// The JSON types a schema may accept ("integer" counts as "number").
std::set<std::string> type_set(const json& s, const Compiler& c, int depth) {
  static const std::set<std::string> all = {"null", "boolean", "number", "string", "array", "object"};
  if (depth > 32 || !s.is_object()) return all;
  if (s.contains("$ref") && s["$ref"].is_string()) {
    const json* t = c.resolve(s["$ref"].get<std::string>());
    return t ? type_set(*t, c, depth + 1) : all;
  }
  if (s.contains("const")) return value_types(s["const"]);
  if (s.contains("enum") && s["enum"].is_array()) {
    std::set<std::string> out;
    for (const auto& v : s["enum"]) for (const auto& t : value_types(v)) out.insert(t);
    return out;
  }
  for (const char* kw : {"anyOf", "oneOf"}) {
    if (!s.contains(kw) || !s[kw].is_array()) continue;
    std::set<std::string> out;
    for (const auto& b : s[kw]) for (const auto& t : type_set(b, c, depth + 1)) out.insert(t);
    return out;
  }
  if (!s.contains("type")) return all;
  std::set<std::string> out;
  const json types = s["type"].is_array() ? s["type"] : json::array({s["type"]});
  for (const auto& t : types) {
    if (t.is_string()) out.insert(t.get<std::string>() == "integer" ? "number" : t.get<std::string>());
  }
  return out;
}

}  // namespace

Status Compiler::check_disjoint(const json& branches, const std::string& path) const {
  bool all_constants = true;
  std::set<json> seen;  // ordered lookup: a scan per constant was quadratic
  for (const auto& b : branches) {
    const bool is_const = b.is_object() && (b.contains("const") || b.contains("enum")) && assertions(b).size() == 1;
    if (!is_const) {
      all_constants = false;
      break;
    }
    const json values = b.contains("const") ? json::array({b["const"]}) : b["enum"];
    if (!values.is_array()) return invalid(path, "enum must be an array");
    for (const auto& v : values) {
      if (!seen.insert(v).second) all_constants = false;
    }
  }
  if (all_constants) return ok_status();
  std::set<std::string> used;
  for (const auto& b : branches) {
    for (const auto& t : type_set(b, *this, 0)) {
      if (!used.insert(t).second) {
        return make_error(ErrorCode::Unsupported, "schema: keyword 'oneOf' at " + path +
                                                      " is not supported (branches may overlap in type '" + t +
                                                      "'; only branches of disjoint types or distinct constants are)");
      }
    }
  }
  return ok_status();
}

Result<std::string> Compiler::constants(const json& s, const std::string& path) {
  json values = s.contains("const") ? json::array({s["const"]}) : s["enum"];
  if (!values.is_array() || values.empty()) return invalid(path + "/enum", "must be a non-empty array");
  std::set<std::string> allowed;
  if (s.contains("type")) {
    const json types = s["type"].is_array() ? s["type"] : json::array({s["type"]});
    for (const auto& t : types) if (t.is_string()) allowed.insert(t.get<std::string>());
  }
  std::string out = "(";
  int n = 0;
  for (const auto& v : values) {
    if (!allowed.empty()) {
      const std::string t = *value_types(v).begin();
      // a float with no fractional part is an integer (JSON Schema); std::trunc, because a
      // cast to int64_t is undefined beyond its range
      const bool is_int = v.is_number_integer() || (v.is_number_float() && std::trunc(v.get<double>()) == v.get<double>());
      if (!allowed.count(t) && !(t == "number" && is_int && allowed.count("integer"))) continue;
    }
    out += (n++ ? " | " : "") + gbnf_quote(v.dump(-1, ' ', false, json::error_handler_t::replace));
  }
  if (n == 0) return invalid(path, "no enum/const value has the declared type");
  return out + ")";
}

}  // namespace schema

namespace {

// Whether a container of `root` lies more than `limit` levels deep (`{}` is at level 1).
// Iterative: it runs before anything that walks the document recursively (compare, copy, dump).
template <class J>
bool nested_deeper_than(const J& root, uint32_t limit) {
  std::vector<std::pair<const J*, uint32_t>> todo{{&root, 1}};
  while (!todo.empty()) {
    const auto [j, level] = todo.back();
    todo.pop_back();
    if (!j->is_structured()) continue;
    if (level > limit) return true;
    for (const auto& child : *j) todo.emplace_back(&child, level + 1);
  }
  return false;
}

template <class J>
Status check_json_depth(const J& schema, const SchemaOptions& options) {
  if (!nested_deeper_than(schema, options.max_json_depth)) return ok_status();
  return make_error(ErrorCode::TooLarge, "schema: JSON nested deeper than " + std::to_string(options.max_json_depth) +
                                             " levels (limit max_json_depth)");
}

}  // namespace

Result<std::string> json_schema_to_gbnf(const nlohmann::ordered_json& schema, const SchemaOptions& options) {
  ONDO_TRY(check_json_depth(schema, options));
  schema::Compiler c(schema, options);
  return c.run();
}

Result<std::shared_ptr<const Grammar>> compile_json_schema(const nlohmann::ordered_json& schema,
                                                           const SchemaOptions& options) {
  ONDO_ASSIGN_OR_RETURN(std::string text, json_schema_to_gbnf(schema, options));
  auto g = parse_gbnf(text, "root");
  if (!g.ok()) return g.error().with_context("schema");
  return g;
}

Result<std::shared_ptr<const Grammar>> compile_json_schema(const nlohmann::json& schema, const SchemaOptions& options) {
  ONDO_TRY(check_json_depth(schema, options));
  return compile_json_schema_text(schema.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), options);
}

Result<std::shared_ptr<const Grammar>> compile_json_schema_text(std::string_view schema_text, const SchemaOptions& options) {
  auto parsed = nlohmann::ordered_json::parse(schema_text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return make_error(ErrorCode::InvalidArgument, "schema: not valid JSON");
  return compile_json_schema(parsed, options);
}

std::shared_ptr<const Grammar> json_object_grammar() {
  static const std::shared_ptr<const Grammar> g = [] {
    auto r = compile_json_schema(nlohmann::ordered_json{{"type", "object"}});
    return r.ok() ? *r : nullptr;
  }();
  return g;
}

}  // namespace ondo::infer::grammar
