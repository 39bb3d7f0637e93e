// Evaluation datasets: JSONL rows parsed and checked up front, so a bad row fails the run
// before any model work, naming its line. Layer: eval.
#include "ondo/eval/dataset.h"

#include <fstream>
#include <map>
#include <sstream>

#include "ondo/eval/metrics.h"
#include "ondo/infer/grammar/grammar.h"
#include "ondo/infer/grammar/json_schema.h"
#include "ondo/text/chat_template/chat_template.h"

namespace ondo::eval {
namespace {

using ojson = nlohmann::ordered_json;

constexpr const char* kRowKeys[] = {"id", "messages", "prompt", "input", "expected", "schema", "checks", "meta"};
constexpr const char* kCheckKeys[] = {"exact", "json", "fields", "contains", "regex", "numeric", "expr"};
constexpr size_t kMaxLineBytes = 16u << 20;

Error bad(size_t line, const std::string& what) {
  return make_error(ErrorCode::InvalidArgument, "line " + std::to_string(line) + ": " + what);
}

bool known(const std::string& key, const auto& keys) {
  for (const char* k : keys) {
    if (key == k) return true;
  }
  return false;
}

// A string or an array of strings, as a list.
Result<std::vector<std::string>> string_list(const ojson& v, size_t line, const std::string& field) {
  std::vector<std::string> out;
  if (v.is_string()) {
    out.push_back(v.get<std::string>());
    return out;
  }
  if (!v.is_array()) return bad(line, field + " must be a string or an array of strings");
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string()) {
      return bad(line, field + "[" + std::to_string(i) + "] must be a string (seen " + v[i].type_name() + ")");
    }
    out.push_back(v[i].get<std::string>());
  }
  return out;
}

Status parse_messages(const ojson& v, size_t line) {
  if (!v.is_array() || v.empty()) return bad(line, "messages must be a non-empty array of {role, content}");
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string f = "messages[" + std::to_string(i) + "]";
    if (!v[i].is_object()) return bad(line, f + " must be an object");
    if (!v[i].contains("role") || !v[i]["role"].is_string()) return bad(line, f + ".role must be a string");
    if (!v[i].contains("content") || !v[i]["content"].is_string()) return bad(line, f + ".content must be a string");
  }
  return ok_status();
}

Result<std::vector<ExprCheck>> parse_expr(const ojson& v, size_t line) {
  std::vector<std::pair<std::string, std::string>> named;
  if (v.is_string()) {
    named.emplace_back("score", v.get<std::string>());
  } else if (v.is_object()) {
    for (const auto& [k, e] : v.items()) {
      if (!e.is_string()) return bad(line, "checks.expr." + k + " must be a string (a Jinja expression)");
      named.emplace_back(k, e.get<std::string>());
    }
  } else {
    return bad(line, "checks.expr must be a string or an object {name: expression}");
  }
  std::vector<ExprCheck> out;
  for (auto& [name, e] : named) {
    if (name.empty() || e.empty()) return bad(line, "checks.expr: a scorer needs a name and an expression");
    // One expression only: no template delimiters, so "{{ (" ... ") }}" holds exactly it.
    for (const char* d : {"{{", "}}", "{%", "%}", "{#", "#}"}) {
      if (e.find(d) != std::string::npos) {
        return bad(line, "checks.expr." + name + ": an expression, without template delimiters (seen '" + d + "')");
      }
    }
    auto t = text::ChatTemplate::parse("{{ (" + e + ") }}", "checks.expr." + name);
    if (!t.ok()) return bad(line, "checks.expr." + name + ": not a valid expression (" + t.error().message + ")");
    out.push_back({name, e, std::make_shared<const text::ChatTemplate>(std::move(t).value())});
  }
  return out;
}

Result<NumericCheck> parse_numeric(const ojson& v, size_t line) {
  NumericCheck c;
  if (v.is_number()) {
    c.tolerance = v.get<double>();
  } else if (v.is_object()) {
    for (const auto& [k, x] : v.items()) {
      if (k == "pointer" && x.is_string()) {
        c.pointer = x.get<std::string>();
      } else if (k == "tolerance" && x.is_number()) {
        c.tolerance = x.get<double>();
      } else {
        return bad(line, "checks.numeric." + k + ": expected pointer (string) or tolerance (number)");
      }
    }
  } else {
    return bad(line, "checks.numeric must be a tolerance (number) or {pointer, tolerance}");
  }
  if (!(c.tolerance >= 0)) return bad(line, "checks.numeric.tolerance must be 0 or more");
  if (!valid_pointer(c.pointer)) return bad(line, "checks.numeric.pointer: not a JSON pointer ('/a/0', '~0' for ~, '~1' for /)");
  return c;
}

Result<Checks> parse_checks(const ojson& v, size_t line) {
  if (!v.is_object()) return bad(line, "checks must be an object");
  Checks c;
  for (const auto& [k, x] : v.items()) {
    if (!known(k, kCheckKeys)) {
      return bad(line, "checks." + k + ": unknown check (expected exact, json, fields, contains, regex, numeric, expr)");
    }
    if (k == "exact" || k == "json") {
      if (!x.is_boolean()) return bad(line, "checks." + k + " must be true or false");
      (k == "exact" ? c.exact : c.json) = x.get<bool>();
    } else if (k == "fields") {
      if (x.is_boolean()) {
        c.fields = x.get<bool>();
      } else {
        ONDO_ASSIGN_OR_RETURN(c.field_keys, string_list(x, line, "checks.fields"));
        if (c.field_keys.empty()) return bad(line, "checks.fields: give true or a non-empty list of keys");
        c.fields = true;
      }
    } else if (k == "contains") {
      ONDO_ASSIGN_OR_RETURN(c.contains, string_list(x, line, "checks.contains"));
    } else if (k == "regex") {
      ONDO_ASSIGN_OR_RETURN(auto pats, string_list(x, line, "checks.regex"));
      for (const auto& p : pats) {
        auto r = Regex::compile(p);
        if (!r.ok()) return bad(line, "checks.regex: " + r.error().message);
        c.regex.push_back(std::move(r).value());
      }
    } else if (k == "numeric") {
      ONDO_ASSIGN_OR_RETURN(c.numeric, parse_numeric(x, line));
    } else {
      ONDO_ASSIGN_OR_RETURN(c.expr, parse_expr(x, line));
    }
  }
  return c;
}

Checks default_checks(const Row& r) {
  Checks c;
  if (r.expected.is_string()) {
    c.exact = true;
  } else if (!r.expected.is_null()) {
    c.json = c.exact = true;
    c.fields = r.expected.is_object();
  }
  return c;
}

Status check_needs(const Row& r) {
  const bool has_expected = r.raw.contains("expected");
  if ((r.checks.exact || r.checks.fields || r.checks.numeric) && !has_expected) {
    return bad(r.line, "checks exact, fields and numeric need an \"expected\" value");
  }
  if (r.checks.fields && !r.expected.is_object()) return bad(r.line, "checks.fields needs an expected object");
  if (r.checks.numeric) {
    const ojson* at = at_pointer(r.expected, r.checks.numeric->pointer);
    if (!at || !at->is_number()) {
      return bad(r.line, "checks.numeric: expected" + r.checks.numeric->pointer + " must be a number");
    }
  }
  return ok_status();
}

Status parse_input(const ojson& j, Row& r) {
  int n_inputs = 0;
  if (j.contains("messages")) {
    ONDO_TRY(parse_messages(j["messages"], r.line));
    r.messages = j["messages"];
    ++n_inputs;
  }
  if (j.contains("prompt")) {
    if (!j["prompt"].is_string()) return bad(r.line, "prompt must be a string");
    r.prompt = j["prompt"].get<std::string>();
    ++n_inputs;
  }
  if (j.contains("input")) {
    if (!j["input"].is_object()) return bad(r.line, "input must be an object of prompt variables");
    r.input = j["input"];
    ++n_inputs;
  }
  if (n_inputs != 1) return bad(r.line, "give exactly one of messages, prompt or input (seen " + std::to_string(n_inputs) + ")");
  return ok_status();
}

}  // namespace

Result<Row> parse_row(std::string_view text, size_t line) {
  if (text.size() > kMaxLineBytes) return bad(line, "row longer than 16 MiB");
  ojson j = ojson::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return bad(line, "not valid JSON");
  if (!j.is_object()) return bad(line, std::string("a row must be a JSON object (seen ") + j.type_name() + ")");
  Row r;
  r.line = line;
  for (const auto& [k, v] : j.items()) {
    if (!known(k, kRowKeys)) {
      return bad(line, "unknown key '" + k + "' (expected id, messages, prompt, input, expected, schema, checks, meta)");
    }
  }
  r.id = "line " + std::to_string(line);
  if (j.contains("id")) {
    if (j["id"].is_string() && !j["id"].get<std::string>().empty()) {
      r.id = j["id"].get<std::string>();
    } else if (j["id"].is_number_integer()) {
      r.id = j["id"].dump();
    } else {
      return bad(line, "id must be a non-empty string or an integer");
    }
  }
  ONDO_TRY(parse_input(j, r));
  if (j.contains("expected")) r.expected = j["expected"];
  if (j.contains("meta")) r.meta = j["meta"];
  if (j.contains("schema")) {
    if (!j["schema"].is_object()) return bad(line, "schema must be a JSON schema object");
    auto g = infer::grammar::compile_json_schema(j["schema"]);
    if (!g.ok()) return bad(line, g.error().message);
    r.schema = j["schema"];
    r.schema_grammar = std::move(g).value();
  }
  r.raw = std::move(j);
  if (r.raw.contains("checks")) {
    ONDO_ASSIGN_OR_RETURN(r.checks, parse_checks(r.raw["checks"], line));
  } else {
    r.checks = default_checks(r);
  }
  ONDO_TRY(check_needs(r));
  return r;
}

Result<Dataset> parse_dataset(std::string_view text, std::string name) {
  Dataset d;
  d.name = std::move(name);
  std::map<std::string, size_t> ids;
  size_t line = 0, pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = text.substr(pos, end - pos);
    pos = end + 1;
    ++line;
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (l.find_first_not_of(" \t") == std::string_view::npos) continue;
    auto r = parse_row(l, line);
    if (!r.ok()) return r.error().with_context(d.name);
    auto [it, fresh] = ids.emplace(r->id, line);
    if (!fresh) {
      return make_error(ErrorCode::InvalidArgument, d.name + ": line " + std::to_string(line) + ": id '" + r->id +
                                                        "' is also the id of line " + std::to_string(it->second));
    }
    d.rows.push_back(std::move(r).value());
  }
  if (d.rows.empty()) return make_error(ErrorCode::InvalidArgument, d.name + ": the dataset has no rows");
  return d;
}

Result<Dataset> load_dataset(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::NotFound, path + ": cannot open the dataset file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_dataset(ss.str(), path);
}

}  // namespace ondo::eval
