// Template values with Python semantics (the data model jinja2 sees): undefined, None,
// bool, int, float, str, list, tuple, dict, namespace and callables; printing (str/repr),
// truthiness, equality, ordering and JSON conversion. Layer: text (chat_template).
// Must not touch anything above text; no I/O.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "ondo/core/limits.h"
#include "ondo/core/result.h"

namespace ondo::text::jinja {

class Value;
class Interpreter;
using ValueList = std::vector<Value>;

// Lists, tuples and dicts are immutable once built (ImmutableSandboxedEnvironment forbids
// their mutating methods), so values share them freely. Nesting is bounded so that printing,
// comparing, JSON conversion and destroying (all recursive, one or two frames per level)
// never recurse deeply: inputs from JSON by core::kMaxRequestJsonDepth (64), values a
// template builds by kMaxValueDepth (room for inputs wrapped by templates). Measured at
// kMaxValueDepth: every walk fits 128 KB of stack in Release and 512 KB with ASan+UBSan
// (value_test runs them on a 1 MB thread; HTTP threads have 8 MB).
inline constexpr int kMaxValueDepth = 200;
static_assert(kMaxValueDepth >= int(core::kMaxRequestJsonDepth));

class ValueDict;
struct Namespace;
class Callable;

enum class Kind : uint8_t {
  Undefined, None, Bool, Int, Float, String, List, Tuple, Dict, Namespace, Callable,
};

class Value {
 public:
  Value() = default;  // undefined, no hint
  static Value undefined(std::string hint);
  static Value none();
  static Value boolean(bool b);
  static Value integer(int64_t i);
  static Value real(double f);
  static Value string(std::string s);
  static Value list(ValueList items);
  static Value tuple(ValueList items);
  static Value dict(ValueDict d);
  static Value name_space(std::shared_ptr<Namespace> ns);
  // `holds_ns`: the callable keeps a value that holds a namespace (a bound method).
  static Value callable(std::shared_ptr<const Callable> fn, bool holds_ns = false);

  Kind kind() const { return kind_; }
  bool is_undefined() const { return kind_ == Kind::Undefined; }
  bool is_none() const { return kind_ == Kind::None; }
  bool is_string() const { return kind_ == Kind::String; }
  bool is_number() const { return kind_ == Kind::Int || kind_ == Kind::Float || kind_ == Kind::Bool; }
  bool is_sequence() const { return kind_ == Kind::List || kind_ == Kind::Tuple; }

  // Requires: the matching kind (Bool/Int for as_int; Int/Float/Bool for as_float).
  bool as_bool() const { return b_; }
  int64_t as_int() const { return kind_ == Kind::Bool ? int64_t(b_) : i_; }
  double as_float() const;
  const std::string& str() const { return s_ ? *s_ : empty_string(); }  // String; Undefined's hint
  const ValueList& items() const;                // List or Tuple
  const ValueDict& dict() const;                 // Dict
  Namespace& name_space() const { return *ns_; }
  const Callable& fn() const { return *fn_; }

  // Nesting depth (scalars 0) and whether a namespace lies inside (cycles are refused).
  int depth() const { return depth_; }
  // Work to walk the value (nodes, plus string bytes / 64), saturating: what equality,
  // printing and JSON cost. Render steps are charged by it.
  uint64_t weight() const { return weight_; }
  bool holds_namespace() const { return has_ns_; }

 private:
  Kind kind_ = Kind::Undefined;
  bool b_ = false;
  bool has_ns_ = false;
  uint16_t depth_ = 0;
  int64_t i_ = 0;
  double f_ = 0;
  uint64_t weight_ = 1;
  std::shared_ptr<const std::string> s_;  // shared: copying a value never copies its text
  static const std::string& empty_string();
  std::shared_ptr<const ValueList> l_;
  std::shared_ptr<const ValueDict> d_;
  std::shared_ptr<Namespace> ns_;
  std::shared_ptr<const Callable> fn_;
};

// An insertion-ordered dict (Python 3.7+ semantics). Keys are hashable scalars in practice.
class ValueDict {
 public:
  const Value* find(const Value& key) const;
  const Value* find(std::string_view key) const;
  void set(Value key, Value value);  // replaces in place or appends
  const std::vector<std::pair<Value, Value>>& items() const { return items_; }
  size_t size() const { return items_.size(); }

 private:
  std::vector<std::pair<Value, Value>> items_;
};

// namespace(): the one mutable object templates may assign attributes on.
struct Namespace {
  ValueDict attrs;
};

// Positional and keyword arguments of a call, already evaluated.
struct CallArgs {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> keyword;
};

// Something a template can call: a macro, a global function or a bound method.
class Callable {
 public:
  virtual ~Callable() = default;
  virtual std::string_view name() const = 0;
  virtual Result<Value> call(Interpreter& in, CallArgs& args) const = 0;
  // Work a call may do on values the callable holds (a bound method's receiver).
  virtual uint64_t weight() const { return 0; }
};

// An error raised while rendering (TypeError, UndefinedError, ... in jinja2 terms).
Error render_error(std::string message);

// Python's type(x).__name__ ("str", "NoneType", "dict", ...).
std::string_view type_name(const Value& v);
// jinja2's object_type_repr: "None", "dict object", "str object", ...
std::string object_type_repr(const Value& v);
// The message raised when an undefined value is used.
std::string undefined_message(const Value& v);

bool truthy(const Value& v);
bool equals(const Value& a, const Value& b);
// Python ordering for <, <=, >, >=: negative/zero/positive, or a TypeError naming `op`.
Result<int> compare(const Value& a, const Value& b, std::string_view op);

// Python str(): strings raw, containers as repr, undefined as "".
std::string to_str(const Value& v);
void append_str(std::string& out, const Value& v);
// Python repr().
void append_repr(std::string& out, const Value& v);
std::string float_repr(double f);

// JSON in (insertion order kept) and json.dumps out. from_json: error (InvalidArgument)
// when containers nest more than core::kMaxRequestJsonDepth levels.
Result<Value> from_json(const nlohmann::ordered_json& j);
struct JsonDumpOptions {
  std::string indent;       // used when has_indent
  bool has_indent = false;
  std::string item_sep = ", ";
  std::string key_sep = ": ";
  bool sort_keys = false;
  bool ensure_ascii = false;
};
Result<std::string> to_json(const Value& v, const JsonDumpOptions& opt);

}  // namespace ondo::text::jinja
