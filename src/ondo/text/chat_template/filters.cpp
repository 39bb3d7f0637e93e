// Built-in filters with jinja2 3.1 semantics (jinja2/filters.py), plus `tojson` as Hugging
// Face defines it (json.dumps, ensure_ascii off, no HTML escaping). Strings are taken with
// soft_str (str() of non-strings), sequences with Python iteration. Layer: text
// (chat_template).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "ondo/text/chat_template/builtins.h"
#include "ondo/text/chat_template/interpreter.h"
#include "ondo/text/chat_template/pystr.h"

namespace ondo::text::jinja {

using Slots = std::vector<std::optional<Value>>;

Result<Slots> bind_args(const CallArgs& args, std::initializer_list<std::string_view> params,
                        std::string_view what) {
  Slots slots(params.size());
  if (args.positional.size() > params.size()) {
    return render_error(std::string(what) + " takes at most " + std::to_string(params.size()) +
                        " argument(s) (seen " + std::to_string(args.positional.size()) + ")");
  }
  for (size_t i = 0; i < args.positional.size(); ++i) slots[i] = args.positional[i];
  for (const auto& [key, value] : args.keyword) {
    size_t i = 0;
    for (std::string_view p : params) {
      if (p == key) break;
      ++i;
    }
    if (i == params.size()) {
      return render_error(std::string(what) + " got an unexpected keyword argument '" + key + "'");
    }
    slots[i] = value;
  }
  return slots;
}

bool is_int_like(const Value& v) { return v.kind() == Kind::Int || v.kind() == Kind::Bool; }

namespace {

using FilterFn = Result<Value> (*)(Interpreter&, const Value&, CallArgs&);

Value arg_or(const Slots& s, size_t i, Value def) { return s[i] ? *s[i] : std::move(def); }

Result<std::string> str_arg(const Slots& s, size_t i, std::string def) {
  if (!s[i]) return def;
  return to_str(*s[i]);
}

// jinja2's make_attrgetter: "a.b.0" looks up each part with getitem (integers as indices).
Result<Value> attr_path(Interpreter& in, const Value& obj, const std::string& path) {
  Value cur = obj;
  size_t pos = 0;
  while (pos <= path.size()) {
    const size_t dot = std::min(path.find('.', pos), path.size());
    const std::string part = path.substr(pos, dot - pos);
    const bool numeric = !part.empty() && std::all_of(part.begin(), part.end(), ::isdigit);
    ONDO_ASSIGN_OR_RETURN(cur, in.getitem(cur, numeric ? Value::integer(std::atoll(part.c_str()))
                                                       : Value::string(part)));
    pos = dot + 1;
  }
  return cur;
}

Result<Value> f_trim(Interpreter&, const Value& v, CallArgs& a) {
  ONDO_ASSIGN_OR_RETURN(Slots s, bind_args(a, {"chars"}, "filter 'trim'"));
  std::optional<std::string> chars;
  if (s[0] && !s[0]->is_none()) chars = to_str(*s[0]);
  return Value::string(py_strip(to_str(v), chars, StripSide::Both));
}

Result<Value> f_tojson(Interpreter& in, const Value& v, CallArgs& a) {
  ONDO_ASSIGN_OR_RETURN(Slots s, bind_args(a, {"indent", "ensure_ascii", "separators", "sort_keys"},
                                           "filter 'tojson'"));
  JsonDumpOptions opt;
  if (s[0] && !s[0]->is_none()) {
    opt.has_indent = true;
    opt.item_sep = ",";
    if (s[0]->is_string()) {
      opt.indent = s[0]->str();
    } else if (is_int_like(*s[0])) {
      opt.indent = std::string(size_t(std::clamp<int64_t>(s[0]->as_int(), 0, 64)), ' ');
    } else {
      return render_error("filter 'tojson': indent must be an int or a string");
    }
  }
  if (s[1]) opt.ensure_ascii = truthy(*s[1]);
  if (s[2] && !s[2]->is_none()) {
    if (!s[2]->is_sequence() || s[2]->items().size() != 2 || !s[2]->items()[0].is_string() ||
        !s[2]->items()[1].is_string()) {
      return render_error("filter 'tojson': separators must be a pair of strings");
    }
    opt.item_sep = s[2]->items()[0].str();
    opt.key_sep = s[2]->items()[1].str();
  }
  if (s[3]) opt.sort_keys = truthy(*s[3]);
  ONDO_ASSIGN_OR_RETURN(std::string out, to_json(v, opt));
  ONDO_TRY(in.check_size(out.size()));
  return Value::string(std::move(out));
}

Result<Value> f_length(Interpreter&, const Value& v, CallArgs&) {
  ONDO_ASSIGN_OR_RETURN(int64_t n, length_of(v));
  return Value::integer(n);
}

Result<Value> f_upper(Interpreter&, const Value& v, CallArgs&) { return Value::string(py_upper(to_str(v))); }
Result<Value> f_lower(Interpreter&, const Value& v, CallArgs&) { return Value::string(py_lower(to_str(v))); }
Result<Value> f_capitalize(Interpreter&, const Value& v, CallArgs&) {
  return Value::string(py_capitalize(to_str(v)));
}

// jinja2 do_title: words start after runs of whitespace and -({[< characters.
Result<Value> f_title(Interpreter&, const Value& v, CallArgs&) {
  std::u32string cps = decode_utf8(to_str(v));
  bool start = true;
  for (char32_t& c : cps) {
    const bool sep = py_isspace(c) || c == '-' || c == '(' || c == '{' || c == '[' || c == '<';
    if (sep) {
      start = true;
      continue;
    }
    c = start ? py_upper(c) : py_lower(c);
    start = false;
  }
  return Value::string(encode_utf8(cps));
}

Result<Value> f_replace(Interpreter& in, const Value& v, CallArgs& a) {
  ONDO_ASSIGN_OR_RETURN(Slots s, bind_args(a, {"old", "new", "count"}, "filter 'replace'"));
  if (!s[0] || !s[1]) return render_error("filter 'replace' needs old and new");
  const int64_t count = s[2] && !s[2]->is_none() && is_int_like(*s[2]) ? s[2]->as_int() : -1;
  std::string out = py_replace(to_str(v), to_str(*s[0]), to_str(*s[1]), count);
  ONDO_TRY(in.check_size(out.size()));
  return Value::string(std::move(out));
}

Result<Value> f_join(Interpreter& in, const Value& v, CallArgs& a) {
  ONDO_ASSIGN_OR_RETURN(Slots s, bind_args(a, {"d", "attribute"}, "filter 'join'"));
  ONDO_ASSIGN_OR_RETURN(std::string sep, str_arg(s, 0, ""));
  ONDO_ASSIGN_OR_RETURN(ValueList items, iterate(v));
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    if (s[1] && !s[1]->is_none()) {
      ONDO_ASSIGN_OR_RETURN(Value x, attr_path(in, items[i], to_str(*s[1])));
      append_str(out, x);
    } else {
      append_str(out, items[i]);
    }
    ONDO_TRY(in.check_size(out.size()));
  }
  ONDO_TRY(in.step(items.size() + out.size() / 64));
  return Value::string(std::move(out));
}

Result<Value> f_default(Interpreter&, const Value& v, CallArgs& a) {
  ONDO_ASSIGN_OR_RETURN(Slots s, bind_args(a, {"default_value", "boolean"}, "filter 'default'"));
  const bool boolean = s[1] && truthy(*s[1]);
  if (v.is_undefined() || (boolean && !truthy(v))) return arg_or(s, 0, Value::string(""));
  return v;
}

Result<Value> f_first(Interpreter&, const Value& v, CallArgs&) {
  ONDO_ASSIGN_OR_RETURN(ValueList items, iterate(v));
  if (items.empty()) return Value::undefined("No first item, sequence was empty.");
  return items.front();
}

Result<Value> f_last(Interpreter&, const Value& v, CallArgs&) {
  ONDO_ASSIGN_OR_RETURN(ValueList items, iterate(v));
  if (items.empty()) return Value::undefined("No last item, sequence was empty.");
  return items.back();
}

Result<Value> f_items(Interpreter&, const Value& v, CallArgs&) {
  if (v.is_undefined()) return Value::list({});
  if (v.kind() != Kind::Dict) return render_error("Can only get item pairs from a mapping.");
  ValueList out;
  for (const auto& kv : v.dict().items()) out.push_back(Value::tuple({kv.first, kv.second}));
  return Value::list(std::move(out));
}

// select/reject/selectattr/rejectattr share one body.
Result<Value> select_common(Interpreter& in, const Value& v, CallArgs& a, bool attr, bool keep) {
  ONDO_ASSIGN_OR_RETURN(ValueList items, iterate(v));
  size_t next = 0;
  std::string path;
  if (attr) {
    if (a.positional.empty()) return render_error("selectattr/rejectattr need an attribute name");
    path = to_str(a.positional[next++]);
  }
  int test = -1;
  if (next < a.positional.size()) {
    const std::string name = to_str(a.positional[next++]);
    test = find_test(name);
    if (test < 0) return render_error("no test named '" + name + "'");
  }
  CallArgs targs;
  targs.positional.assign(a.positional.begin() + std::ptrdiff_t(next), a.positional.end());
  targs.keyword = a.keyword;
  ValueList out;
  for (const Value& item : items) {
    ONDO_TRY(in.step());
    Value subject = item;
    if (attr) {
      ONDO_ASSIGN_OR_RETURN(subject, attr_path(in, item, path));
    }
    bool ok = false;
    if (test >= 0) {
      CallArgs copy = targs;
      ONDO_ASSIGN_OR_RETURN(ok, apply_test(test, in, subject, copy));
    } else {
      ok = truthy(subject);
    }
    if (ok == keep) out.push_back(item);
  }
  return Value::list(std::move(out));
}

Result<Value> f_select(Interpreter& in, const Value& v, CallArgs& a) { return select_common(in, v, a, false, true); }
Result<Value> f_reject(Interpreter& in, const Value& v, CallArgs& a) { return select_common(in, v, a, false, false); }
Result<Value> f_selectattr(Interpreter& in, const Value& v, CallArgs& a) { return select_common(in, v, a, true, true); }
Result<Value> f_rejectattr(Interpreter& in, const Value& v, CallArgs& a) { return select_common(in, v, a, true, false); }

Result<Value> f_map(Interpreter& in, const Value& v, CallArgs& a) {
  ONDO_ASSIGN_OR_RETURN(ValueList items, iterate(v));
  ValueList out;
  if (a.positional.empty()) {
    std::optional<Value> attribute, def;
    for (const auto& [k, val] : a.keyword) {
      if (k == "attribute") attribute = val;
      else if (k == "default") def = val;
      else return render_error("filter 'map' got an unexpected keyword argument '" + k + "'");
    }
    if (!attribute) return render_error("filter 'map' needs a filter name or attribute=");
    for (const Value& item : items) {
      ONDO_TRY(in.step());
      ONDO_ASSIGN_OR_RETURN(Value x, attr_path(in, item, to_str(*attribute)));
      if (x.is_undefined() && def) x = *def;
      out.push_back(std::move(x));
    }
    return Value::list(std::move(out));
  }
  const std::string name = to_str(a.positional[0]);
  const int f = find_filter(name);
  if (f < 0) return render_error("no filter named '" + name + "'");
  CallArgs fargs;
  fargs.positional.assign(a.positional.begin() + 1, a.positional.end());
  fargs.keyword = a.keyword;
  for (const Value& item : items) {
    ONDO_TRY(in.step());
    CallArgs copy = fargs;
    ONDO_ASSIGN_OR_RETURN(Value x, apply_filter(f, in, item, copy));
    out.push_back(std::move(x));
  }
  return Value::list(std::move(out));
}

Result<Value> f_list(Interpreter&, const Value& v, CallArgs&) {
  ONDO_ASSIGN_OR_RETURN(ValueList items, iterate(v));
  return Value::list(std::move(items));
}

Result<Value> f_string(Interpreter&, const Value& v, CallArgs&) { return Value::string(to_str(v)); }

// Python int(str): optional sign, digits with single underscores, surrounding whitespace.
std::optional<int64_t> parse_py_int(const std::string& text, int base) {
  const std::string t = py_strip(text, std::nullopt, StripSide::Both);
  if (t.empty() || base < 2 || base > 36) return std::nullopt;
  size_t i = 0;
  const bool neg = t[0] == '-';
  if (t[0] == '-' || t[0] == '+') ++i;
  if (i >= t.size()) return std::nullopt;
  __int128 v = 0;
  bool prev_digit = false;
  for (; i < t.size(); ++i) {
    const char c = t[i];
    if (c == '_' && prev_digit && i + 1 < t.size()) {
      prev_digit = false;
      continue;
    }
    const int d = std::isdigit(uint8_t(c)) ? c - '0' : std::isalpha(uint8_t(c)) ? std::tolower(c) - 'a' + 10 : 99;
    if (d >= base) return std::nullopt;
    v = v * base + d;
    if (v > __int128(INT64_MAX) + 1) return std::nullopt;
    prev_digit = true;
  }
  if (!prev_digit) return std::nullopt;
  v = neg ? -v : v;
  if (v > INT64_MAX) return std::nullopt;
  return int64_t(v);
}

std::optional<double> parse_py_float(const std::string& text) {
  const std::string t = py_strip(text, std::nullopt, StripSide::Both);
  if (t.empty()) return std::nullopt;
  char* end = nullptr;
  const double d = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size()) return std::nullopt;
  return d;
}

Result<Value> f_int(Interpreter&, const Value& v, CallArgs& a) {
  ONDO_ASSIGN_OR_RETURN(Slots s, bind_args(a, {"default", "base"}, "filter 'int'"));
  if (v.is_undefined()) return render_error(undefined_message(v));
  const Value def = arg_or(s, 0, Value::integer(0));
  const int base = s[1] && is_int_like(*s[1]) ? int(s[1]->as_int()) : 10;
  if (is_int_like(v)) return Value::integer(v.as_int());
  if (v.kind() == Kind::Float) {
    if (!std::isfinite(v.as_float()) || std::fabs(v.as_float()) >= 9.2e18) return def;
    return Value::integer(int64_t(v.as_float()));
  }
  if (!v.is_string()) return def;
  if (auto i = parse_py_int(v.str(), base)) return Value::integer(*i);
  if (auto f = parse_py_float(v.str()); f && std::isfinite(*f) && std::fabs(*f) < 9.2e18) {
    return Value::integer(int64_t(*f));
  }
  return def;
}

Result<Value> f_float(Interpreter&, const Value& v, CallArgs& a) {
  ONDO_ASSIGN_OR_RETURN(Slots s, bind_args(a, {"default"}, "filter 'float'"));
  if (v.is_undefined()) return render_error(undefined_message(v));
  if (v.is_number()) return Value::real(v.as_float());
  if (v.is_string()) {
    if (auto f = parse_py_float(v.str())) return Value::real(*f);
  }
  return arg_or(s, 0, Value::real(0.0));
}

Result<Value> f_abs(Interpreter& in, const Value& v, CallArgs&) {
  if (v.is_undefined()) return render_error(undefined_message(v));
  if (v.kind() == Kind::Float) return Value::real(std::fabs(v.as_float()));
  if (is_int_like(v)) return v.as_int() < 0 ? in.binary("-", Value::integer(0), v) : Value::integer(v.as_int());
  return render_error("bad operand type for abs(): '" + std::string(type_name(v)) + "'");
}

Result<Value> f_round(Interpreter&, const Value& v, CallArgs& a) {
  ONDO_ASSIGN_OR_RETURN(Slots s, bind_args(a, {"precision", "method"}, "filter 'round'"));
  if (v.is_undefined()) return render_error(undefined_message(v));
  if (!v.is_number()) return render_error("type " + std::string(type_name(v)) + " doesn't define __round__ method");
  const int64_t precision = s[0] && is_int_like(*s[0]) ? std::clamp<int64_t>(s[0]->as_int(), -300, 300) : 0;
  const std::string method = s[1] ? to_str(*s[1]) : "common";
  if (method != "common" && method != "ceil" && method != "floor") {
    return render_error("method must be 'common', 'ceil' or 'floor'");
  }
  if (method == "common" && is_int_like(v) && precision >= 0) return Value::integer(v.as_int());
  const double x = v.as_float();
  if (method != "common") {
    const double scale = std::pow(10.0, double(precision));
    return Value::real((method == "ceil" ? std::ceil(x * scale) : std::floor(x * scale)) / scale);
  }
  if (precision < 0) {
    const double scale = std::pow(10.0, double(-precision));
    return Value::real(std::nearbyint(x / scale) * scale);
  }
  // printf rounds the exact binary value half-to-even, as Python's round() does.
  char buf[512];
  std::snprintf(buf, sizeof(buf), "%.*f", int(std::min<int64_t>(precision, 100)), x);
  return Value::real(std::strtod(buf, nullptr));
}

// Sort key per jinja2: attribute path, then lower-cased strings unless case_sensitive.
Result<Value> sort_key(Interpreter& in, const Value& item, const std::optional<Value>& attribute,
                       bool case_sensitive) {
  Value k = item;
  if (attribute && !attribute->is_none()) {
    ONDO_ASSIGN_OR_RETURN(k, attr_path(in, item, to_str(*attribute)));
  }
  if (!case_sensitive && k.is_string()) k = Value::string(py_lower(k.str()));
  return k;
}

Result<Value> f_sort(Interpreter& in, const Value& v, CallArgs& a) {
  ONDO_ASSIGN_OR_RETURN(Slots s, bind_args(a, {"reverse", "case_sensitive", "attribute"}, "filter 'sort'"));
  ONDO_ASSIGN_OR_RETURN(ValueList items, iterate(v));
  const bool reverse = s[0] && truthy(*s[0]);
  const bool cs = s[1] && truthy(*s[1]);
  std::vector<std::pair<Value, Value>> keyed;
  for (const Value& item : items) {
    ONDO_ASSIGN_OR_RETURN(Value k, sort_key(in, item, s[2], cs));
    keyed.emplace_back(std::move(k), item);
  }
  ONDO_TRY(in.step(items.size() * 8));
  std::optional<Error> err;
  std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& x, const auto& y) {
    if (err) return false;
    auto c = reverse ? compare(y.first, x.first, "<") : compare(x.first, y.first, "<");
    if (!c.ok()) {
      err = c.error();
      return false;
    }
    return *c < 0;
  });
  if (err) return *err;
  ValueList out;
  for (auto& kv : keyed) out.push_back(std::move(kv.second));
  return Value::list(std::move(out));
}

Result<Value> f_unique(Interpreter& in, const Value& v, CallArgs& a) {
  ONDO_ASSIGN_OR_RETURN(Slots s, bind_args(a, {"case_sensitive", "attribute"}, "filter 'unique'"));
  ONDO_ASSIGN_OR_RETURN(ValueList items, iterate(v));
  const bool cs = s[0] && truthy(*s[0]);
  ValueList seen, out;
  for (const Value& item : items) {
    ONDO_ASSIGN_OR_RETURN(Value k, sort_key(in, item, s[1], cs));
    ONDO_TRY(in.step(1 + seen.size() / 16));
    if (std::any_of(seen.begin(), seen.end(), [&](const Value& x) { return equals(x, k); })) continue;
    seen.push_back(std::move(k));
    out.push_back(item);
  }
  return Value::list(std::move(out));
}

Result<Value> f_reverse(Interpreter&, const Value& v, CallArgs&) {
  if (v.is_string()) {
    std::u32string cps = decode_utf8(v.str());
    std::reverse(cps.begin(), cps.end());
    return Value::string(encode_utf8(cps));
  }
  ONDO_ASSIGN_OR_RETURN(ValueList items, iterate(v));
  std::reverse(items.begin(), items.end());
  return Value::list(std::move(items));
}

Result<Value> f_safe(Interpreter&, const Value& v, CallArgs&) { return Value::string(to_str(v)); }

Result<Value> f_indent(Interpreter& in, const Value& v, CallArgs& a) {
  ONDO_ASSIGN_OR_RETURN(Slots s, bind_args(a, {"width", "first", "blank"}, "filter 'indent'"));
  std::string ind = "    ";
  if (s[0]) {
    ind = s[0]->is_string() ? s[0]->str()
                            : std::string(size_t(std::clamp<int64_t>(is_int_like(*s[0]) ? s[0]->as_int() : 4, 0, 256)), ' ');
  }
  const bool first = s[1] && truthy(*s[1]);
  const bool blank = s[2] && truthy(*s[2]);
  const std::vector<std::string> lines = py_splitlines(to_str(v) + "\n");
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) {
      out += "\n";
      if (blank || !lines[i].empty()) out += ind;
    }
    out += lines[i];
    ONDO_TRY(in.check_size(out.size()));
  }
  if (first) out = ind + out;
  return Value::string(std::move(out));
}

Result<Value> f_escape(Interpreter&, const Value& v, CallArgs&) {
  std::string out;
  for (char c : to_str(v)) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&#34;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return Value::string(std::move(out));
}

Result<Value> f_format(Interpreter& in, const Value& v, CallArgs& a) {
  if (!a.keyword.empty()) return render_error("filter 'format': keyword arguments are not supported");
  const Value args = a.positional.size() == 1 ? a.positional[0] : Value::tuple(a.positional);
  return in.binary("%", Value::string(to_str(v)), args.kind() == Kind::Tuple ? args : Value::tuple({args}));
}

Result<Value> f_sum(Interpreter& in, const Value& v, CallArgs& a) {
  ONDO_ASSIGN_OR_RETURN(Slots s, bind_args(a, {"attribute", "start"}, "filter 'sum'"));
  ONDO_ASSIGN_OR_RETURN(ValueList items, iterate(v));
  Value total = arg_or(s, 1, Value::integer(0));
  for (const Value& item : items) {
    Value x = item;
    if (s[0] && !s[0]->is_none()) {
      ONDO_ASSIGN_OR_RETURN(x, attr_path(in, item, to_str(*s[0])));
    }
    ONDO_ASSIGN_OR_RETURN(total, in.binary("+", total, x));
  }
  return total;
}

Result<Value> minmax(Interpreter& in, const Value& v, CallArgs& a, bool want_max) {
  ONDO_ASSIGN_OR_RETURN(Slots s, bind_args(a, {"case_sensitive", "attribute"}, want_max ? "filter 'max'" : "filter 'min'"));
  ONDO_ASSIGN_OR_RETURN(ValueList items, iterate(v));
  if (items.empty()) return Value::undefined(want_max ? "No aggregated item, sequence was empty." : "No aggregated item, sequence was empty.");
  const bool cs = s[0] && truthy(*s[0]);
  size_t best = 0;
  ONDO_ASSIGN_OR_RETURN(Value best_key, sort_key(in, items[0], s[1], cs));
  for (size_t i = 1; i < items.size(); ++i) {
    ONDO_ASSIGN_OR_RETURN(Value k, sort_key(in, items[i], s[1], cs));
    ONDO_ASSIGN_OR_RETURN(int c, compare(k, best_key, want_max ? ">" : "<"));
    if (want_max ? c > 0 : c < 0) {
      best = i;
      best_key = std::move(k);
    }
  }
  return items[best];
}

Result<Value> f_max(Interpreter& in, const Value& v, CallArgs& a) { return minmax(in, v, a, true); }
Result<Value> f_min(Interpreter& in, const Value& v, CallArgs& a) { return minmax(in, v, a, false); }

Result<Value> f_dictsort(Interpreter& in, const Value& v, CallArgs& a) {
  ONDO_ASSIGN_OR_RETURN(Slots s, bind_args(a, {"case_sensitive", "by", "reverse"}, "filter 'dictsort'"));
  if (v.kind() != Kind::Dict) return render_error("filter 'dictsort': value is not a dict");
  const bool by_value = s[1] && to_str(*s[1]) == "value";
  CallArgs sargs;
  sargs.keyword.emplace_back("reverse", arg_or(s, 2, Value::boolean(false)));
  sargs.keyword.emplace_back("case_sensitive", arg_or(s, 0, Value::boolean(false)));
  sargs.keyword.emplace_back("attribute", Value::string(by_value ? "1" : "0"));
  ONDO_ASSIGN_OR_RETURN(Value pairs, f_items(in, v, sargs));
  return f_sort(in, pairs, sargs);
}

Result<Value> f_attr(Interpreter& in, const Value& v, CallArgs& a) {
  ONDO_ASSIGN_OR_RETURN(Slots s, bind_args(a, {"name"}, "filter 'attr'"));
  if (!s[0]) return render_error("filter 'attr' needs a name");
  return in.getattr(v, to_str(*s[0]));
}

struct FilterEntry {
  std::string_view name;
  FilterFn fn;
};

constexpr FilterEntry kFilters[] = {
    {"abs", f_abs},           {"attr", f_attr},         {"capitalize", f_capitalize},
    {"count", f_length},      {"d", f_default},         {"default", f_default},
    {"dictsort", f_dictsort}, {"e", f_escape},          {"escape", f_escape},
    {"first", f_first},       {"float", f_float},       {"format", f_format},
    {"indent", f_indent},     {"int", f_int},           {"items", f_items},
    {"join", f_join},         {"last", f_last},         {"length", f_length},
    {"list", f_list},         {"lower", f_lower},       {"map", f_map},
    {"max", f_max},           {"min", f_min},           {"reject", f_reject},
    {"rejectattr", f_rejectattr}, {"replace", f_replace}, {"reverse", f_reverse},
    {"round", f_round},       {"safe", f_safe},         {"select", f_select},
    {"selectattr", f_selectattr}, {"sort", f_sort},     {"string", f_string},
    {"sum", f_sum},           {"title", f_title},       {"tojson", f_tojson},
    {"trim", f_trim},         {"unique", f_unique},     {"upper", f_upper},
};

}  // namespace

int find_filter(std::string_view name) {
  for (size_t i = 0; i < std::size(kFilters); ++i) {
    if (kFilters[i].name == name) return int(i);
  }
  return -1;
}

Result<Value> apply_filter(int index, Interpreter& in, const Value& subject, CallArgs& args) {
  return kFilters[size_t(index)].fn(in, subject, args);
}

}  // namespace ondo::text::jinja
