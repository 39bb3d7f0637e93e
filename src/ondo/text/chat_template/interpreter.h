// The tree-walking interpreter that renders a parsed template (one per render call; not
// shared across threads). Enforces the render limits: steps (work done), output and
// intermediate sizes, and recursion depth. Layer: text (chat_template).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "ondo/core/result.h"
#include "ondo/text/chat_template/ast.h"
#include "ondo/text/chat_template/value.h"

namespace ondo::text::jinja {

struct InterpLimits {
  size_t max_output_bytes = 4 << 20;
  uint64_t max_steps = 50'000'000;
  int max_depth = 256;
};

// A variable scope: the render context at the root, then macro, loop and with scopes.
struct Scope {
  std::shared_ptr<Scope> parent;
  std::unordered_map<std::string, Value> vars;
};

class Interpreter {
 public:
  // `program` and `name` must outlive the interpreter. `date` is "YYYY-MM-DD" or empty.
  Interpreter(const Program& program, std::string_view name, const InterpLimits& limits,
              std::string date);

  // Renders with `vars` as the root context.
  Result<std::string> render(std::unordered_map<std::string, Value> vars);

  // For builtins and callables.
  Status step(uint64_t n = 1);
  Status check_size(size_t bytes) const;
  size_t max_bytes() const { return limits_.max_output_bytes; }
  const std::string& date() const { return date_; }
  Result<Value> call(const Value& fn, CallArgs& args);
  Result<Value> getattr(const Value& obj, std::string_view name);
  Result<Value> getitem(const Value& obj, const Value& key);
  Result<Value> call_macro(const Stmt& macro, const std::shared_ptr<Scope>& closure,
                           CallArgs& args, std::string_view name);

  // Binary and unary operators with Python semantics (ops.cpp).
  Result<Value> binary(std::string_view op, const Value& a, const Value& b);

 private:
  enum class Flow { Normal, Break, Continue };
  struct DepthGuard;

  Result<Flow> exec_body(const Body& body, const std::shared_ptr<Scope>& scope, std::string& out);
  Result<Flow> exec(const Stmt& st, const std::shared_ptr<Scope>& scope, std::string& out);
  Result<Flow> exec_for(const Stmt& st, const std::shared_ptr<Scope>& scope, std::string& out);
  Status exec_set(const Stmt& st, const std::shared_ptr<Scope>& scope, std::string& out);
  Status exec_call_block(const Stmt& st, const std::shared_ptr<Scope>& scope, std::string& out);
  Status assign(const Expr& target, const Value& v, Scope& scope);
  Status append(std::string& out, std::string_view text);

  Result<Value> eval(const Expr& e, const std::shared_ptr<Scope>& scope);
  Result<Value> eval_inner(const Expr& e, const std::shared_ptr<Scope>& scope);
  Result<Value> eval_collection(const Expr& e, const std::shared_ptr<Scope>& scope);
  Result<Value> eval_unary(const Expr& e, const std::shared_ptr<Scope>& scope);
  Result<Value> eval_call(const Expr& e, const std::shared_ptr<Scope>& scope);
  Result<Value> eval_filter(const Expr& e, const std::shared_ptr<Scope>& scope, const Value* base);
  Result<Value> eval_compare(const Expr& e, const std::shared_ptr<Scope>& scope);
  Result<Value> eval_slice(const Expr& e, const std::shared_ptr<Scope>& scope);
  Status eval_args(const Expr& e, const std::shared_ptr<Scope>& scope, CallArgs& args);
  Value lookup(const std::string& name, const Scope& scope) const;
  Error locate(Error err, int line);

  const Program& program_;
  std::string_view name_;
  InterpLimits limits_;
  std::string date_;
  uint64_t steps_ = 0;
  int depth_ = 0;
  bool located_ = false;
};

// Materialises an iterable (list, tuple, dict keys, string characters; undefined is empty).
Result<ValueList> iterate(const Value& v);
// Python len(); an error for values without one.
Result<int64_t> length_of(const Value& v);
// Python-style slicing of a list, tuple or string.
Result<Value> slice_value(const Value& obj, const Value& start, const Value& stop,
                          const Value& step);

}  // namespace ondo::text::jinja
