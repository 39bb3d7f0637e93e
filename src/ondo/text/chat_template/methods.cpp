// Python methods of str, dict, list and tuple that templates call (`s.strip()`,
// `d.items()`, ...), with ImmutableSandboxedEnvironment's refusal of mutating methods, and
// the environment's global functions (range, dict, namespace, raise_exception,
// strftime_now). Layer: text (chat_template).
#include <algorithm>
#include <ctime>

#include "ondo/text/chat_template/builtins.h"
#include "ondo/text/chat_template/interpreter.h"
#include "ondo/text/chat_template/pystr.h"

namespace ondo::text::jinja {
namespace {

constexpr std::string_view kStrMethods[] = {
    "strip", "lstrip", "rstrip", "split", "rsplit", "splitlines", "startswith", "endswith",
    "upper", "lower", "title", "capitalize", "replace", "find", "rfind", "index", "rindex",
    "count", "join", "isdigit", "isalpha", "isalnum", "isspace", "islower", "isupper"};
constexpr std::string_view kDictMethods[] = {"items", "keys", "values", "get", "copy"};
constexpr std::string_view kDictUnsafe[] = {"clear", "pop", "popitem", "setdefault", "update"};
constexpr std::string_view kListMethods[] = {"index", "count", "copy"};
constexpr std::string_view kListUnsafe[] = {"append", "clear", "extend", "insert", "pop",
                                            "remove", "reverse", "sort"};

template <size_t N>
bool contains(const std::string_view (&names)[N], std::string_view n) {
  return std::find(std::begin(names), std::end(names), n) != std::end(names);
}

std::optional<std::string> opt_str(const std::optional<Value>& v) {
  if (!v || v->is_none()) return std::nullopt;
  return to_str(*v);
}

Result<bool> affix_test(const std::string& s, const Value& affix, bool start) {
  auto one = [&](const Value& a) -> Result<bool> {
    if (!a.is_string()) {
      return render_error(std::string(start ? "startswith" : "endswith") +
                          " first arg must be str or a tuple of str, not " + std::string(type_name(a)));
    }
    const std::string& x = a.str();
    if (x.size() > s.size()) return false;
    return start ? s.compare(0, x.size(), x) == 0 : s.compare(s.size() - x.size(), x.size(), x) == 0;
  };
  if (affix.kind() != Kind::Tuple) return one(affix);
  for (const Value& a : affix.items()) {
    ONDO_ASSIGN_OR_RETURN(bool hit, one(a));
    if (hit) return true;
  }
  return false;
}

Value string_list(const std::vector<std::string>& parts) {
  ValueList out;
  for (const std::string& p : parts) out.push_back(Value::string(p));
  return Value::list(std::move(out));
}

template <class Pred>
bool all_chars(const std::string& s, Pred pred) {
  const std::u32string cps = decode_utf8(s);
  return !cps.empty() && std::all_of(cps.begin(), cps.end(), pred);
}

// str.replace / find / rfind / index / rindex / count / join.
Result<Value> str_search_method(Interpreter& in, const std::string& s, std::string_view m, CallArgs& a,
                                const std::string& what) {
  if (m == "replace") {
    ONDO_ASSIGN_OR_RETURN(auto p, bind_args(a, {"old", "new", "count"}, what));
    if (!p[0] || !p[1] || !p[0]->is_string() || !p[1]->is_string()) {
      return render_error(what + " arguments must be str");
    }
    const int64_t count = p[2] && is_int_like(*p[2]) ? p[2]->as_int() : -1;
    std::string out = py_replace(s, p[0]->str(), p[1]->str(), count);
    ONDO_TRY(in.check_size(out.size()));
    return Value::string(std::move(out));
  }
  if (m == "find" || m == "rfind" || m == "index" || m == "rindex" || m == "count") {
    ONDO_ASSIGN_OR_RETURN(auto p, bind_args(a, {"sub"}, what));
    if (!p[0] || !p[0]->is_string()) return render_error(what + " argument must be str");
    if (m == "count") return Value::integer(py_count(s, p[0]->str()));
    const int64_t at = py_find(s, p[0]->str(), m[0] == 'r');
    if (at < 0 && (m == "index" || m == "rindex")) return render_error("substring not found");
    return Value::integer(at);
  }
  if (m == "join") {
    ONDO_ASSIGN_OR_RETURN(auto p, bind_args(a, {"iterable"}, what));
    if (!p[0]) return render_error(what + " takes exactly one argument (0 given)");
    ONDO_ASSIGN_OR_RETURN(ValueList items, iterate(*p[0]));
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
      if (!items[i].is_string()) {
        return render_error("sequence item " + std::to_string(i) + ": expected str instance, " +
                            std::string(type_name(items[i])) + " found");
      }
      if (i) out += s;
      out += items[i].str();
      ONDO_TRY(in.check_size(out.size()));
    }
    return Value::string(std::move(out));
  }
  return render_error("'str' object has no attribute '" + std::string(m) + "'");
}

Result<Value> str_method(Interpreter& in, const std::string& s, std::string_view m, CallArgs& a) {
  const std::string what = "str." + std::string(m) + "()";
  if (m == "strip" || m == "lstrip" || m == "rstrip") {
    ONDO_ASSIGN_OR_RETURN(auto p, bind_args(a, {"chars"}, what));
    const StripSide side = m == "strip" ? StripSide::Both : m == "lstrip" ? StripSide::Left : StripSide::Right;
    return Value::string(py_strip(s, opt_str(p[0]), side));
  }
  if (m == "split" || m == "rsplit") {
    ONDO_ASSIGN_OR_RETURN(auto p, bind_args(a, {"sep", "maxsplit"}, what));
    const std::optional<std::string> sep = opt_str(p[0]);
    if (sep && sep->empty()) return render_error("empty separator");
    const int64_t maxsplit = p[1] && is_int_like(*p[1]) ? p[1]->as_int() : -1;
    ONDO_TRY(in.step(s.size() / 16));
    return string_list(m == "split" ? py_split(s, sep, maxsplit) : py_rsplit(s, sep, maxsplit));
  }
  if (m == "splitlines") return string_list(py_splitlines(s));
  if (m == "startswith" || m == "endswith") {
    ONDO_ASSIGN_OR_RETURN(auto p, bind_args(a, {"prefix"}, what));
    if (!p[0]) return render_error(what + " takes at least 1 argument (0 given)");
    ONDO_ASSIGN_OR_RETURN(bool hit, affix_test(s, *p[0], m == "startswith"));
    return Value::boolean(hit);
  }
  if (m == "upper") return Value::string(py_upper(s));
  if (m == "lower") return Value::string(py_lower(s));
  if (m == "title") return Value::string(py_title(s));
  if (m == "capitalize") return Value::string(py_capitalize(s));
  if (m == "isdigit") return Value::boolean(all_chars(s, py_isdigit));
  if (m == "isalpha") return Value::boolean(all_chars(s, py_isalpha));
  if (m == "isalnum") return Value::boolean(all_chars(s, [](char32_t c) { return py_isalpha(c) || py_isdigit(c); }));
  if (m == "isspace") return Value::boolean(all_chars(s, py_isspace));
  if (m == "islower" || m == "isupper") {
    const std::u32string cps = decode_utf8(s);
    const bool cased = std::any_of(cps.begin(), cps.end(), py_iscased);
    return Value::boolean(cased && (m == "islower" ? py_lower(s) : py_upper(s)) == s);
  }
  return str_search_method(in, s, m, a, what);
}

Result<Value> dict_method(const Value& self, std::string_view m, CallArgs& a) {
  const std::string what = "dict." + std::string(m) + "()";
  if (m == "get") {
    ONDO_ASSIGN_OR_RETURN(auto p, bind_args(a, {"key", "default"}, what));
    if (!p[0]) return render_error("get expected at least 1 argument, got 0");
    if (const Value* v = self.dict().find(*p[0])) return *v;
    return p[1] ? *p[1] : Value::none();
  }
  if (!a.positional.empty() || !a.keyword.empty()) return render_error(what + " takes no arguments");
  if (m == "copy") return self;
  ValueList out;
  for (const auto& kv : self.dict().items()) {
    if (m == "items") out.push_back(Value::tuple({kv.first, kv.second}));
    else out.push_back(m == "keys" ? kv.first : kv.second);
  }
  return Value::list(std::move(out));
}

Result<Value> list_method(const Value& self, std::string_view m, CallArgs& a) {
  const std::string what = std::string(type_name(self)) + "." + std::string(m) + "()";
  if (m == "copy") return Value::list(self.items());
  ONDO_ASSIGN_OR_RETURN(auto p, bind_args(a, {"value"}, what));
  if (!p[0]) return render_error(what + " takes exactly one argument (0 given)");
  const ValueList& items = self.items();
  if (m == "count") {
    return Value::integer(std::count_if(items.begin(), items.end(), [&](const Value& x) { return equals(x, *p[0]); }));
  }
  for (size_t i = 0; i < items.size(); ++i) {
    if (equals(items[i], *p[0])) return Value::integer(int64_t(i));
  }
  return render_error(to_str(*p[0]) + " is not in " + std::string(type_name(self)));
}

class MethodCallable : public Callable {
 public:
  MethodCallable(Value self, std::string name) : self_(std::move(self)), name_(std::move(name)) {}
  std::string_view name() const override { return name_; }
  Result<Value> call(Interpreter& in, CallArgs& args) const override {
    if (self_.is_string()) return str_method(in, self_.str(), name_, args);
    if (self_.kind() == Kind::Dict) return dict_method(self_, name_, args);
    return list_method(self_, name_, args);
  }
  uint64_t weight() const override { return self_.weight(); }

 private:
  Value self_;
  std::string name_;
};

// Global functions.
using GlobalFn = Result<Value> (*)(Interpreter&, CallArgs&);

Result<Value> g_range(Interpreter& in, CallArgs& a) {
  if (!a.keyword.empty()) return render_error("range() takes no keyword arguments");
  if (a.positional.empty() || a.positional.size() > 3) {
    return render_error("range expected 1 to 3 arguments, got " + std::to_string(a.positional.size()));
  }
  for (const Value& v : a.positional) {
    if (!is_int_like(v)) {
      return render_error("'" + std::string(type_name(v)) + "' object cannot be interpreted as an integer");
    }
  }
  const size_t n = a.positional.size();
  const int64_t start = n == 1 ? 0 : a.positional[0].as_int();
  const int64_t stop = n == 1 ? a.positional[0].as_int() : a.positional[1].as_int();
  const int64_t step = n == 3 ? a.positional[2].as_int() : 1;
  if (step == 0) return render_error("range() arg 3 must not be zero");
  const __int128 span = step > 0 ? __int128(stop) - start : __int128(start) - stop;
  const __int128 count = span <= 0 ? 0 : (span + (step > 0 ? step : -__int128(step)) - 1) / (step > 0 ? step : -__int128(step));
  if (count > 100000) {
    return render_error("Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
  }
  ONDO_TRY(in.step(uint64_t(count)));
  ValueList out;
  for (int64_t i = 0; i < int64_t(count); ++i) out.push_back(Value::integer(start + i * step));
  return Value::list(std::move(out));
}

Result<Value> g_dict(Interpreter&, CallArgs& a) {
  ValueDict d;
  if (a.positional.size() > 1) return render_error("dict expected at most 1 argument");
  if (!a.positional.empty()) {
    if (a.positional[0].kind() != Kind::Dict) return render_error("dict() argument must be a mapping");
    d = a.positional[0].dict();
  }
  for (auto& [k, v] : a.keyword) d.set(Value::string(k), v);
  return Value::dict(std::move(d));
}

Result<Value> g_namespace(Interpreter&, CallArgs& a) {
  auto ns = std::make_shared<Namespace>();
  for (const Value& init : a.positional) {
    if (init.kind() != Kind::Dict) return render_error("namespace() positional argument must be a dict");
    for (const auto& kv : init.dict().items()) ns->attrs.set(kv.first, kv.second);
  }
  for (auto& [k, v] : a.keyword) ns->attrs.set(Value::string(k), v);
  for (const auto& kv : ns->attrs.items()) {
    if (kv.second.holds_namespace()) return render_error("cannot store a namespace inside a namespace");
  }
  return Value::name_space(std::move(ns));
}

Result<Value> g_raise_exception(Interpreter&, CallArgs& a) {
  const std::string msg = a.positional.empty() ? std::string() : to_str(a.positional[0]);
  return render_error(msg);
}

Result<Value> g_strftime_now(Interpreter& in, CallArgs& a) {
  if (a.positional.size() != 1 || !a.positional[0].is_string()) {
    return render_error("strftime_now() takes one string argument");
  }
  std::tm tm{};
  const std::string& date = in.date();
  if (date.empty()) {
    const std::time_t now = std::time(nullptr);
    localtime_r(&now, &tm);
  } else {
    tm.tm_year = std::atoi(date.substr(0, 4).c_str()) - 1900;
    tm.tm_mon = std::atoi(date.substr(5, 2).c_str()) - 1;
    tm.tm_mday = std::atoi(date.substr(8, 2).c_str());
    tm.tm_isdst = -1;
    std::time_t t = timegm(&tm);  // normalises and fills weekday / day of year
    gmtime_r(&t, &tm);
  }
  const std::string& fmt = a.positional[0].str();
  if (fmt.empty()) return Value::string("");
  if (fmt.size() > 1024) return render_error("strftime_now(): format too long");
  std::string buf(fmt.size() * 64 + 64, '\0');
  const size_t n = std::strftime(buf.data(), buf.size(), fmt.c_str(), &tm);
  buf.resize(n);
  return Value::string(std::move(buf));
}

class GlobalCallable : public Callable {
 public:
  GlobalCallable(std::string_view name, GlobalFn fn) : name_(name), fn_(fn) {}
  std::string_view name() const override { return name_; }
  Result<Value> call(Interpreter& in, CallArgs& args) const override { return fn_(in, args); }

 private:
  std::string_view name_;
  GlobalFn fn_;
};

}  // namespace

std::optional<Value> python_attribute(const Value& obj, std::string_view name) {
  const bool safe = (obj.is_string() && contains(kStrMethods, name)) ||
                    (obj.kind() == Kind::Dict && contains(kDictMethods, name)) ||
                    (obj.is_sequence() && contains(kListMethods, name));
  if (safe) {
    return Value::callable(std::make_shared<MethodCallable>(obj, std::string(name)), obj.holds_namespace());
  }
  const bool unsafe = (obj.kind() == Kind::Dict && contains(kDictUnsafe, name)) ||
                      (obj.kind() == Kind::List && contains(kListUnsafe, name));
  if (unsafe) {
    return Value::undefined("access to attribute '" + std::string(name) + "' of '" +
                            std::string(type_name(obj)) + "' object is unsafe.");
  }
  return std::nullopt;
}

std::optional<Value> global_function(std::string_view name) {
  static const std::pair<std::string_view, Value> kGlobals[] = {
      {"range", Value::callable(std::make_shared<GlobalCallable>("range", g_range))},
      {"dict", Value::callable(std::make_shared<GlobalCallable>("dict", g_dict))},
      {"namespace", Value::callable(std::make_shared<GlobalCallable>("namespace", g_namespace))},
      {"raise_exception",
       Value::callable(std::make_shared<GlobalCallable>("raise_exception", g_raise_exception))},
      {"strftime_now", Value::callable(std::make_shared<GlobalCallable>("strftime_now", g_strftime_now))},
  };
  for (const auto& [n, v] : kGlobals) {
    if (n == name) return v;
  }
  return std::nullopt;
}

}  // namespace ondo::text::jinja
