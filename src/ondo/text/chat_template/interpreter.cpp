// The template interpreter: statements and expressions (see interpreter.h). Scoping follows
// jinja2: for loops, macros, call blocks and with blocks open a scope, `set` inside them
// stays local (namespace() is the way out), if blocks share their parent's scope.
// Layer: text (chat_template).
#include "ondo/text/chat_template/interpreter.h"

#include "ondo/text/chat_template/builtins.h"

namespace ondo::text::jinja {

struct Interpreter::DepthGuard {
  Interpreter* in;
  explicit DepthGuard(Interpreter* i) : in(i) { ++in->depth_; }
  ~DepthGuard() { --in->depth_; }
};

namespace {

// A macro (or the `caller` of a call block) bound to the scope it was defined in. The scope
// is held weakly: scopes own their variables, so a strong reference would be a cycle.
class MacroCallable : public Callable {
 public:
  MacroCallable(const Stmt* st, std::weak_ptr<Scope> scope, std::string name)
      : st_(st), scope_(std::move(scope)), name_(std::move(name)) {}
  std::string_view name() const override { return name_; }
  Result<Value> call(Interpreter& in, CallArgs& args) const override {
    std::shared_ptr<Scope> closure = scope_.lock();
    if (!closure) return render_error("macro '" + name_ + "' called after its scope ended");
    return in.call_macro(*st_, closure, args, name_);
  }

 private:
  const Stmt* st_;
  std::weak_ptr<Scope> scope_;
  std::string name_;
};

// loop.cycle(a, b, ...): the argument at index0 modulo the count.
class CycleCallable : public Callable {
 public:
  explicit CycleCallable(int64_t index0) : index0_(index0) {}
  std::string_view name() const override { return "cycle"; }
  Result<Value> call(Interpreter&, CallArgs& args) const override {
    if (args.positional.empty()) return render_error("no items for cycling given");
    return args.positional[size_t(index0_ % int64_t(args.positional.size()))];
  }

 private:
  int64_t index0_;
};

Value loop_object(const ValueList& items, size_t i) {
  const auto n = int64_t(items.size());
  const auto k = int64_t(i);
  ValueDict d;
  d.set(Value::string("index"), Value::integer(k + 1));
  d.set(Value::string("index0"), Value::integer(k));
  d.set(Value::string("revindex"), Value::integer(n - k));
  d.set(Value::string("revindex0"), Value::integer(n - k - 1));
  d.set(Value::string("first"), Value::boolean(k == 0));
  d.set(Value::string("last"), Value::boolean(k == n - 1));
  d.set(Value::string("length"), Value::integer(n));
  d.set(Value::string("depth"), Value::integer(1));
  d.set(Value::string("depth0"), Value::integer(0));
  d.set(Value::string("previtem"),
        i > 0 ? items[i - 1] : Value::undefined("there is no previous item"));
  d.set(Value::string("nextitem"),
        i + 1 < items.size() ? items[i + 1] : Value::undefined("there is no next item"));
  d.set(Value::string("cycle"), Value::callable(std::make_shared<CycleCallable>(k)));
  return Value::dict(std::move(d));
}

}  // namespace

Interpreter::Interpreter(const Program& program, std::string_view name, const InterpLimits& limits,
                         std::string date)
    : program_(program), name_(name), limits_(limits), date_(std::move(date)) {}

Result<std::string> Interpreter::render(std::unordered_map<std::string, Value> vars) {
  auto root = std::make_shared<Scope>();
  root->vars = std::move(vars);
  std::string out;
  ONDO_ASSIGN_OR_RETURN(Flow flow, exec_body(program_.body, root, out));
  (void)flow;
  return out;
}

Status Interpreter::step(uint64_t n) {
  steps_ += n;
  if (steps_ > limits_.max_steps) {
    return make_error(ErrorCode::ResourceExhausted,
                      "render took too many steps (limit " + std::to_string(limits_.max_steps) + ")");
  }
  return ok_status();
}

Status Interpreter::check_size(size_t bytes) const {
  if (bytes > limits_.max_output_bytes) {
    return make_error(ErrorCode::ResourceExhausted,
                      "output or intermediate value too large (seen " + std::to_string(bytes) +
                          " bytes, limit " + std::to_string(limits_.max_output_bytes) + ")");
  }
  return ok_status();
}

Status Interpreter::append(std::string& out, std::string_view text) {
  ONDO_TRY(check_size(out.size() + text.size()));
  ONDO_TRY(step(1 + text.size() / 64));
  out.append(text);
  return ok_status();
}

Error Interpreter::locate(Error err, int line) {
  if (located_) return err;
  located_ = true;
  return make_error(err.code, "chat template '" + std::string(name_) + "': line " +
                                  std::to_string(line) + ": " + err.message);
}

Result<Interpreter::Flow> Interpreter::exec_body(const Body& body,
                                                 const std::shared_ptr<Scope>& scope,
                                                 std::string& out) {
  for (const StmtPtr& st : body) {
    auto r = exec(*st, scope, out);
    if (!r.ok()) return locate(std::move(r).error(), st->line);
    if (*r != Flow::Normal) return *r;
  }
  return Flow::Normal;
}

Result<Interpreter::Flow> Interpreter::exec(const Stmt& st, const std::shared_ptr<Scope>& scope,
                                            std::string& out) {
  ONDO_TRY(step());
  DepthGuard guard(this);
  if (depth_ > limits_.max_depth) {
    return make_error(ErrorCode::ResourceExhausted,
                      "recursion too deep (limit " + std::to_string(limits_.max_depth) + ")");
  }
  switch (st.kind) {
    case StmtKind::Output: ONDO_TRY(append(out, st.text)); return Flow::Normal;
    case StmtKind::Print: {
      ONDO_ASSIGN_OR_RETURN(Value v, eval(*st.expr, scope));
      ONDO_TRY(step(v.weight()));
      if (v.is_string()) {
        ONDO_TRY(append(out, v.str()));
      } else {
        ONDO_TRY(append(out, to_str(v)));
      }
      return Flow::Normal;
    }
    case StmtKind::If:
      for (const auto& [cond, body] : st.branches) {
        ONDO_ASSIGN_OR_RETURN(Value c, eval(*cond, scope));
        if (truthy(c)) return exec_body(body, scope, out);
      }
      return exec_body(st.else_body, scope, out);
    case StmtKind::For: return exec_for(st, scope, out);
    case StmtKind::Set:
    case StmtKind::SetBlock: ONDO_TRY(exec_set(st, scope, out)); return Flow::Normal;
    case StmtKind::Macro:
      scope->vars[st.text] =
          Value::callable(std::make_shared<MacroCallable>(&st, scope, st.text));
      return Flow::Normal;
    case StmtKind::CallBlock: ONDO_TRY(exec_call_block(st, scope, out)); return Flow::Normal;
    case StmtKind::FilterBlock: {
      std::string body;
      ONDO_ASSIGN_OR_RETURN(Flow f, exec_body(st.body, scope, body));
      (void)f;
      const Value subject = Value::string(std::move(body));
      ONDO_ASSIGN_OR_RETURN(Value v, eval_filter(*st.expr, scope, &subject));
      ONDO_TRY(append(out, to_str(v)));
      return Flow::Normal;
    }
    case StmtKind::With: {
      auto inner = std::make_shared<Scope>();
      inner->parent = scope;
      std::vector<Value> values;
      for (const auto& a : st.assigns) {
        ONDO_ASSIGN_OR_RETURN(Value v, eval(*a.second, scope));
        values.push_back(std::move(v));
      }
      for (size_t i = 0; i < values.size(); ++i) ONDO_TRY(assign(*st.assigns[i].first, values[i], *inner));
      return exec_body(st.body, inner, out);
    }
    case StmtKind::Scope: return exec_body(st.body, scope, out);
    case StmtKind::Break: return Flow::Break;
    case StmtKind::Continue: return Flow::Continue;
  }
  return Flow::Normal;
}

Result<Interpreter::Flow> Interpreter::exec_for(const Stmt& st, const std::shared_ptr<Scope>& scope,
                                                std::string& out) {
  ONDO_ASSIGN_OR_RETURN(Value seq, eval(*st.expr, scope));
  ONDO_ASSIGN_OR_RETURN(ValueList all, iterate(seq));
  ONDO_TRY(step(all.size()));
  auto inner = std::make_shared<Scope>();
  inner->parent = scope;
  ValueList items;
  if (st.cond) {
    for (Value& v : all) {
      ONDO_TRY(assign(*st.target, v, *inner));
      ONDO_ASSIGN_OR_RETURN(Value keep, eval(*st.cond, inner));
      if (truthy(keep)) items.push_back(std::move(v));
    }
  } else {
    items = std::move(all);
  }
  if (items.empty()) return exec_body(st.else_body, scope, out);
  for (size_t i = 0; i < items.size(); ++i) {
    ONDO_TRY(assign(*st.target, items[i], *inner));
    inner->vars["loop"] = loop_object(items, i);
    ONDO_ASSIGN_OR_RETURN(Flow f, exec_body(st.body, inner, out));
    if (f == Flow::Break) break;
  }
  return Flow::Normal;
}

Status Interpreter::exec_set(const Stmt& st, const std::shared_ptr<Scope>& scope, std::string& out) {
  Value v;
  if (st.kind == StmtKind::Set) {
    ONDO_ASSIGN_OR_RETURN(v, eval(*st.expr, scope));
  } else {
    std::string body;
    ONDO_ASSIGN_OR_RETURN(Flow f, exec_body(st.body, scope, body));
    (void)f;
    v = Value::string(std::move(body));
    if (st.expr) {
      ONDO_ASSIGN_OR_RETURN(v, eval_filter(*st.expr, scope, &v));
    }
  }
  (void)out;
  return assign(*st.target, v, *scope);
}

Status Interpreter::assign(const Expr& target, const Value& v, Scope& scope) {
  if (target.kind == ExprKind::Name) {
    scope.vars[target.name] = v;
    return ok_status();
  }
  if (target.kind == ExprKind::GetAttr) {
    const Value ns = lookup(target.args[0]->name, scope);
    if (ns.kind() != Kind::Namespace) {
      return render_error("cannot assign attribute on non-namespace object");
    }
    if (v.holds_namespace()) {
      return render_error("cannot store a namespace inside a namespace");
    }
    ns.name_space().attrs.set(Value::string(target.name), v);
    return ok_status();
  }
  // Tuple unpacking.
  ONDO_ASSIGN_OR_RETURN(ValueList parts, iterate(v));
  const size_t want = target.args.size();
  if (parts.size() > want) {
    return render_error("too many values to unpack (expected " + std::to_string(want) + ")");
  }
  if (parts.size() < want) {
    return render_error("not enough values to unpack (expected " + std::to_string(want) +
                        ", got " + std::to_string(parts.size()) + ")");
  }
  for (size_t i = 0; i < want; ++i) ONDO_TRY(assign(*target.args[i], parts[i], scope));
  return ok_status();
}

Status Interpreter::exec_call_block(const Stmt& st, const std::shared_ptr<Scope>& scope,
                                    std::string& out) {
  const Expr& call = *st.expr;
  ONDO_ASSIGN_OR_RETURN(Value fn, eval(*call.args[0], scope));
  CallArgs args;
  ONDO_TRY(eval_args(call, scope, args));
  args.keyword.emplace_back("caller",
                            Value::callable(std::make_shared<MacroCallable>(&st, scope, "caller")));
  ONDO_ASSIGN_OR_RETURN(Value result, this->call(fn, args));
  return append(out, to_str(result));
}

Result<Value> Interpreter::call_macro(const Stmt& m, const std::shared_ptr<Scope>& closure,
                                      CallArgs& args, std::string_view name) {
  auto scope = std::make_shared<Scope>();
  scope->parent = closure;
  const size_t np = m.params.size();
  std::vector<bool> bound(np, false);
  ValueList varargs;
  for (size_t i = 0; i < args.positional.size(); ++i) {
    if (i < np) {
      scope->vars[m.params[i]] = args.positional[i];
      bound[i] = true;
    } else if (m.uses_varargs) {
      varargs.push_back(args.positional[i]);
    } else {
      return render_error("macro '" + std::string(name) + "' takes not more than " +
                          std::to_string(np) + " argument(s)");
    }
  }
  ValueDict kwargs;
  for (auto& [key, value] : args.keyword) {
    size_t i = 0;
    while (i < np && m.params[i] != key) ++i;
    if (i < np) {
      if (bound[i]) {
        return render_error("macro '" + std::string(name) + "' got multiple values for argument '" +
                            key + "'");
      }
      scope->vars[key] = value;
      bound[i] = true;
    } else if (key == "caller" && m.kind == StmtKind::Macro) {
      scope->vars["caller"] = value;
    } else if (m.uses_kwargs) {
      kwargs.set(Value::string(key), value);
    } else {
      return render_error("macro '" + std::string(name) + "' takes no keyword argument '" + key + "'");
    }
  }
  for (size_t i = 0; i < np; ++i) {
    if (bound[i]) continue;
    if (m.defaults[i]) {
      ONDO_ASSIGN_OR_RETURN(Value d, eval(*m.defaults[i], scope));
      scope->vars[m.params[i]] = std::move(d);
    } else {
      scope->vars[m.params[i]] = Value::undefined("parameter '" + m.params[i] + "' was not provided");
    }
  }
  scope->vars["varargs"] = Value::tuple(std::move(varargs));
  scope->vars["kwargs"] = Value::dict(std::move(kwargs));
  std::string out;
  ONDO_ASSIGN_OR_RETURN(Flow f, exec_body(m.body, scope, out));
  (void)f;
  return Value::string(std::move(out));
}

Value Interpreter::lookup(const std::string& name, const Scope& scope) const {
  for (const Scope* s = &scope; s != nullptr; s = s->parent.get()) {
    auto it = s->vars.find(name);
    if (it != s->vars.end()) return it->second;
  }
  if (auto g = global_function(name)) return *g;
  return Value::undefined("'" + name + "' is undefined");
}

Result<Value> Interpreter::eval(const Expr& e, const std::shared_ptr<Scope>& scope) {
  ONDO_TRY(step());
  DepthGuard guard(this);
  if (depth_ > limits_.max_depth) {
    return locate(make_error(ErrorCode::ResourceExhausted,
                             "recursion too deep (limit " + std::to_string(limits_.max_depth) + ")"),
                  e.line);
  }
  auto r = eval_inner(e, scope);
  if (!r.ok()) return locate(std::move(r).error(), e.line);
  if (r->depth() > kMaxValueDepth) {
    return locate(render_error("value nested too deeply (more than " +
                               std::to_string(kMaxValueDepth) + " levels)"),
                  e.line);
  }
  return r;
}

Result<Value> Interpreter::eval_inner(const Expr& e, const std::shared_ptr<Scope>& scope) {
  switch (e.kind) {
    case ExprKind::Literal: return e.literal;
    case ExprKind::Name: return lookup(e.name, *scope);
    case ExprKind::List:
    case ExprKind::Tuple:
    case ExprKind::Dict: return eval_collection(e, scope);
    case ExprKind::GetAttr: {
      ONDO_ASSIGN_OR_RETURN(Value obj, eval(*e.args[0], scope));
      return getattr(obj, e.name);
    }
    case ExprKind::GetItem: {
      ONDO_ASSIGN_OR_RETURN(Value obj, eval(*e.args[0], scope));
      ONDO_ASSIGN_OR_RETURN(Value key, eval(*e.args[1], scope));
      return getitem(obj, key);
    }
    case ExprKind::Slice: return eval_slice(e, scope);
    case ExprKind::Call: return eval_call(e, scope);
    case ExprKind::Filter: return eval_filter(e, scope, nullptr);
    case ExprKind::Test: {
      ONDO_ASSIGN_OR_RETURN(Value subject, eval(*e.args[0], scope));
      CallArgs args;
      ONDO_TRY(eval_args(e, scope, args));
      ONDO_TRY(step(subject.weight()));
      ONDO_ASSIGN_OR_RETURN(bool ok, apply_test(e.builtin, *this, subject, args));
      return Value::boolean(ok);
    }
    case ExprKind::Neg:
    case ExprKind::Pos: return eval_unary(e, scope);
    case ExprKind::Not: {
      ONDO_ASSIGN_OR_RETURN(Value v, eval(*e.args[0], scope));
      return Value::boolean(!truthy(v));
    }
    case ExprKind::And:
    case ExprKind::Or: {
      ONDO_ASSIGN_OR_RETURN(Value a, eval(*e.args[0], scope));
      const bool t = truthy(a);
      if ((e.kind == ExprKind::And) != t) return a;
      return eval(*e.args[1], scope);
    }
    case ExprKind::Binary: {
      ONDO_ASSIGN_OR_RETURN(Value a, eval(*e.args[0], scope));
      ONDO_ASSIGN_OR_RETURN(Value b, eval(*e.args[1], scope));
      return binary(e.name, a, b);
    }
    case ExprKind::Compare: return eval_compare(e, scope);
    case ExprKind::Concat: {
      std::string s;
      for (const auto& a : e.args) {
        ONDO_ASSIGN_OR_RETURN(Value v, eval(*a, scope));
        ONDO_TRY(step(v.weight()));
        append_str(s, v);
        ONDO_TRY(check_size(s.size()));
      }
      ONDO_TRY(step(s.size() / 64));
      return Value::string(std::move(s));
    }
    case ExprKind::CondExpr: {
      ONDO_ASSIGN_OR_RETURN(Value c, eval(*e.args[0], scope));
      if (truthy(c)) return eval(*e.args[1], scope);
      if (e.args[2]) return eval(*e.args[2], scope);
      return Value::undefined("the inline if-expression on line " + std::to_string(e.line) +
                              " evaluated to false and no else section was defined.");
    }
  }
  return Value();
}

Result<Value> Interpreter::eval_collection(const Expr& e, const std::shared_ptr<Scope>& scope) {
  if (e.kind != ExprKind::Dict) {
    ValueList items;
    items.reserve(e.args.size());
    for (const auto& a : e.args) {
      ONDO_ASSIGN_OR_RETURN(Value v, eval(*a, scope));
      items.push_back(std::move(v));
    }
    return e.kind == ExprKind::List ? Value::list(std::move(items)) : Value::tuple(std::move(items));
  }
  ValueDict d;
  for (size_t i = 0; i + 1 < e.args.size(); i += 2) {
    ONDO_ASSIGN_OR_RETURN(Value k, eval(*e.args[i], scope));
    ONDO_ASSIGN_OR_RETURN(Value v, eval(*e.args[i + 1], scope));
    if (k.kind() == Kind::List || k.kind() == Kind::Dict) {
      return render_error("unhashable type: '" + std::string(type_name(k)) + "'");
    }
    d.set(std::move(k), std::move(v));
  }
  return Value::dict(std::move(d));
}

Result<Value> Interpreter::eval_unary(const Expr& e, const std::shared_ptr<Scope>& scope) {
  ONDO_ASSIGN_OR_RETURN(Value v, eval(*e.args[0], scope));
  if (v.is_undefined()) return render_error(undefined_message(v));
  if (!v.is_number()) {
    return render_error(std::string("bad operand type for unary ") +
                        (e.kind == ExprKind::Neg ? "-" : "+") + ": '" + std::string(type_name(v)) + "'");
  }
  if (e.kind == ExprKind::Pos) return v.kind() == Kind::Bool ? Value::integer(v.as_int()) : v;
  return binary("-", Value::integer(0), v);
}

Status Interpreter::eval_args(const Expr& e, const std::shared_ptr<Scope>& scope, CallArgs& args) {
  for (size_t i = 1; i < e.args.size(); ++i) {
    ONDO_ASSIGN_OR_RETURN(Value v, eval(*e.args[i], scope));
    ONDO_TRY(step(v.weight()));
    args.positional.push_back(std::move(v));
  }
  for (const auto& [key, expr] : e.kwargs) {
    ONDO_ASSIGN_OR_RETURN(Value v, eval(*expr, scope));
    ONDO_TRY(step(v.weight()));
    args.keyword.emplace_back(key, std::move(v));
  }
  return ok_status();
}

Result<Value> Interpreter::eval_call(const Expr& e, const std::shared_ptr<Scope>& scope) {
  ONDO_ASSIGN_OR_RETURN(Value fn, eval(*e.args[0], scope));
  CallArgs args;
  ONDO_TRY(eval_args(e, scope, args));
  return call(fn, args);
}

Result<Value> Interpreter::call(const Value& fn, CallArgs& args) {
  if (fn.is_undefined()) return render_error(undefined_message(fn));
  if (fn.kind() != Kind::Callable) {
    return render_error("'" + std::string(type_name(fn)) + "' object is not callable");
  }
  DepthGuard guard(this);
  if (depth_ > limits_.max_depth) {
    return make_error(ErrorCode::ResourceExhausted,
                      "recursion too deep (limit " + std::to_string(limits_.max_depth) + ")");
  }
  ONDO_TRY(step(fn.fn().weight()));
  return fn.fn().call(*this, args);
}

// A filter node applied to its subject; `base` replaces the innermost missing subject of a
// filter chain ({% filter %} and block set).
Result<Value> Interpreter::eval_filter(const Expr& e, const std::shared_ptr<Scope>& scope,
                                       const Value* base) {
  Value subject;
  const Expr* inner = e.args[0].get();
  if (inner == nullptr) {
    subject = base ? *base : Value();
  } else if (base != nullptr && inner->kind == ExprKind::Filter) {
    ONDO_ASSIGN_OR_RETURN(subject, eval_filter(*inner, scope, base));
  } else {
    ONDO_ASSIGN_OR_RETURN(subject, eval(*inner, scope));
  }
  CallArgs args;
  ONDO_TRY(eval_args(e, scope, args));
  ONDO_TRY(step(subject.weight()));
  return apply_filter(e.builtin, *this, subject, args);
}

Result<Value> Interpreter::eval_compare(const Expr& e, const std::shared_ptr<Scope>& scope) {
  ONDO_ASSIGN_OR_RETURN(Value left, eval(*e.args[0], scope));
  for (size_t i = 0; i < e.ops.size(); ++i) {
    ONDO_ASSIGN_OR_RETURN(Value right, eval(*e.args[i + 1], scope));
    const std::string& op = e.ops[i];
    ONDO_TRY(step(op == "in" || op == "notin" ? right.weight() : std::min(left.weight(), right.weight())));
    bool ok = false;
    if (op == "==" || op == "!=") {
      ok = equals(left, right) == (op == "==");
    } else if (op == "in" || op == "notin") {
      CallArgs args;
      args.positional.push_back(right);
      ONDO_ASSIGN_OR_RETURN(ok, apply_test(find_test("in"), *this, left, args));
      if (op == "notin") ok = !ok;
    } else {
      ONDO_ASSIGN_OR_RETURN(int c, compare(left, right, op));
      ok = op == "<" ? c < 0 : op == "<=" ? c <= 0 : op == ">" ? c > 0 : c >= 0;
    }
    if (!ok) return Value::boolean(false);
    left = std::move(right);
  }
  return Value::boolean(true);
}

Result<Value> Interpreter::eval_slice(const Expr& e, const std::shared_ptr<Scope>& scope) {
  ONDO_ASSIGN_OR_RETURN(Value obj, eval(*e.args[0], scope));
  Value bounds[3] = {Value::none(), Value::none(), Value::none()};
  for (int i = 0; i < 3; ++i) {
    if (e.args[size_t(i) + 1]) {
      ONDO_ASSIGN_OR_RETURN(bounds[i], eval(*e.args[size_t(i) + 1], scope));
    }
  }
  return slice_value(obj, bounds[0], bounds[1], bounds[2]);
}

}  // namespace ondo::text::jinja
