// JSON Schema compiler, typed values: strings, integers, objects (declared order,
// optional properties omissible, extra properties under keys that differ from every
// declared one), arrays (prefixItems, items, counts) and allOf merging.
// Layer: infer (grammar/).
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>

#include "ondo/infer/grammar/json_schema_compiler.h"
#include "ondo/infer/grammar/json_schema_parts.h"

namespace ondo::infer::grammar::schema {
namespace {

using json = nlohmann::ordered_json;
constexpr uint32_t kInf = std::numeric_limits<uint32_t>::max();
const char* const kQuote = "\"\\\"\"";  // GBNF literal of one '"'

std::string join(const std::vector<std::string>& alts) {
  if (alts.size() == 1) return alts[0];
  std::string out = "(";
  for (size_t i = 0; i < alts.size(); ++i) out += (i ? " | " : "") + alts[i];
  return out + ")";
}

}  // namespace

Result<uint32_t> Compiler::count(const json& s, const char* kw, const std::string& path, uint32_t fallback) const {
  if (!s.contains(kw)) return fallback;
  const json& v = s[kw];
  if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<int64_t>() >= 0)) {
    return invalid(path + "/" + kw, "must be a non-negative integer");
  }
  const uint64_t n = v.get<uint64_t>();
  if (n > opt_.max_repeat) {
    return make_error(ErrorCode::TooLarge, "schema: keyword '" + std::string(kw) + "' at " + (path.empty() ? "/" : path) +
                                               ": " + std::to_string(n) + " exceeds the limit " + std::to_string(opt_.max_repeat));
  }
  return uint32_t(n);
}

Result<std::string> Compiler::typed(const json& s, const std::string& path, uint32_t depth) {
  static const std::vector<std::string> kAll = {"null", "boolean", "object", "array", "string", "number"};
  std::vector<std::string> types;
  if (s.contains("type")) {
    const json list = s["type"].is_array() ? s["type"] : json::array({s["type"]});
    for (const auto& t : list) {
      const std::string name = t.is_string() ? t.get<std::string>() : "";
      if (name != "integer" && std::find(kAll.begin(), kAll.end(), name) == kAll.end()) {
        return invalid(path + "/type", "unknown type " + t.dump());
      }
      if (std::find(types.begin(), types.end(), name) == types.end()) types.push_back(name);
    }
    if (types.empty()) return invalid(path + "/type", "no type given");
  } else {
    types = kAll;
  }
  const bool has_number = std::find(types.begin(), types.end(), "number") != types.end();
  if (has_number) std::erase(types, std::string("integer"));
  std::vector<std::string> alts;
  for (const auto& t : types) {
    std::string e;
    if (t == "null") e = "json-null";
    if (t == "boolean") e = "json-bool";
    if (t == "number") { ONDO_ASSIGN_OR_RETURN(e, number_value(s, path)); }
    if (t == "string") { ONDO_ASSIGN_OR_RETURN(e, string_value(s, path)); }
    if (t == "integer") { ONDO_ASSIGN_OR_RETURN(e, integer_value(s, path)); }
    if (t == "object") { ONDO_ASSIGN_OR_RETURN(e, object_value(s, path, depth)); }
    if (t == "array") { ONDO_ASSIGN_OR_RETURN(e, array_value(s, path, depth)); }
    alts.push_back(e);
  }
  return join(alts);
}

Result<std::string> Compiler::string_value(const json& s, const std::string& path) {
  const bool len = s.contains("minLength") || s.contains("maxLength");
  if (s.contains("format")) {
    for (const char* kw : {"pattern", "minLength", "maxLength"}) {
      if (s.contains(kw)) return unsupported(kw, path, "combined with 'format'");
    }
    if (!s["format"].is_string()) return invalid(path + "/format", "must be a string");
    auto content = format_content(s["format"].get<std::string>());
    if (!content.ok()) return unsupported("format", path, content.error().message + "; supported: date, time, date-time, uuid, email");
    return new_rule("format", std::string(kQuote) + " " + *content + " " + kQuote);
  }
  if (s.contains("pattern")) {
    if (len) return unsupported(s.contains("minLength") ? "minLength" : "maxLength", path, "combined with 'pattern'");
    if (!s["pattern"].is_string()) return invalid(path + "/pattern", "must be a string");
    auto content = regex_content(s["pattern"].get<std::string>(), "json-char", opt_.max_repeat);
    if (!content.ok()) {
      if (content.error().code == ErrorCode::Unsupported) return unsupported("pattern", path, content.error().message);
      return content.error().with_context("schema: " + path + "/pattern");
    }
    return new_rule("pattern", std::string(kQuote) + " " + *content + " " + kQuote);
  }
  if (!len) return std::string("json-string");
  ONDO_ASSIGN_OR_RETURN(uint32_t lo, count(s, "minLength", path, 0));
  ONDO_ASSIGN_OR_RETURN(uint32_t hi, count(s, "maxLength", path, kInf));
  if (hi < lo) return invalid(path, "maxLength is below minLength");
  const std::string rep = "{" + std::to_string(lo) + "," + (hi == kInf ? "" : std::to_string(hi)) + "}";
  return new_rule("string", std::string(kQuote) + " json-char" + rep + " " + kQuote);
}

Result<std::string> Compiler::number_value(const json& s, const std::string& path) {
  std::vector<NumberBound> lower, upper;
  const char* first = nullptr;
  for (const char* kw : {"minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"}) {
    if (!s.contains(kw)) continue;
    const json& v = s[kw];
    if (!v.is_number()) return invalid(path + "/" + kw, "must be a number");
    if (!first) first = kw;
    const std::string k = kw;
    (k.find("inimum") != std::string::npos ? lower : upper).push_back({v.dump(), k.starts_with("exclusive")});
  }
  if (!first) return std::string("json-number");
  auto range = number_range(lower, upper);
  if (!range.ok()) {
    if (range.error().code == ErrorCode::Unsupported) return unsupported(first, path, range.error().message);
    return invalid(path, range.error().message);
  }
  return new_rule("num", *range);
}

Result<std::string> Compiler::integer_value(const json& s, const std::string& path) {
  std::optional<int64_t> lo, hi;
  constexpr double kLimit = 1e18;
  for (const char* kw : {"minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"}) {
    if (!s.contains(kw)) continue;
    const json& v = s[kw];
    if (!v.is_number()) return invalid(path + "/" + kw, "must be a number");
    const double d = v.get<double>();
    if (!(std::fabs(d) <= kLimit)) return unsupported(kw, path, "bounds beyond 1e18 in magnitude");
    const bool exact = v.is_number_integer();
    const int64_t i = exact ? v.get<int64_t>() : 0;
    const std::string k = kw;
    int64_t b = 0;
    if (k == "minimum") b = exact ? i : int64_t(std::ceil(d));
    if (k == "exclusiveMinimum") b = exact ? i + 1 : int64_t(std::floor(d)) + 1;
    if (k == "maximum") b = exact ? i : int64_t(std::floor(d));
    if (k == "exclusiveMaximum") b = exact ? i - 1 : int64_t(std::ceil(d)) - 1;
    if (k.find("inimum") != std::string::npos) {
      lo = lo ? std::max(*lo, b) : b;
    } else {
      hi = hi ? std::min(*hi, b) : b;
    }
  }
  if (!lo && !hi) return std::string("json-int");
  if (lo && hi && *lo > *hi) return invalid(path, "no integer lies within the bounds");
  return new_rule("int", integer_range(lo, hi));
}

// Keys that differ from every declared property name (declared names with characters that
// JSON must escape can never collide: these keys use no escapes).
Result<std::string> Compiler::extra_key(const json& props) {
  struct Node {
    std::map<uint32_t, int> next;
    bool terminal = false;
  };
  std::vector<Node> trie(1);
  for (const auto& [name, v] : props.items()) {
    std::vector<uint32_t> cps;
    bool plain = true;
    for (size_t i = 0; i < name.size();) {
      const auto c = uint8_t(name[i]);
      const int n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
      uint32_t cp = n == 1 ? c : c & (0x7F >> n);
      for (int k = 1; k < n && i + size_t(k) < name.size(); ++k) cp = (cp << 6) | (uint8_t(name[i + size_t(k)]) & 0x3F);
      i += size_t(n);
      plain = plain && cp >= 0x20 && cp != '"' && cp != '\\';
      cps.push_back(cp);
    }
    if (!plain) continue;
    int at = 0;
    for (uint32_t cp : cps) {
      auto it = trie[size_t(at)].next.find(cp);
      if (it == trie[size_t(at)].next.end()) {
        trie.emplace_back();
        it = trie[size_t(at)].next.emplace(cp, int(trie.size() - 1)).first;
      }
      at = it->second;
    }
    trie[size_t(at)].terminal = true;
  }
  // Rules bottom-up (children have larger indices).
  std::vector<std::string> names(trie.size());
  for (size_t i = trie.size(); i-- > 0;) {
    std::vector<CpRange> excluded{{0, 0x1F}, {'"', '"'}, {'\\', '\\'}};
    std::vector<std::string> alts;
    for (const auto& [cp, child] : trie[i].next) {
      excluded.emplace_back(cp, cp);
      alts.push_back(class_expr({{cp, cp}}) + " " + names[size_t(child)]);
    }
    const auto rest = normalize_ranges(excluded, true);
    if (!rest.empty()) alts.push_back(class_expr(rest) + " json-char*");
    if (!trie[i].terminal) alts.push_back("\"\"");
    names[i] = new_rule("xkey", join(alts));
    ONDO_TRY(check_size());
  }
  return std::string(kQuote) + " " + names[0] + " " + kQuote;
}

Result<std::string> Compiler::object_value(const json& s, const std::string& path, uint32_t depth) {
  const json props = s.contains("properties") ? s["properties"] : json::object();
  if (!props.is_object()) return invalid(path + "/properties", "must be an object");
  std::set<std::string> required;
  if (s.contains("required")) {
    if (!s["required"].is_array()) return invalid(path + "/required", "must be an array");
    for (const auto& r : s["required"]) {
      if (!r.is_string()) return invalid(path + "/required", "must hold strings");
      if (!props.contains(r.get<std::string>())) {
        return unsupported("required", path, "required property '" + r.get<std::string>() + "' is not in 'properties'");
      }
      required.insert(r.get<std::string>());
    }
  }
  const json extra = s.contains("additionalProperties") ? s["additionalProperties"] : json(props.empty());
  if (props.empty() && extra == json(true)) return std::string("json-object");
  std::string after, first = "\"\"";
  if (extra != json(false)) {
    std::string extra_val = "json-value";
    if (extra != json(true)) { ONDO_ASSIGN_OR_RETURN(extra_val, value(extra, path + "/additionalProperties", depth + 1)); }
    ONDO_ASSIGN_OR_RETURN(std::string key, extra_key(props));
    const std::string xkv = new_rule("xkv", key + " ws \":\" sep " + extra_val);
    after = new_rule("xrest", "( ws \",\" sep " + xkv + " )*");
    first = "( " + xkv + " " + after + " )?";
  }
  std::vector<std::pair<std::string, std::string>> items;  // (key, value expression)
  for (const auto& [name, sub] : props.items()) {
    std::string pointer = name;
    for (size_t i = 0; (i = pointer.find_first_of("~/", i)) != std::string::npos; i += 2) {
      pointer.replace(i, 1, pointer[i] == '~' ? "~0" : "~1");
    }
    ONDO_ASSIGN_OR_RETURN(std::string v, value(sub, path + "/properties/" + pointer, depth + 1));
    items.emplace_back(name, v);
  }
  for (size_t i = items.size(); i-- > 0;) {
    const bool req = required.count(items[i].first) > 0;
    const std::string key = json(items[i].first).dump(-1, ' ', false, json::error_handler_t::replace);
    const std::string kv = new_rule("kv", gbnf_quote(key) + " ws \":\" sep " + items[i].second);
    const std::string seg = "ws \",\" sep " + kv;
    const std::string after_i = new_rule("after", (req ? seg : "( " + seg + " )?") + " " + after);
    first = new_rule("first", kv + " " + after + (req ? "" : " | " + first));
    after = after_i;
  }
  return new_rule("object", "\"{\" ws " + first + " ws \"}\"");
}

Result<std::string> Compiler::array_value(const json& s, const std::string& path, uint32_t depth) {
  const json prefix = s.contains("prefixItems") ? s["prefixItems"] : json::array();
  if (!prefix.is_array()) return invalid(path + "/prefixItems", "must be an array");
  const json items = s.contains("items") ? s["items"] : json(true);
  if (items.is_array()) return unsupported("items", path, "the array form; use prefixItems");
  const bool open = items != json(false);
  ONDO_ASSIGN_OR_RETURN(uint32_t min, count(s, "minItems", path, 0));
  ONDO_ASSIGN_OR_RETURN(uint32_t max, count(s, "maxItems", path, kInf));
  const uint32_t k = uint32_t(std::min<size_t>(prefix.size(), opt_.max_repeat));
  const uint32_t cap = open ? max : std::min(max, k);
  if (min > cap) return invalid(path, "no array satisfies the item counts");
  std::string item = "json-value";
  if (open && items != json(true)) {
    ONDO_ASSIGN_OR_RETURN(std::string v, value(items, path + "/items", depth + 1));
    item = new_rule("item", v);
  }
  uint32_t q = std::min(std::max(k, min), cap);
  if (q == 0 && cap > 0) q = 1;
  std::string rest;
  if (q < cap) rest = "( ws \",\" sep " + item + " )" + (cap == kInf ? "*" : "{0," + std::to_string(cap - q) + "}");
  for (uint32_t i = q; i-- > 0;) {
    std::string e = item;
    if (i < k) { ONDO_ASSIGN_OR_RETURN(e, value(prefix[i], path + "/prefixItems/" + std::to_string(i), depth + 1)); }
    const std::string elem = (i > 0 ? "ws \",\" sep " : "") + e + " " + rest;
    rest = new_rule("elem", i < min ? elem : "( " + elem + " )?");
    ONDO_TRY(check_size());
  }
  return new_rule("array", "\"[\" ws " + rest + " ws \"]\"");
}

Result<std::string> Compiler::all_of(const json& s, const std::string& path, uint32_t depth) {
  const json& branches = s["allOf"];
  if (!branches.is_array() || branches.empty()) return invalid(path + "/allOf", "must be a non-empty array");
  json merged = s;
  merged.erase("allOf");
  std::vector<json> sources{merged};
  for (size_t i = 0; i < branches.size(); ++i) {
    json b = branches[i];
    if (b == json(true)) continue;
    if (!b.is_object()) return unsupported("allOf", path, "branch " + std::to_string(i) + " is not an object");
    if (b.contains("$ref") && assertions(b).size() == 1 && b["$ref"].is_string()) {
      const json* t = resolve(b["$ref"].get<std::string>());
      if (!t || !t->is_object()) return unsupported("allOf", path, "branch " + std::to_string(i) + " refers to a non-object schema");
      b = *t;
    }
    for (const auto& [k, v] : b.items()) {
      if (k == "$defs" || k == "definitions" || k == "title" || k == "description" || k == "$comment") continue;
      if (k == "required") {
        json r = merged.contains("required") ? merged["required"] : json::array();
        for (const auto& x : v) if (std::find(r.begin(), r.end(), x) == r.end()) r.push_back(x);
        merged["required"] = r;
      } else if (k == "properties" && v.is_object()) {
        for (const auto& [name, sub] : v.items()) {
          if (merged["properties"].contains(name) && merged["properties"][name] != sub) {
            return unsupported("allOf", path, "property '" + name + "' is constrained differently in several branches");
          }
          merged["properties"][name] = sub;
        }
      } else if (merged.contains(k) && merged[k] != v) {
        return unsupported("allOf", path, "keyword '" + k + "' appears in several branches with different values");
      } else {
        merged[k] = v;
      }
    }
    sources.push_back(b);
  }
  for (const auto& src : sources) {
    if (!src.contains("additionalProperties") || src["additionalProperties"] == json(true) || !merged.contains("properties")) continue;
    for (const auto& [name, sub] : merged["properties"].items()) {
      if (!src.contains("properties") || !src["properties"].contains(name)) {
        return unsupported("allOf", path, "a branch with additionalProperties does not declare property '" + name + "'");
      }
    }
  }
  return value(merged, path, depth + 1);
}

Result<std::string> Compiler::run() {
  ONDO_ASSIGN_OR_RETURN(std::string root, value(root_, "", 0));
  std::string text = prelude() + "root ::= " + root + "\n";
  for (const auto& r : rules_) text += r + "\n";
  if (text.size() > opt_.max_grammar_bytes) {
    return make_error(ErrorCode::TooLarge, "schema: the grammar has " + std::to_string(text.size()) + " bytes (limit " +
                                               std::to_string(opt_.max_grammar_bytes) + ")");
  }
  return text;
}

}  // namespace ondo::infer::grammar::schema
