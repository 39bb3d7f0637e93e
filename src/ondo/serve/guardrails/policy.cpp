// Parsing and printing guardrail policies. Layer: serve (guardrails).
#include "ondo/serve/guardrails/policy.h"

#include <algorithm>
#include <set>

namespace ondo::serve::guardrails {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxRules = 256;
constexpr size_t kMaxWords = 10000;
constexpr size_t kMaxPatternBytes = 4096;

struct TypeRow {
  RuleType type;
  const char* name;
};
constexpr TypeRow kTypes[] = {{RuleType::Regex, "regex"},
                              {RuleType::Blocklist, "blocklist"},
                              {RuleType::MaxChars, "max_chars"},
                              {RuleType::MaxTokens, "max_tokens"},
                              {RuleType::Pii, "pii"}};

const char* type_name(RuleType t) {
  for (const TypeRow& r : kTypes) {
    if (r.type == t) return r.name;
  }
  return "?";
}

Error bad(const std::string& path, const std::string& what) { return field_error(ErrorCode::InvalidArgument, path, what); }

bool valid_reason(std::string_view r) {
  if (r.size() < 11 || r.size() > 128 || r.rfind("guardrail.", 0) != 0) return false;
  return std::all_of(r.begin(), r.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_';
  });
}

Result<std::string> string_field(const json& rule, const std::string& path, const char* name) {
  const json& v = rule.at(name);
  if (!v.is_string()) return bad(path + "." + name, "expected a string");
  return v.get<std::string>();
}

Status parse_stages(const json& rule, const std::string& path, Rule& r) {
  if (!rule.contains("stages")) return ok_status();
  const json& s = rule.at("stages");
  if (!s.is_array() || s.empty()) return bad(path + ".stages", "expected a non-empty array of \"input\" / \"output\"");
  r.on_input = r.on_output = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const std::string p = path + ".stages[" + std::to_string(i) + "]";
    if (s[i] == "input") r.on_input = true;
    else if (s[i] == "output") r.on_output = true;
    else return bad(p, "expected \"input\" or \"output\"");
  }
  return ok_status();
}

Status parse_kind(const json& rule, const std::string& path, Rule& r) {
  switch (r.type) {
    case RuleType::Pii: {
      if (!rule.contains("detector")) return bad(path + ".detector", "missing (email, phone, kr_rrn, card, ipv4, ipv6, iban)");
      ONDO_ASSIGN_OR_RETURN(std::string d, string_field(rule, path, "detector"));
      auto kind = pii_kind_named(d);
      if (!kind) return bad(path + ".detector", "unknown detector '" + d.substr(0, 40) + "' (expected email, phone, kr_rrn, card, ipv4, ipv6 or iban)");
      r.pii = *kind;
      return ok_status();
    }
    case RuleType::Regex: {
      if (!rule.contains("pattern")) return bad(path + ".pattern", "missing");
      ONDO_ASSIGN_OR_RETURN(r.pattern, string_field(rule, path, "pattern"));
      if (r.pattern.empty() || r.pattern.size() > kMaxPatternBytes) return bad(path + ".pattern", "expected 1 to 4096 bytes");
      if (rule.contains("case_insensitive")) {
        if (!rule.at("case_insensitive").is_boolean()) return bad(path + ".case_insensitive", "expected true or false");
        r.caseless = rule.at("case_insensitive").get<bool>();
      }
      if (rule.contains("max_match_bytes")) {
        const json& m = rule.at("max_match_bytes");
        if (!m.is_number_integer() || m.get<int64_t>() < 1 || m.get<int64_t>() > 65536) {
          return bad(path + ".max_match_bytes", "expected an integer from 1 to 65536");
        }
        r.max_match_bytes = size_t(m.get<int64_t>());
      }
      return ok_status();
    }
    case RuleType::Blocklist: {
      if (!rule.contains("words")) return bad(path + ".words", "missing");
      const json& w = rule.at("words");
      if (!w.is_array() || w.empty() || w.size() > kMaxWords) return bad(path + ".words", "expected an array of 1 to 10000 strings");
      for (size_t i = 0; i < w.size(); ++i) {
        const std::string p = path + ".words[" + std::to_string(i) + "]";
        if (!w[i].is_string() || w[i].get<std::string>().empty()) return bad(p, "expected a non-empty string");
        if (w[i].get<std::string>().size() > 256) return bad(p, "longer than 256 bytes");
        r.words.push_back(w[i].get<std::string>());
      }
      return ok_status();
    }
    case RuleType::MaxChars:
    case RuleType::MaxTokens: {
      if (!rule.contains("limit")) return bad(path + ".limit", "missing");
      const json& l = rule.at("limit");
      if (!l.is_number_integer() || l.get<int64_t>() < 1) return bad(path + ".limit", "expected a positive integer");
      r.limit = l.get<int64_t>();
      if (r.action == Action::Redact) return bad(path + ".action", "a length limit takes \"block\" or \"flag\"");
      if (r.type == RuleType::MaxTokens && r.on_output) {
        return bad(path + ".stages", "max_tokens applies to input only (limit output with the request's max_tokens)");
      }
      return ok_status();
    }
  }
  return ok_status();
}

// `id` in reason-code spelling: lower case; other characters than a-z 0-9 . _ become '_'.
std::string reason_word(std::string_view id) {
  std::string out;
  for (char c : id) {
    const char l = (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
    out += ((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '.' || l == '_') ? l : '_';
  }
  return out;
}

std::string default_reason(const Rule& r) {
  switch (r.type) {
    case RuleType::Pii: return std::string("guardrail.pii.") + pii_info(r.pii).name;
    case RuleType::Regex: return "guardrail.regex." + reason_word(r.id);
    case RuleType::Blocklist: return "guardrail.blocklist." + reason_word(r.id);
    case RuleType::MaxChars: return "guardrail.length.chars";
    case RuleType::MaxTokens: return "guardrail.length.tokens";
  }
  return "guardrail";
}

Result<Rule> parse_rule(const json& rule, size_t index) {
  const std::string path = "rules[" + std::to_string(index) + "]";
  if (!rule.is_object()) return bad(path, "expected an object");
  static const std::set<std::string> kKnown = {"id", "type", "action", "stages", "reason", "replacement", "detector",
                                               "pattern", "case_insensitive", "max_match_bytes", "words", "limit"};
  for (const auto& [k, v] : rule.items()) {
    if (!kKnown.count(k)) return bad(path + "." + k.substr(0, 40), "unknown field");
  }
  Rule r;
  if (!rule.contains("type")) return bad(path + ".type", "missing (regex, blocklist, max_chars, max_tokens or pii)");
  ONDO_ASSIGN_OR_RETURN(std::string type, string_field(rule, path, "type"));
  auto t = std::find_if(std::begin(kTypes), std::end(kTypes), [&](const TypeRow& row) { return type == row.name; });
  if (t == std::end(kTypes)) return bad(path + ".type", "unknown type '" + type.substr(0, 40) + "' (expected regex, blocklist, max_chars, max_tokens or pii)");
  r.type = t->type;
  if (!rule.contains("action")) return bad(path + ".action", "missing (block, redact or flag)");
  ONDO_ASSIGN_OR_RETURN(std::string action, string_field(rule, path, "action"));
  if (action == "block") r.action = Action::Block;
  else if (action == "redact") r.action = Action::Redact;
  else if (action == "flag") r.action = Action::Flag;
  else return bad(path + ".action", "expected block, redact or flag (seen '" + action.substr(0, 40) + "')");
  ONDO_TRY(parse_stages(rule, path, r));
  ONDO_TRY(parse_kind(rule, path, r));
  r.id = type_name(r.type);
  if (r.type == RuleType::Pii) r.id += std::string("-") + pii_info(r.pii).name;
  r.id += "-" + std::to_string(index);
  if (rule.contains("id")) {
    ONDO_ASSIGN_OR_RETURN(r.id, string_field(rule, path, "id"));
    if (r.id.empty() || r.id.size() > 64) return bad(path + ".id", "expected 1 to 64 bytes");
  }
  r.reason = default_reason(r);
  if (rule.contains("reason")) {
    ONDO_ASSIGN_OR_RETURN(r.reason, string_field(rule, path, "reason"));
    if (!valid_reason(r.reason)) return bad(path + ".reason", "expected \"guardrail.\" and lower-case letters, digits, '.' or '_' (up to 128)");
  }
  r.replacement = r.type == RuleType::Pii ? pii_info(r.pii).replacement : "[REDACTED]";
  if (rule.contains("replacement")) {
    ONDO_ASSIGN_OR_RETURN(r.replacement, string_field(rule, path, "replacement"));
    if (r.replacement.size() > 256) return bad(path + ".replacement", "longer than 256 bytes");
  }
  return r;
}

}  // namespace

std::string_view stage_name(Stage s) { return s == Stage::Input ? "input" : "output"; }

std::string_view action_name(Action a) {
  switch (a) {
    case Action::Block: return "block";
    case Action::Redact: return "redact";
    case Action::Flag: return "flag";
  }
  return "?";
}

bool valid_policy_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  if (name == "attach" || name == "detach" || name == "attachments" || name == "decisions") return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

Result<Policy> parse_policy(const json& body) {
  if (!body.is_object()) return make_error(ErrorCode::InvalidArgument, "request body: expected a JSON object");
  for (const auto& [k, v] : body.items()) {
    if (k != "name" && k != "description" && k != "rules") return bad(k.substr(0, 40), "unknown field");
  }
  Policy p;
  if (!body.contains("name") || !body.at("name").is_string()) return bad("name", "expected a string");
  p.name = body.at("name").get<std::string>();
  if (!valid_policy_name(p.name)) {
    return bad("name", "expected 1 to 64 of A-Z a-z 0-9 . _ - (and not attach, detach, attachments or decisions)");
  }
  if (body.contains("description")) {
    if (!body.at("description").is_string()) return bad("description", "expected a string");
    p.description = body.at("description").get<std::string>();
  }
  if (!body.contains("rules") || !body.at("rules").is_array()) return bad("rules", "expected an array of rules");
  const json& rules = body.at("rules");
  if (rules.size() > kMaxRules) return bad("rules", "more than 256 rules");
  std::set<std::string> ids;
  for (size_t i = 0; i < rules.size(); ++i) {
    ONDO_ASSIGN_OR_RETURN(Rule r, parse_rule(rules[i], i));
    if (!ids.insert(r.id).second) return bad("rules[" + std::to_string(i) + "].id", "'" + r.id + "' is used twice");
    p.rules.push_back(std::move(r));
  }
  return p;
}

json policy_json(const Policy& p) {
  json rules = json::array();
  for (const Rule& r : p.rules) {
    json j = {{"id", r.id}, {"type", type_name(r.type)}, {"action", action_name(r.action)}, {"reason", r.reason}};
    json stages = json::array();
    if (r.on_input) stages.push_back("input");
    if (r.on_output) stages.push_back("output");
    j["stages"] = stages;
    if (r.action == Action::Redact) j["replacement"] = r.replacement;
    switch (r.type) {
      case RuleType::Pii: j["detector"] = pii_info(r.pii).name; break;
      case RuleType::Regex:
        j["pattern"] = r.pattern;
        j["case_insensitive"] = r.caseless;
        j["max_match_bytes"] = r.max_match_bytes;
        break;
      case RuleType::Blocklist: j["words"] = r.words; break;
      case RuleType::MaxChars:
      case RuleType::MaxTokens: j["limit"] = r.limit; break;
    }
    rules.push_back(std::move(j));
  }
  return {{"name", p.name}, {"description", p.description}, {"rules", rules}};
}

}  // namespace ondo::serve::guardrails
