// Template values with Python semantics (see value.h). Layer: text (chat_template).
// Printing follows CPython 3.11 (repr of str/float/list/dict/tuple) and json.dumps.
#include "ondo/text/chat_template/value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "ondo/core/check.h"
#include "ondo/text/chat_template/pystr.h"

namespace ondo::text::jinja {

const Value* ValueDict::find(const Value& key) const {
  for (const auto& kv : items_) {
    if (equals(kv.first, key)) return &kv.second;
  }
  return nullptr;
}

const Value* ValueDict::find(std::string_view key) const {
  for (const auto& kv : items_) {
    if (kv.first.kind() == Kind::String && kv.first.str() == key) return &kv.second;
  }
  return nullptr;
}

void ValueDict::set(Value key, Value value) {
  for (auto& kv : items_) {
    if (equals(kv.first, key)) {
      kv.second = std::move(value);
      return;
    }
  }
  items_.emplace_back(std::move(key), std::move(value));
}

Value Value::undefined(std::string hint) {
  Value v;
  v.s_ = std::make_shared<const std::string>(std::move(hint));
  return v;
}
Value Value::none() {
  Value v;
  v.kind_ = Kind::None;
  return v;
}
Value Value::boolean(bool b) {
  Value v;
  v.kind_ = Kind::Bool;
  v.b_ = b;
  return v;
}
Value Value::integer(int64_t i) {
  Value v;
  v.kind_ = Kind::Int;
  v.i_ = i;
  return v;
}
Value Value::real(double f) {
  Value v;
  v.kind_ = Kind::Float;
  v.f_ = f;
  return v;
}
Value Value::string(std::string s) {
  Value v;
  v.kind_ = Kind::String;
  v.weight_ = 1 + s.size() / 64;
  v.s_ = std::make_shared<const std::string>(std::move(s));
  return v;
}

const std::string& Value::empty_string() {
  static const std::string kEmpty;
  return kEmpty;
}

namespace {
uint64_t add_weight(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }
}  // namespace

Value Value::list(ValueList items) {
  Value v;
  v.kind_ = Kind::List;
  int depth = 0;
  for (const Value& x : items) {
    depth = std::max(depth, int(x.depth_));
    v.has_ns_ = v.has_ns_ || x.has_ns_;
    v.weight_ = add_weight(v.weight_, x.weight_);
  }
  v.depth_ = uint16_t(std::min(depth + 1, 60000));
  v.l_ = std::make_shared<const ValueList>(std::move(items));
  return v;
}
Value Value::tuple(ValueList items) {
  Value v = list(std::move(items));
  v.kind_ = Kind::Tuple;
  return v;
}
Value Value::dict(ValueDict d) {
  Value v;
  v.kind_ = Kind::Dict;
  int depth = 0;
  for (const auto& kv : d.items()) {
    depth = std::max({depth, int(kv.first.depth_), int(kv.second.depth_)});
    v.weight_ = add_weight(v.weight_, add_weight(kv.first.weight_, kv.second.weight_));
    v.has_ns_ = v.has_ns_ || kv.first.has_ns_ || kv.second.has_ns_;
  }
  v.depth_ = uint16_t(std::min(depth + 1, 60000));
  v.d_ = std::make_shared<const ValueDict>(std::move(d));
  return v;
}
Value Value::name_space(std::shared_ptr<Namespace> ns) {
  Value v;
  v.kind_ = Kind::Namespace;
  v.has_ns_ = true;
  v.depth_ = 1;
  v.ns_ = std::move(ns);
  return v;
}
Value Value::callable(std::shared_ptr<const Callable> fn, bool holds_ns) {
  Value v;
  v.kind_ = Kind::Callable;
  v.has_ns_ = holds_ns;
  v.fn_ = std::move(fn);
  return v;
}

double Value::as_float() const {
  if (kind_ == Kind::Float) return f_;
  return double(as_int());
}

const ValueList& Value::items() const {
  ONDO_CHECK(l_ != nullptr);
  return *l_;
}

const ValueDict& Value::dict() const {
  ONDO_CHECK(d_ != nullptr);
  return *d_;
}

Error render_error(std::string message) {
  return make_error(ErrorCode::InvalidArgument, std::move(message));
}

std::string_view type_name(const Value& v) {
  switch (v.kind()) {
    case Kind::Undefined: return "Undefined";
    case Kind::None: return "NoneType";
    case Kind::Bool: return "bool";
    case Kind::Int: return "int";
    case Kind::Float: return "float";
    case Kind::String: return "str";
    case Kind::List: return "list";
    case Kind::Tuple: return "tuple";
    case Kind::Dict: return "dict";
    case Kind::Namespace: return "Namespace";
    case Kind::Callable: return "function";
  }
  return "object";
}

std::string object_type_repr(const Value& v) {
  if (v.is_none()) return "None";
  return std::string(type_name(v)) + " object";
}

std::string undefined_message(const Value& v) {
  return v.str().empty() ? std::string("value is undefined") : v.str();
}

bool truthy(const Value& v) {
  switch (v.kind()) {
    case Kind::Undefined:
    case Kind::None: return false;
    case Kind::Bool: return v.as_bool();
    case Kind::Int: return v.as_int() != 0;
    case Kind::Float: return v.as_float() != 0.0;
    case Kind::String: return !v.str().empty();
    case Kind::List:
    case Kind::Tuple: return !v.items().empty();
    case Kind::Dict: return v.dict().size() != 0;
    case Kind::Namespace:
    case Kind::Callable: return true;
  }
  return false;
}

bool equals(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.kind() == Kind::Float || b.kind() == Kind::Float) return a.as_float() == b.as_float();
    return a.as_int() == b.as_int();
  }
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Kind::Undefined:
    case Kind::None: return true;
    case Kind::String: return a.str() == b.str();
    case Kind::List:
    case Kind::Tuple: {
      const ValueList& x = a.items();
      const ValueList& y = b.items();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (!equals(x[i], y[i])) return false;
      }
      return true;
    }
    case Kind::Dict: {
      if (a.dict().size() != b.dict().size()) return false;
      for (const auto& kv : a.dict().items()) {
        const Value* other = b.dict().find(kv.first);
        if (other == nullptr || !equals(kv.second, *other)) return false;
      }
      return true;
    }
    case Kind::Namespace: return &a.name_space() == &b.name_space();
    case Kind::Callable: return &a.fn() == &b.fn();
    default: return false;
  }
}

Result<int> compare(const Value& a, const Value& b, std::string_view op) {
  if (a.is_undefined()) return render_error(undefined_message(a));
  if (b.is_undefined()) return render_error(undefined_message(b));
  if (a.is_number() && b.is_number()) {
    if (a.kind() == Kind::Float || b.kind() == Kind::Float) {
      const double x = a.as_float(), y = b.as_float();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    const int64_t x = a.as_int(), y = b.as_int();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a.is_string() && b.is_string()) {
    const int c = a.str().compare(b.str());
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  if (a.is_sequence() && a.kind() == b.kind()) {
    const ValueList& x = a.items();
    const ValueList& y = b.items();
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (equals(x[i], y[i])) continue;
      return compare(x[i], y[i], op);
    }
    return x.size() < y.size() ? -1 : x.size() > y.size() ? 1 : 0;
  }
  return render_error("'" + std::string(op) + "' not supported between instances of '" +
                      std::string(type_name(a)) + "' and '" + std::string(type_name(b)) + "'");
}

std::string float_repr(double f) {
  if (std::isnan(f)) return "nan";
  if (std::isinf(f)) return f < 0 ? "-inf" : "inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), f, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  const size_t epos = sci.find('e');
  const int exp10 = std::atoi(sci.c_str() + epos + 1);
  std::string mant = sci.substr(0, epos);
  std::string sign;
  if (mant[0] == '-') {
    sign = "-";
    mant.erase(0, 1);
  }
  std::string digits;
  for (char c : mant) {
    if (c != '.') digits.push_back(c);
  }
  if (exp10 >= -4 && exp10 < 16) {
    std::string out;
    if (exp10 < 0) {
      out = "0." + std::string(size_t(-exp10 - 1), '0') + digits;
    } else if (size_t(exp10) + 1 >= digits.size()) {
      out = digits + std::string(size_t(exp10) + 1 - digits.size(), '0') + ".0";
    } else {
      out = digits.substr(0, size_t(exp10) + 1) + "." + digits.substr(size_t(exp10) + 1);
    }
    return sign + out;
  }
  std::string out = digits.substr(0, 1);
  if (digits.size() > 1) out += "." + digits.substr(1);
  char ebuf[16];
  std::snprintf(ebuf, sizeof(ebuf), "e%c%02d", exp10 < 0 ? '-' : '+', std::abs(exp10));
  return sign + out + ebuf;
}

namespace {

void append_str_repr(std::string& out, const std::string& s) {
  const std::u32string cps = decode_utf8(s);
  const bool has_single = s.find('\'') != std::string::npos;
  const bool has_double = s.find('"') != std::string::npos;
  const char32_t quote = (has_single && !has_double) ? '"' : '\'';
  out.push_back(char(quote));
  char buf[16];
  for (char32_t c : cps) {
    if (c == quote || c == '\\') {
      out.push_back('\\');
      out.push_back(char(c));
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (!py_isprintable(c)) {
      if (c < 0x100) {
        std::snprintf(buf, sizeof(buf), "\\x%02x", unsigned(c));
      } else if (c < 0x10000) {
        std::snprintf(buf, sizeof(buf), "\\u%04x", unsigned(c));
      } else {
        std::snprintf(buf, sizeof(buf), "\\U%08x", unsigned(c));
      }
      out += buf;
    } else {
      append_utf8(out, c);
    }
  }
  out.push_back(char(quote));
}

}  // namespace

void append_repr(std::string& out, const Value& v) {
  switch (v.kind()) {
    case Kind::Undefined: out += "Undefined"; return;
    case Kind::None: out += "None"; return;
    case Kind::Bool: out += v.as_bool() ? "True" : "False"; return;
    case Kind::Int: out += std::to_string(v.as_int()); return;
    case Kind::Float: out += float_repr(v.as_float()); return;
    case Kind::String: append_str_repr(out, v.str()); return;
    case Kind::List:
    case Kind::Tuple: {
      const bool tuple = v.kind() == Kind::Tuple;
      out.push_back(tuple ? '(' : '[');
      const ValueList& items = v.items();
      for (size_t i = 0; i < items.size(); ++i) {
        if (i) out += ", ";
        append_repr(out, items[i]);
      }
      if (tuple && items.size() == 1) out.push_back(',');
      out.push_back(tuple ? ')' : ']');
      return;
    }
    case Kind::Dict: {
      out.push_back('{');
      bool first = true;
      for (const auto& kv : v.dict().items()) {
        if (!first) out += ", ";
        first = false;
        append_repr(out, kv.first);
        out += ": ";
        append_repr(out, kv.second);
      }
      out.push_back('}');
      return;
    }
    case Kind::Namespace:
      out += "<Namespace ";
      append_repr(out, Value::dict(v.name_space().attrs));
      out += ">";
      return;
    case Kind::Callable:
      out += "<function ";
      out += v.fn().name();
      out += ">";
      return;
  }
}

void append_str(std::string& out, const Value& v) {
  if (v.is_string()) {
    out += v.str();
  } else if (!v.is_undefined()) {
    append_repr(out, v);
  }
}

std::string to_str(const Value& v) {
  std::string out;
  append_str(out, v);
  return out;
}

namespace {

Result<Value> from_json_at(const nlohmann::ordered_json& j, int depth) {
  if (j.is_structured() && depth >= int(core::kMaxRequestJsonDepth)) {  // the 65th level
    return make_error(ErrorCode::InvalidArgument,
                      "chat template input: JSON nested too deeply (more than " +
                          std::to_string(core::kMaxRequestJsonDepth) + " levels)");
  }
  using T = nlohmann::ordered_json::value_t;
  switch (j.type()) {
    case T::null:
    case T::discarded: return Value::none();
    case T::boolean: return Value::boolean(j.get<bool>());
    case T::number_integer: return Value::integer(j.get<int64_t>());
    case T::number_unsigned: {
      const uint64_t u = j.get<uint64_t>();
      if (u > uint64_t(INT64_MAX)) return Value::real(double(u));
      return Value::integer(int64_t(u));
    }
    case T::number_float: return Value::real(j.get<double>());
    case T::string: return Value::string(j.get<std::string>());
    case T::binary: return Value::none();
    case T::array: {
      ValueList items;
      items.reserve(j.size());
      for (const auto& e : j) {
        ONDO_ASSIGN_OR_RETURN(Value v, from_json_at(e, depth + 1));
        items.push_back(std::move(v));
      }
      return Value::list(std::move(items));
    }
    case T::object: {
      ValueDict d;
      for (auto it = j.begin(); it != j.end(); ++it) {
        ONDO_ASSIGN_OR_RETURN(Value v, from_json_at(it.value(), depth + 1));
        d.set(Value::string(it.key()), std::move(v));
      }
      return Value::dict(std::move(d));
    }
  }
  return Value::none();
}

void append_json_string(std::string& out, const std::string& s, bool ensure_ascii) {
  out.push_back('"');
  char buf[16];
  for (char32_t c : decode_utf8(s)) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20 || (ensure_ascii && c >= 0x7f)) {
          if (c >= 0x10000) {
            const char32_t v = c - 0x10000;
            std::snprintf(buf, sizeof(buf), "\\u%04x\\u%04x", unsigned(0xd800 + (v >> 10)),
                          unsigned(0xdc00 + (v & 0x3ff)));
          } else {
            std::snprintf(buf, sizeof(buf), "\\u%04x", unsigned(c));
          }
          out += buf;
        } else {
          append_utf8(out, c);
        }
    }
  }
  out.push_back('"');
}

std::string json_float(double f) {
  if (std::isnan(f)) return "NaN";
  if (std::isinf(f)) return f < 0 ? "-Infinity" : "Infinity";
  return float_repr(f);
}

Result<std::string> json_key(const Value& k) {
  switch (k.kind()) {
    case Kind::String: return k.str();
    case Kind::Int: return std::to_string(k.as_int());
    case Kind::Float: return json_float(k.as_float());
    case Kind::Bool: return std::string(k.as_bool() ? "true" : "false");
    case Kind::None: return std::string("null");
    default:
      return render_error("keys must be str, int, float, bool or None, not " +
                          std::string(type_name(k)));
  }
}

void newline_indent(std::string& out, const JsonDumpOptions& opt, int level) {
  if (!opt.has_indent) return;
  out.push_back('\n');
  for (int i = 0; i < level; ++i) out += opt.indent;
}

Status dump(std::string& out, const Value& v, const JsonDumpOptions& opt, int level) {
  switch (v.kind()) {
    case Kind::None: out += "null"; return ok_status();
    case Kind::Bool: out += v.as_bool() ? "true" : "false"; return ok_status();
    case Kind::Int: out += std::to_string(v.as_int()); return ok_status();
    case Kind::Float: out += json_float(v.as_float()); return ok_status();
    case Kind::String: append_json_string(out, v.str(), opt.ensure_ascii); return ok_status();
    case Kind::List:
    case Kind::Tuple: {
      if (v.items().empty()) {
        out += "[]";
        return ok_status();
      }
      out.push_back('[');
      bool first = true;
      for (const Value& x : v.items()) {
        if (!first) out += opt.item_sep;
        first = false;
        newline_indent(out, opt, level + 1);
        ONDO_TRY(dump(out, x, opt, level + 1));
      }
      newline_indent(out, opt, level);
      out.push_back(']');
      return ok_status();
    }
    case Kind::Dict: {
      if (v.dict().size() == 0) {
        out += "{}";
        return ok_status();
      }
      std::vector<std::pair<std::string, const Value*>> entries;
      for (const auto& kv : v.dict().items()) {
        ONDO_ASSIGN_OR_RETURN(std::string key, json_key(kv.first));
        entries.emplace_back(std::move(key), &kv.second);
      }
      if (opt.sort_keys) {
        std::stable_sort(entries.begin(), entries.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
      }
      out.push_back('{');
      bool first = true;
      for (const auto& [key, val] : entries) {
        if (!first) out += opt.item_sep;
        first = false;
        newline_indent(out, opt, level + 1);
        append_json_string(out, key, opt.ensure_ascii);
        out += opt.key_sep;
        ONDO_TRY(dump(out, *val, opt, level + 1));
      }
      newline_indent(out, opt, level);
      out.push_back('}');
      return ok_status();
    }
    default:
      return render_error("Object of type " + std::string(type_name(v)) +
                          " is not JSON serializable");
  }
}

}  // namespace

Result<Value> from_json(const nlohmann::ordered_json& j) { return from_json_at(j, 0); }

Result<std::string> to_json(const Value& v, const JsonDumpOptions& opt) {
  std::string out;
  ONDO_TRY(dump(out, v, opt, 0));
  return out;
}

}  // namespace ondo::text::jinja
