// Operators and element access with Python semantics: + - * / // % ** (int overflow is an
// error, not a wrap), iteration, len(), slicing, and jinja2's sandboxed getattr/getitem
// (attribute first for `.`, item first for `[]`, undefined when both miss).
// Layer: text (chat_template).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "ondo/text/chat_template/builtins.h"
#include "ondo/text/chat_template/interpreter.h"
#include "ondo/text/chat_template/pystr.h"

namespace ondo::text::jinja {
namespace {

Error unsupported(std::string_view op, const Value& a, const Value& b) {
  return render_error("unsupported operand type(s) for " + std::string(op) + ": '" +
                      std::string(type_name(a)) + "' and '" + std::string(type_name(b)) + "'");
}

Error overflow() { return render_error("integer overflow (ondo integers are 64-bit)"); }

Result<Value> int_pow(int64_t base, int64_t exp) {
  if (exp < 0) {
    if (base == 0) return render_error("0.0 cannot be raised to a negative power");
    return Value::real(std::pow(double(base), double(exp)));
  }
  int64_t result = 1;
  while (exp > 0) {
    if (exp & 1) {
      if (__builtin_mul_overflow(result, base, &result)) return overflow();
    }
    exp >>= 1;
    if (exp > 0 && __builtin_mul_overflow(base, base, &base)) return overflow();
  }
  return Value::integer(result);
}

Result<Value> arith(std::string_view op, const Value& a, const Value& b) {
  const bool use_float = a.kind() == Kind::Float || b.kind() == Kind::Float;
  if (op == "/") {
    if (b.as_float() == 0.0) return render_error("division by zero");
    return Value::real(a.as_float() / b.as_float());
  }
  if (use_float) {
    const double x = a.as_float(), y = b.as_float();
    if (op == "+") return Value::real(x + y);
    if (op == "-") return Value::real(x - y);
    if (op == "*") return Value::real(x * y);
    if (op == "**") {
      if (x == 0.0 && y < 0) return render_error("0.0 cannot be raised to a negative power");
      return Value::real(std::pow(x, y));
    }
    if (y == 0.0) return render_error(op == "//" ? "float floor division by zero" : "float modulo");
    if (op == "//") return Value::real(std::floor(x / y));
    double m = std::fmod(x, y);
    if (m != 0.0 && ((m < 0) != (y < 0))) m += y;
    return Value::real(m);
  }
  const int64_t x = a.as_int(), y = b.as_int();
  int64_t r = 0;
  if (op == "+") return __builtin_add_overflow(x, y, &r) ? Result<Value>(overflow()) : Value::integer(r);
  if (op == "-") return __builtin_sub_overflow(x, y, &r) ? Result<Value>(overflow()) : Value::integer(r);
  if (op == "*") return __builtin_mul_overflow(x, y, &r) ? Result<Value>(overflow()) : Value::integer(r);
  if (op == "**") return int_pow(x, y);
  if (y == 0) return render_error("integer division or modulo by zero");
  if (x == INT64_MIN && y == -1) return overflow();
  int64_t q = x / y, m = x % y;
  if (m != 0 && ((m < 0) != (y < 0))) {
    q -= 1;
    m += y;
  }
  return Value::integer(op == "//" ? q : m);
}

// One %-conversion of `v` with its flags/width/precision `spec` ("%-5", "%.2", ...).
Result<std::string> format_one(Interpreter& in, std::string spec, char conv, const Value& v) {
  std::string text;
  char buf[1024] = {0};
  for (size_t i = 0; i < spec.size(); ++i) {
    if (std::isdigit(uint8_t(spec[i])) && std::atoll(spec.c_str() + i) > 512) {
      return render_error("format width or precision too large (limit 512)");
    }
  }
  if (conv == 's' || conv == 'r') {
    if (conv == 's') {
      text = to_str(v);
    } else {
      append_repr(text, v);
    }
    const bool left = spec.find('-') != std::string::npos;
    const size_t digits_at = spec.find_first_of("123456789");
    const size_t width = digits_at == std::string::npos || spec.find('.') < digits_at
                             ? 0 : size_t(std::atoi(spec.c_str() + digits_at));
    const size_t len = count_code_points(text);
    if (width > len && width < in.max_bytes()) {
      const std::string pad(width - len, ' ');
      text = left ? text + pad : pad + text;
    }
  } else if (conv == 'd' || conv == 'i' || conv == 'x' || conv == 'f') {
    if (!v.is_number()) {
      return render_error(std::string("%") + conv + " format: a real number is required, not " +
                          std::string(type_name(v)));
    }
    if (conv == 'f') {
      spec += "f";
      std::snprintf(buf, sizeof(buf), spec.c_str(), v.as_float());
    } else {
      spec += conv == 'x' ? "llx" : "lld";
      if (v.kind() == Kind::Float && !(std::fabs(v.as_float()) < 9.2e18)) {
        return render_error("cannot convert float " + float_repr(v.as_float()) + " to integer");
      }
      const long long n = v.kind() == Kind::Float ? (long long)v.as_float() : (long long)v.as_int();
      std::snprintf(buf, sizeof(buf), spec.c_str(), n);
    }
    text = buf;
  } else {
    return render_error(std::string("unsupported format character '") + conv + "'");
  }
  return text;
}

// printf-style str % args: %s %r %d %i %f %x %% with width, precision and the - flag.
Result<Value> percent_format(Interpreter& in, const std::string& fmt, const Value& arg) {
  ValueList args = arg.kind() == Kind::Tuple ? arg.items() : ValueList{arg};
  std::string out;
  size_t next = 0;
  for (size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%') {
      out.push_back(fmt[i]);
      continue;
    }
    std::string spec = "%";
    while (++i < fmt.size() && std::string_view("-+ 0#.0123456789").find(fmt[i]) != std::string_view::npos) {
      spec.push_back(fmt[i]);
    }
    if (i >= fmt.size()) return render_error("incomplete format");
    const char conv = fmt[i];
    if (conv == '%') {
      out.push_back('%');
      continue;
    }
    if (next >= args.size()) return render_error("not enough arguments for format string");
    ONDO_ASSIGN_OR_RETURN(std::string text, format_one(in, spec, conv, args[next++]));
    out += text;
    ONDO_TRY(in.check_size(out.size()));
  }
  if (next < args.size() && arg.kind() == Kind::Tuple) {
    return render_error("not all arguments converted during string formatting");
  }
  return Value::string(std::move(out));
}

Result<Value> repeat(Interpreter& in, const Value& seq, int64_t n) {
  if (n <= 0) return seq.is_string() ? Value::string("") : seq.kind() == Kind::Tuple ? Value::tuple({}) : Value::list({});
  if (seq.is_string()) {
    const size_t total = seq.str().size() * size_t(n);
    if (n > int64_t(in.max_bytes()) || total > in.max_bytes()) ONDO_TRY(in.check_size(SIZE_MAX));
    ONDO_TRY(in.step(total / 64));
    std::string out;
    out.reserve(total);
    for (int64_t i = 0; i < n; ++i) out += seq.str();
    return Value::string(std::move(out));
  }
  const size_t total = seq.items().size() * size_t(n);
  if (n > int64_t(in.max_bytes()) || total > in.max_bytes() / 8) ONDO_TRY(in.check_size(SIZE_MAX));
  ONDO_TRY(in.step(total));
  ValueList out;
  out.reserve(total);
  for (int64_t i = 0; i < n; ++i) out.insert(out.end(), seq.items().begin(), seq.items().end());
  return seq.kind() == Kind::Tuple ? Value::tuple(std::move(out)) : Value::list(std::move(out));
}

}  // namespace

Result<Value> Interpreter::binary(std::string_view op, const Value& a, const Value& b) {
  ONDO_TRY(step(a.weight() / 8 + b.weight() / 8));
  if (a.is_undefined()) return render_error(undefined_message(a));
  if (b.is_undefined()) return render_error(undefined_message(b));
  if (a.is_number() && b.is_number()) return arith(op, a, b);
  if (op == "+") {
    if (a.is_string() && b.is_string()) {
      ONDO_TRY(check_size(a.str().size() + b.str().size()));
      ONDO_TRY(step((a.str().size() + b.str().size()) / 64));
      return Value::string(a.str() + b.str());
    }
    if (a.is_sequence() && a.kind() == b.kind()) {
      const size_t n = a.items().size() + b.items().size();
      if (n > max_bytes() / 8) ONDO_TRY(check_size(SIZE_MAX));
      ONDO_TRY(step(n));
      ValueList out = a.items();
      out.insert(out.end(), b.items().begin(), b.items().end());
      return a.kind() == Kind::List ? Value::list(std::move(out)) : Value::tuple(std::move(out));
    }
    if (a.is_string() || a.is_sequence()) {
      return render_error("can only concatenate " + std::string(type_name(a)) + " (not \"" +
                          std::string(type_name(b)) + "\") to " + std::string(type_name(a)));
    }
    return unsupported(op, a, b);
  }
  if (op == "*") {
    if ((a.is_string() || a.is_sequence()) && b.is_number() && b.kind() != Kind::Float) {
      return repeat(*this, a, b.as_int());
    }
    if ((b.is_string() || b.is_sequence()) && a.is_number() && a.kind() != Kind::Float) {
      return repeat(*this, b, a.as_int());
    }
    if ((a.is_string() || a.is_sequence()) && b.kind() == Kind::Float) {
      return render_error("can't multiply sequence by non-int of type 'float'");
    }
  }
  if (op == "%" && a.is_string()) return percent_format(*this, a.str(), b);
  return unsupported(op == "**" ? "** or pow()" : op, a, b);
}

Result<ValueList> iterate(const Value& v) {
  switch (v.kind()) {
    case Kind::Undefined: return ValueList{};
    case Kind::List:
    case Kind::Tuple: return v.items();
    case Kind::Dict: {
      ValueList keys;
      for (const auto& kv : v.dict().items()) keys.push_back(kv.first);
      return keys;
    }
    case Kind::String: {
      ValueList chars;
      for (char32_t c : decode_utf8(v.str())) {
        std::string s;
        append_utf8(s, c);
        chars.push_back(Value::string(std::move(s)));
      }
      return chars;
    }
    default: return render_error("'" + std::string(type_name(v)) + "' object is not iterable");
  }
}

Result<int64_t> length_of(const Value& v) {
  switch (v.kind()) {
    case Kind::Undefined: return int64_t(0);
    case Kind::String: return int64_t(count_code_points(v.str()));
    case Kind::List:
    case Kind::Tuple: return int64_t(v.items().size());
    case Kind::Dict: return int64_t(v.dict().size());
    default: return render_error("object of type '" + std::string(type_name(v)) + "' has no len()");
  }
}

Result<Value> slice_value(const Value& obj, const Value& start, const Value& stop, const Value& step) {
  if (obj.is_undefined()) return render_error(undefined_message(obj));
  for (const Value* b : {&start, &stop, &step}) {
    if (!b->is_none() && !(b->is_number() && b->kind() != Kind::Float)) {
      return render_error("slice indices must be integers or None or have an __index__ method");
    }
  }
  const bool is_str = obj.is_string();
  if (!is_str && !obj.is_sequence()) {
    return Value::undefined(object_type_repr(obj) + " has no element slice");
  }
  std::u32string cps;
  if (is_str) cps = decode_utf8(obj.str());
  const int64_t n = is_str ? int64_t(cps.size()) : int64_t(obj.items().size());
  const int64_t st = step.is_none() ? 1 : step.as_int();
  if (st == 0) return render_error("slice step cannot be zero");
  auto clamp = [&](const Value& b, int64_t def) -> int64_t {
    if (b.is_none()) return def;
    int64_t i = b.as_int();
    if (i < 0) i += n;
    if (st > 0) return std::clamp<int64_t>(i, 0, n);
    return std::clamp<int64_t>(i, -1, n - 1);
  };
  const int64_t lo = clamp(start, st > 0 ? 0 : n - 1);
  const int64_t hi = clamp(stop, st > 0 ? n : -1);
  std::u32string s;
  ValueList items;
  for (int64_t i = lo; st > 0 ? i < hi : i > hi; i += st) {
    if (is_str) s.push_back(cps[size_t(i)]);
    else items.push_back(obj.items()[size_t(i)]);
  }
  if (is_str) return Value::string(encode_utf8(s));
  return obj.kind() == Kind::Tuple ? Value::tuple(std::move(items)) : Value::list(std::move(items));
}

Result<Value> Interpreter::getattr(const Value& obj, std::string_view name) {
  if (obj.is_undefined()) return render_error(undefined_message(obj));
  if (auto attr = python_attribute(obj, name)) return *attr;
  if (obj.kind() == Kind::Dict) {
    ONDO_TRY(step(obj.dict().size() / 16));
    if (const Value* v = obj.dict().find(name)) return *v;
  } else if (obj.kind() == Kind::Namespace) {
    if (const Value* v = obj.name_space().attrs.find(name)) return *v;
  }
  return Value::undefined("'" + object_type_repr(obj) + "' has no attribute '" + std::string(name) + "'");
}

Result<Value> Interpreter::getitem(const Value& obj, const Value& key) {
  if (obj.is_undefined()) return render_error(undefined_message(obj));
  if (obj.kind() == Kind::Dict) {
    ONDO_TRY(step(obj.dict().size() / 16 + key.weight()));
    if (const Value* v = obj.dict().find(key)) return *v;
  } else if (obj.kind() == Kind::Namespace && key.is_string()) {
    if (const Value* v = obj.name_space().attrs.find(key.str())) return *v;
  } else if ((obj.is_sequence() || obj.is_string()) && key.is_number() && key.kind() != Kind::Float) {
    const int64_t n = obj.is_string() ? int64_t(count_code_points(obj.str())) : int64_t(obj.items().size());
    int64_t i = key.as_int();
    if (i < 0) i += n;
    if (i >= 0 && i < n) {
      if (obj.is_sequence()) return obj.items()[size_t(i)];
      const std::u32string cps = decode_utf8(obj.str());
      std::string s;
      append_utf8(s, cps[size_t(i)]);
      return Value::string(std::move(s));
    }
  }
  if (key.is_string()) {
    if (auto attr = python_attribute(obj, key.str())) return *attr;
    return Value::undefined("'" + object_type_repr(obj) + "' has no attribute '" + key.str() + "'");
  }
  std::string k;
  append_repr(k, key);
  return Value::undefined(object_type_repr(obj) + " has no element " + k);
}

}  // namespace ondo::text::jinja
