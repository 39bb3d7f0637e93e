// Per-row metrics: each check of a row scored on one output text. Layer: eval.
#include "ondo/eval/metrics.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <cmath>
#include <cstdlib>

#include "ondo/infer/grammar/grammar.h"
#include "ondo/infer/grammar/matcher.h"
#include "ondo/infer/grammar/token_table.h"
#include "ondo/text/chat_template/chat_template.h"

namespace ondo::eval {
namespace {

using ojson = nlohmann::ordered_json;

constexpr uint32_t kMatchLimit = 1'000'000;  // PCRE2 backtracking steps per match
constexpr int kMaxJsonDepth = 256;
constexpr int kMaxSchemaDepth = 64;

pcre2_code* code_of(void* p) { return static_cast<pcre2_code*>(p); }

// Nesting of the JSON text, counting brackets outside strings (a cheap pre-check so the
// parser never sees a document deeper than kMaxJsonDepth).
int json_depth(std::string_view s) {
  int depth = 0, max_depth = 0;
  bool in_str = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_str) {
      if (c == '\\') ++i;
      else if (c == '"') in_str = false;
    } else if (c == '"') {
      in_str = true;
    } else if (c == '{' || c == '[') {
      max_depth = std::max(max_depth, ++depth);
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return max_depth;
}

// JSON equality ignoring object key order (ordered_json compares keys in order).
bool json_equal(const ojson& a, const ojson& b) { return nlohmann::json(a) == nlohmann::json(b); }

// `s` with local "$ref"s followed ("#", "#/a/b"); itself when it has none or one is bad.
const ojson& follow_refs(const ojson& root, const ojson& s) {
  const ojson* cur = &s;
  for (int i = 0; i < 32 && cur->is_object() && cur->contains("$ref") && (*cur)["$ref"].is_string(); ++i) {
    const std::string ref = (*cur)["$ref"].get<std::string>();
    if (ref.empty() || ref[0] != '#') break;
    const ojson* next = at_pointer(root, ref.substr(1));
    if (!next) break;
    cur = next;
  }
  return *cur;
}

// `v` with object keys in the order `schema` declares them (the order the grammar expects);
// undeclared keys follow in their own order.
ojson reorder(const ojson& root, const ojson& schema, const ojson& v, int depth) {
  if (depth > kMaxSchemaDepth) return v;
  const ojson& s = follow_refs(root, schema);
  static const ojson kAny = ojson::object();
  if (v.is_object()) {
    const ojson& props = s.is_object() && s.contains("properties") ? s["properties"] : kAny;
    const ojson& extra = s.is_object() && s.contains("additionalProperties") ? s["additionalProperties"] : kAny;
    ojson out = ojson::object();
    if (props.is_object()) {
      for (const auto& [k, ps] : props.items()) {
        if (v.contains(k)) out[k] = reorder(root, ps, v[k], depth + 1);
      }
    }
    for (const auto& [k, x] : v.items()) {
      if (!out.contains(k)) out[k] = reorder(root, extra, x, depth + 1);
    }
    return out;
  }
  if (v.is_array() && s.is_object()) {
    const ojson& prefix = s.contains("prefixItems") && s["prefixItems"].is_array() ? s["prefixItems"] : ojson::array();
    const ojson& items = s.contains("items") ? s["items"] : kAny;
    ojson out = ojson::array();
    for (size_t i = 0; i < v.size(); ++i) out.push_back(reorder(root, i < prefix.size() ? prefix[i] : items, v[i], depth + 1));
    return out;
  }
  return v;
}

std::optional<double> number_in(const ojson& parsed, std::string_view text, const std::string& pointer) {
  if (pointer.empty()) {
    if (parsed.is_number()) return parsed.get<double>();
    const std::string t(text);
    if (t.empty()) return std::nullopt;
    char* end = nullptr;
    const double d = std::strtod(t.c_str(), &end);
    if (end == t.c_str() + t.size() && std::isfinite(d)) return d;
    return std::nullopt;
  }
  const ojson* at = at_pointer(parsed, pointer);
  if (at && at->is_number()) return at->get<double>();
  return std::nullopt;
}

void score_fields(const Row& row, const ojson& out, RowScore& s) {
  std::vector<std::string> keys = row.checks.field_keys;
  if (keys.empty()) {
    for (const auto& [k, v] : row.expected.items()) keys.push_back(k);
  }
  double hits = 0;
  for (const auto& k : keys) {
    const bool in_exp = row.expected.contains(k), in_out = out.is_object() && out.contains(k);
    const bool hit = in_exp == in_out && (!in_exp || json_equal(out[k], row.expected[k]));
    s.metrics.push_back({"field." + k, hit ? 1.0 : 0.0});
    hits += hit;
  }
  s.metrics.insert(s.metrics.end() - ptrdiff_t(keys.size()), {"fields", keys.empty() ? 1.0 : hits / double(keys.size())});
}

double score_expr(const Row& row, const ExprCheck& e, const ojson& out, std::string_view text, RowScore& s) {
  text::ChatTemplateInputs in;
  in.add_generation_prompt = false;
  in.extra_context = ojson{{"output", out}, {"text", std::string(text)}, {"expected", row.expected},
                           {"meta", row.meta}, {"row", row.raw}};
  text::RenderLimits lim;
  lim.max_output_bytes = 1 << 16;
  lim.max_steps = 5'000'000;
  auto r = e.program->render(in, lim);
  if (!r.ok()) {
    s.notes.push_back("expr." + e.name + ": " + r.error().message);
    return 0.0;
  }
  const std::string v(trim_output(*r));
  if (v == "True") return 1.0;
  if (v == "False") return 0.0;
  char* end = nullptr;
  const double d = std::strtod(v.c_str(), &end);
  if (!v.empty() && end == v.c_str() + v.size() && std::isfinite(d)) return d;
  s.notes.push_back("expr." + e.name + ": gave '" + v.substr(0, 80) + "', not a boolean or a number");
  return 0.0;
}

}  // namespace

Result<std::shared_ptr<const Regex>> Regex::compile(std::string_view pattern) {
  int err = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                   PCRE2_UTF | PCRE2_UCP, &err, &offset, nullptr);
  if (!code) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(err, msg, sizeof msg);
    return make_error(ErrorCode::InvalidArgument, "regex '" + std::string(pattern) + "': " +
                                                      reinterpret_cast<const char*>(msg) + " at offset " +
                                                      std::to_string(offset));
  }
  std::shared_ptr<Regex> r(new Regex());
  r->code_ = code;
  r->pattern_ = std::string(pattern);
  return std::shared_ptr<const Regex>(std::move(r));
}

Regex::~Regex() {
  if (code_) pcre2_code_free(code_of(code_));
}

Result<bool> Regex::search(std::string_view text) const {
  pcre2_match_data* md = pcre2_match_data_create_from_pattern(code_of(code_), nullptr);
  pcre2_match_context* mc = pcre2_match_context_create(nullptr);
  pcre2_set_match_limit(mc, kMatchLimit);
  const int rc = pcre2_match(code_of(code_), reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), 0, 0, md, mc);
  pcre2_match_context_free(mc);
  pcre2_match_data_free(md);
  if (rc >= 0) return true;
  if (rc == PCRE2_ERROR_NOMATCH) return false;
  PCRE2_UCHAR msg[256];
  pcre2_get_error_message(rc, msg, sizeof msg);
  return make_error(ErrorCode::InvalidArgument, "regex '" + pattern_ + "': " + reinterpret_cast<const char*>(msg));
}

std::string_view trim_output(std::string_view s) {
  const char* ws = " \t\r\n\f\v";
  const size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

nlohmann::ordered_json parse_output_json(std::string_view output) {
  const std::string_view t = trim_output(output);
  if (t.empty() || json_depth(t) > kMaxJsonDepth) return nullptr;
  ojson j = ojson::parse(t, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return nullptr;
  return j;
}

bool valid_pointer(std::string_view p) {
  if (p.empty()) return true;
  if (p[0] != '/') return false;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '~' && (i + 1 >= p.size() || (p[i + 1] != '0' && p[i + 1] != '1'))) return false;
  }
  return true;
}

const nlohmann::ordered_json* at_pointer(const nlohmann::ordered_json& v, const std::string& pointer) {
  if (!valid_pointer(pointer)) return nullptr;
  if (pointer.empty()) return &v;
  const ojson* cur = &v;
  size_t pos = 1;
  while (true) {
    const size_t end = std::min(pointer.find('/', pos), pointer.size());
    std::string tok;
    for (size_t i = pos; i < end; ++i) {
      if (pointer[i] == '~') tok += pointer[++i] == '0' ? '~' : '/';
      else tok += pointer[i];
    }
    if (cur->is_object()) {
      auto it = cur->find(tok);
      if (it == cur->end()) return nullptr;
      cur = &*it;
    } else if (cur->is_array()) {
      if (tok.empty() || tok.size() > 9 || tok.find_first_not_of("0123456789") != std::string::npos ||
          (tok.size() > 1 && tok[0] == '0')) {
        return nullptr;
      }
      const size_t i = std::stoul(tok);
      if (i >= cur->size()) return nullptr;
      cur = &(*cur)[i];
    } else {
      return nullptr;
    }
    if (end == pointer.size()) return cur;
    pos = end + 1;
  }
}

bool schema_accepts(const std::shared_ptr<const infer::grammar::Grammar>& grammar, const nlohmann::ordered_json& schema,
                    const nlohmann::ordered_json& value) {
  static const auto table = infer::grammar::TokenTable::from_entries({{"a", infer::grammar::TokenTable::Kind::Normal}});
  const std::string text = reorder(schema, schema, value, 0).dump();
  infer::grammar::Matcher m(grammar, table);
  return m.accept_bytes(text).ok() && m.can_stop();
}

RowScore score_output(const Row& row, std::string_view output) {
  RowScore s;
  const Checks& c = row.checks;
  const std::string_view text = trim_output(output);
  const ojson out = parse_output_json(text);
  const bool is_json = !out.is_null() || text == "null";
  if (c.exact) {
    const bool hit = row.expected.is_string() ? text == trim_output(row.expected.get_ref<const std::string&>())
                                              : is_json && json_equal(out, row.expected);
    s.metrics.push_back({"exact", hit ? 1.0 : 0.0});
  }
  if (c.json) s.metrics.push_back({"json", is_json ? 1.0 : 0.0});
  if (row.schema_grammar) {
    s.metrics.push_back({"schema", is_json && schema_accepts(row.schema_grammar, row.schema, out) ? 1.0 : 0.0});
  }
  if (c.fields) score_fields(row, out, s);
  if (!c.contains.empty()) {
    bool all = true;
    for (const auto& sub : c.contains) all = all && text.find(sub) != std::string_view::npos;
    s.metrics.push_back({"contains", all ? 1.0 : 0.0});
  }
  if (!c.regex.empty()) {
    bool all = true;
    for (const auto& re : c.regex) {
      auto m = re->search(text);
      if (!m.ok()) s.notes.push_back(m.error().message);
      all = all && m.ok() && *m;
    }
    s.metrics.push_back({"regex", all ? 1.0 : 0.0});
  }
  if (c.numeric) {
    const auto got = number_in(out, text, c.numeric->pointer);
    const ojson* want = at_pointer(row.expected, c.numeric->pointer);
    const bool hit = got && want && want->is_number() && std::fabs(*got - want->get<double>()) <= c.numeric->tolerance;
    if (!got) s.notes.push_back("numeric: no number in the output" + (c.numeric->pointer.empty() ? "" : " at " + c.numeric->pointer));
    s.metrics.push_back({"numeric", hit ? 1.0 : 0.0});
  }
  for (const auto& e : c.expr) s.metrics.push_back({"expr." + e.name, score_expr(row, e, out, text, s)});
  return s;
}

}  // namespace ondo::eval
