// Built-in tests (`x is defined`, `x is string`, ...) with jinja2 3.1 semantics
// (jinja2/tests.py), and Python's `in` operator. Layer: text (chat_template).
#include <algorithm>

#include "ondo/text/chat_template/builtins.h"
#include "ondo/text/chat_template/interpreter.h"
#include "ondo/text/chat_template/pystr.h"

namespace ondo::text::jinja {
namespace {

using TestFn = Result<bool> (*)(Interpreter&, const Value&, CallArgs&);

Result<Value> one_arg(const CallArgs& a, std::string_view what) {
  if (a.positional.size() + a.keyword.size() != 1) {
    return render_error("test '" + std::string(what) + "' takes exactly one argument");
  }
  return a.positional.empty() ? a.keyword[0].second : a.positional[0];
}

Result<bool> t_defined(Interpreter&, const Value& v, CallArgs&) { return !v.is_undefined(); }
Result<bool> t_undefined(Interpreter&, const Value& v, CallArgs&) { return v.is_undefined(); }
Result<bool> t_none(Interpreter&, const Value& v, CallArgs&) { return v.is_none(); }
Result<bool> t_string(Interpreter&, const Value& v, CallArgs&) { return v.is_string(); }
Result<bool> t_number(Interpreter&, const Value& v, CallArgs&) { return v.is_number(); }
Result<bool> t_integer(Interpreter&, const Value& v, CallArgs&) { return v.kind() == Kind::Int; }
Result<bool> t_float(Interpreter&, const Value& v, CallArgs&) { return v.kind() == Kind::Float; }
Result<bool> t_boolean(Interpreter&, const Value& v, CallArgs&) { return v.kind() == Kind::Bool; }
Result<bool> t_true(Interpreter&, const Value& v, CallArgs&) { return v.kind() == Kind::Bool && v.as_bool(); }
Result<bool> t_false(Interpreter&, const Value& v, CallArgs&) { return v.kind() == Kind::Bool && !v.as_bool(); }
Result<bool> t_mapping(Interpreter&, const Value& v, CallArgs&) { return v.kind() == Kind::Dict; }
Result<bool> t_callable(Interpreter&, const Value& v, CallArgs&) { return v.kind() == Kind::Callable; }
Result<bool> t_escaped(Interpreter&, const Value&, CallArgs&) { return false; }

Result<bool> t_sequence(Interpreter&, const Value& v, CallArgs&) {
  return v.is_undefined() || v.is_string() || v.is_sequence() || v.kind() == Kind::Dict;
}

Result<bool> t_iterable(Interpreter& in, const Value& v, CallArgs& a) { return t_sequence(in, v, a); }

Result<bool> t_lower(Interpreter&, const Value& v, CallArgs&) {
  const std::string s = to_str(v);
  const std::u32string cps = decode_utf8(s);
  const bool cased = std::any_of(cps.begin(), cps.end(), [](char32_t c) { return py_iscased(c); });
  return cased && py_lower(s) == s;
}

Result<bool> t_upper(Interpreter&, const Value& v, CallArgs&) {
  const std::string s = to_str(v);
  const std::u32string cps = decode_utf8(s);
  const bool cased = std::any_of(cps.begin(), cps.end(), [](char32_t c) { return py_iscased(c); });
  return cased && py_upper(s) == s;
}

Result<bool> compare_test(const Value& v, CallArgs& a, std::string_view op) {
  ONDO_ASSIGN_OR_RETURN(Value other, one_arg(a, op));
  if (op == "==") return equals(v, other);
  if (op == "!=") return !equals(v, other);
  ONDO_ASSIGN_OR_RETURN(int c, compare(v, other, op));
  if (op == "<") return c < 0;
  if (op == "<=") return c <= 0;
  if (op == ">") return c > 0;
  return c >= 0;
}

Result<bool> t_eq(Interpreter&, const Value& v, CallArgs& a) { return compare_test(v, a, "=="); }
Result<bool> t_ne(Interpreter&, const Value& v, CallArgs& a) { return compare_test(v, a, "!="); }
Result<bool> t_lt(Interpreter&, const Value& v, CallArgs& a) { return compare_test(v, a, "<"); }
Result<bool> t_le(Interpreter&, const Value& v, CallArgs& a) { return compare_test(v, a, "<="); }
Result<bool> t_gt(Interpreter&, const Value& v, CallArgs& a) { return compare_test(v, a, ">"); }
Result<bool> t_ge(Interpreter&, const Value& v, CallArgs& a) { return compare_test(v, a, ">="); }

Result<bool> t_sameas(Interpreter&, const Value& v, CallArgs& a) {
  ONDO_ASSIGN_OR_RETURN(Value other, one_arg(a, "sameas"));
  if (v.kind() != other.kind()) return false;
  switch (v.kind()) {
    case Kind::None:
    case Kind::Bool:
    case Kind::Int: return equals(v, other);
    case Kind::Namespace: return &v.name_space() == &other.name_space();
    case Kind::List:
    case Kind::Tuple: return &v.items() == &other.items();
    case Kind::Dict: return &v.dict() == &other.dict();
    default: return false;
  }
}

Result<bool> modulo_is(Interpreter& in, const Value& v, const Value& d, int64_t want) {
  ONDO_ASSIGN_OR_RETURN(Value m, in.binary("%", v, d));
  return equals(m, Value::integer(want));
}

Result<bool> t_odd(Interpreter& in, const Value& v, CallArgs&) { return modulo_is(in, v, Value::integer(2), 1); }
Result<bool> t_even(Interpreter& in, const Value& v, CallArgs&) { return modulo_is(in, v, Value::integer(2), 0); }
Result<bool> t_divisibleby(Interpreter& in, const Value& v, CallArgs& a) {
  ONDO_ASSIGN_OR_RETURN(Value d, one_arg(a, "divisibleby"));
  return modulo_is(in, v, d, 0);
}

// Python `v in seq`.
Result<bool> t_in(Interpreter& in, const Value& v, CallArgs& a) {
  ONDO_ASSIGN_OR_RETURN(Value seq, one_arg(a, "in"));
  switch (seq.kind()) {
    case Kind::Undefined: return false;
    case Kind::String:
      if (!v.is_string()) {
        return render_error("'in <string>' requires string as left operand, not " +
                            std::string(type_name(v)));
      }
      return seq.str().find(v.str()) != std::string::npos;
    case Kind::List:
    case Kind::Tuple:
      ONDO_TRY(in.step(seq.items().size() / 16));
      return std::any_of(seq.items().begin(), seq.items().end(),
                         [&](const Value& x) { return equals(x, v); });
    case Kind::Dict:
      if (v.kind() == Kind::List || v.kind() == Kind::Dict) {
        return render_error("unhashable type: '" + std::string(type_name(v)) + "'");
      }
      ONDO_TRY(in.step(seq.dict().size() / 16));
      return seq.dict().find(v) != nullptr;
    default:
      return render_error("argument of type '" + std::string(type_name(seq)) + "' is not iterable");
  }
}

Result<bool> t_filter(Interpreter&, const Value& v, CallArgs&) {
  return v.is_string() && find_filter(v.str()) >= 0;
}
Result<bool> t_test(Interpreter&, const Value& v, CallArgs&) {
  return v.is_string() && find_test(v.str()) >= 0;
}

struct TestEntry {
  std::string_view name;
  TestFn fn;
};

constexpr TestEntry kTests[] = {
    {"!=", t_ne},         {"<", t_lt},           {"<=", t_le},          {"==", t_eq},
    {">", t_gt},          {">=", t_ge},          {"boolean", t_boolean}, {"callable", t_callable},
    {"defined", t_defined}, {"divisibleby", t_divisibleby}, {"eq", t_eq}, {"equalto", t_eq},
    {"escaped", t_escaped}, {"even", t_even},    {"false", t_false},    {"filter", t_filter},
    {"float", t_float},   {"ge", t_ge},          {"greaterthan", t_gt}, {"gt", t_gt},
    {"in", t_in},         {"integer", t_integer}, {"iterable", t_iterable}, {"le", t_le},
    {"lessthan", t_lt},   {"lower", t_lower},    {"lt", t_lt},          {"mapping", t_mapping},
    {"ne", t_ne},         {"none", t_none},      {"number", t_number},  {"odd", t_odd},
    {"sameas", t_sameas}, {"sequence", t_sequence}, {"string", t_string}, {"test", t_test},
    {"true", t_true},     {"undefined", t_undefined}, {"upper", t_upper},
};

}  // namespace

int find_test(std::string_view name) {
  for (size_t i = 0; i < std::size(kTests); ++i) {
    if (kTests[i].name == name) return int(i);
  }
  return -1;
}

Result<bool> apply_test(int index, Interpreter& in, const Value& subject, CallArgs& args) {
  return kTests[size_t(index)].fn(in, subject, args);
}

}  // namespace ondo::text::jinja
