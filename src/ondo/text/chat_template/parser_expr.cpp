// Jinja expression parser (see parser.h). Layer: text (chat_template). Precedence, lowest
// first, as jinja2 3.1 (jinja2/parser.py): conditional, or, and, not, comparisons and
// `in`, + -, ~, * / // %, **, unary - +, then postfix (. [] ()), filters (|) and tests (is).
#include <algorithm>

#include "ondo/text/chat_template/builtins.h"
#include "ondo/text/chat_template/parser.h"

namespace ondo::text::jinja {
// Recomputes a node's height from its direct children and enforces kMaxExprHeight, so that
// left-leaning chains (a + b + c ..., x|f|g ...) cannot build trees that recurse deeply.
Status Parser::check_height(Expr& e) {
  int h = 0;
  for (const auto& a : e.args) {
    if (a) h = std::max(h, a->height);
  }
  for (const auto& kv : e.kwargs) h = std::max(h, kv.second->height);
  e.height = h + 1;
  if (e.height > kMaxExprHeight) {
    return fail_at(e.line, "expression too deeply nested (more than " +
                               std::to_string(kMaxExprHeight) + " levels)");
  }
  return ok_status();
}

Result<ExprPtr> Parser::make(ExprKind kind, int line, std::vector<ExprPtr> args, std::string name) {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->line = line;
  e->name = std::move(name);
  e->args = std::move(args);
  ONDO_TRY(check_height(*e));
  return e;
}

Result<ExprPtr> Parser::parse_expression(bool with_condexpr) {
  return with_condexpr ? parse_condexpr() : parse_or();
}

Result<ExprPtr> Parser::parse_condexpr() {
  const int line = cur().line;
  ONDO_ASSIGN_OR_RETURN(ExprPtr expr1, parse_or());
  while (skip_name("if")) {
    ONDO_ASSIGN_OR_RETURN(ExprPtr expr2, parse_or());
    ExprPtr expr3;
    if (skip_name("else")) {
      ONDO_ASSIGN_OR_RETURN(expr3, parse_condexpr());
    }
    std::vector<ExprPtr> args;
    args.push_back(std::move(expr2));
    args.push_back(std::move(expr1));
    args.push_back(std::move(expr3));
    ONDO_ASSIGN_OR_RETURN(expr1, make(ExprKind::CondExpr, line, std::move(args)));
  }
  return expr1;
}

Result<ExprPtr> Parser::parse_or() {
  ONDO_ASSIGN_OR_RETURN(ExprPtr left, parse_and());
  while (is_name("or")) {
    const int line = cur().line;
    next();
    ONDO_ASSIGN_OR_RETURN(ExprPtr right, parse_and());
    std::vector<ExprPtr> args;
    args.push_back(std::move(left));
    args.push_back(std::move(right));
    ONDO_ASSIGN_OR_RETURN(left, make(ExprKind::Or, line, std::move(args)));
  }
  return left;
}

Result<ExprPtr> Parser::parse_and() {
  ONDO_ASSIGN_OR_RETURN(ExprPtr left, parse_not());
  while (is_name("and")) {
    const int line = cur().line;
    next();
    ONDO_ASSIGN_OR_RETURN(ExprPtr right, parse_not());
    std::vector<ExprPtr> args;
    args.push_back(std::move(left));
    args.push_back(std::move(right));
    ONDO_ASSIGN_OR_RETURN(left, make(ExprKind::And, line, std::move(args)));
  }
  return left;
}

Result<ExprPtr> Parser::parse_not() {
  if (is_name("not")) {
    const int line = cur().line;
    next();
    ONDO_TRY(enter());
    auto inner = parse_not();
    leave();
    if (!inner.ok()) return std::move(inner).error();
    std::vector<ExprPtr> args;
    args.push_back(std::move(inner).value());
    return make(ExprKind::Not, line, std::move(args));
  }
  return parse_compare();
}

Result<ExprPtr> Parser::parse_compare() {
  const int line = cur().line;
  ONDO_ASSIGN_OR_RETURN(ExprPtr expr, parse_math1());
  std::vector<ExprPtr> args;
  std::vector<std::string> ops;
  args.push_back(std::move(expr));
  while (true) {
    std::string op;
    if (cur().type == Tok::Op && (cur().text == "==" || cur().text == "!=" || cur().text == "<" ||
                                  cur().text == "<=" || cur().text == ">" || cur().text == ">=")) {
      op = cur().text;
      next();
    } else if (skip_name("in")) {
      op = "in";
    } else if (is_name("not") && look().type == Tok::Name && look().text == "in") {
      next();
      next();
      op = "notin";
    } else {
      break;
    }
    ONDO_ASSIGN_OR_RETURN(ExprPtr rhs, parse_math1());
    args.push_back(std::move(rhs));
    ops.push_back(std::move(op));
  }
  if (ops.empty()) return std::move(args[0]);
  ONDO_ASSIGN_OR_RETURN(ExprPtr node, make(ExprKind::Compare, line, std::move(args)));
  node->ops = std::move(ops);
  return node;
}

Result<ExprPtr> Parser::parse_math1() {
  ONDO_ASSIGN_OR_RETURN(ExprPtr left, parse_concat());
  while (is_op("+") || is_op("-")) {
    const std::string op = cur().text;
    const int line = cur().line;
    next();
    ONDO_ASSIGN_OR_RETURN(ExprPtr right, parse_concat());
    std::vector<ExprPtr> args;
    args.push_back(std::move(left));
    args.push_back(std::move(right));
    ONDO_ASSIGN_OR_RETURN(left, make(ExprKind::Binary, line, std::move(args), op));
  }
  return left;
}

Result<ExprPtr> Parser::parse_concat() {
  const int line = cur().line;
  ONDO_ASSIGN_OR_RETURN(ExprPtr first, parse_math2());
  std::vector<ExprPtr> args;
  args.push_back(std::move(first));
  while (skip_op("~")) {
    ONDO_ASSIGN_OR_RETURN(ExprPtr more, parse_math2());
    args.push_back(std::move(more));
  }
  if (args.size() == 1) return std::move(args[0]);
  return make(ExprKind::Concat, line, std::move(args));
}

Result<ExprPtr> Parser::parse_math2() {
  ONDO_ASSIGN_OR_RETURN(ExprPtr left, parse_pow());
  while (is_op("*") || is_op("/") || is_op("//") || is_op("%")) {
    const std::string op = cur().text;
    const int line = cur().line;
    next();
    ONDO_ASSIGN_OR_RETURN(ExprPtr right, parse_pow());
    std::vector<ExprPtr> args;
    args.push_back(std::move(left));
    args.push_back(std::move(right));
    ONDO_ASSIGN_OR_RETURN(left, make(ExprKind::Binary, line, std::move(args), op));
  }
  return left;
}

Result<ExprPtr> Parser::parse_pow() {
  ONDO_ASSIGN_OR_RETURN(ExprPtr left, parse_unary(true));
  while (is_op("**")) {
    const int line = cur().line;
    next();
    ONDO_ASSIGN_OR_RETURN(ExprPtr right, parse_unary(true));
    std::vector<ExprPtr> args;
    args.push_back(std::move(left));
    args.push_back(std::move(right));
    ONDO_ASSIGN_OR_RETURN(left, make(ExprKind::Binary, line, std::move(args), "**"));
  }
  return left;
}

Result<ExprPtr> Parser::parse_unary(bool with_filter) {
  ONDO_TRY(enter());
  struct Leave {
    Parser* p;
    ~Leave() { p->leave(); }
  } guard{this};
  const int line = cur().line;
  ExprPtr node;
  if (is_op("-") || is_op("+")) {
    const ExprKind kind = is_op("-") ? ExprKind::Neg : ExprKind::Pos;
    next();
    ONDO_ASSIGN_OR_RETURN(ExprPtr inner, parse_unary(false));
    std::vector<ExprPtr> args;
    args.push_back(std::move(inner));
    ONDO_ASSIGN_OR_RETURN(node, make(kind, line, std::move(args)));
  } else {
    ONDO_ASSIGN_OR_RETURN(node, parse_primary());
  }
  ONDO_ASSIGN_OR_RETURN(node, parse_postfix(std::move(node)));
  if (with_filter) {
    ONDO_ASSIGN_OR_RETURN(node, parse_filter_expr(std::move(node)));
  }
  return node;
}

Result<ExprPtr> Parser::parse_primary() {
  const Token& t = cur();
  auto e = std::make_unique<Expr>();
  e->line = t.line;
  if (t.type == Tok::Name) {
    if (t.text == "true" || t.text == "True" || t.text == "false" || t.text == "False") {
      e->literal = Value::boolean(t.text == "true" || t.text == "True");
    } else if (t.text == "none" || t.text == "None") {
      e->literal = Value::none();
    } else {
      e->kind = ExprKind::Name;
      e->name = t.text;
      if (!macros_.empty()) {
        Stmt* m = macros_.back();
        m->uses_varargs = m->uses_varargs || t.text == "varargs";
        m->uses_kwargs = m->uses_kwargs || t.text == "kwargs";
        m->uses_caller = m->uses_caller || t.text == "caller";
      }
    }
    next();
  } else if (t.type == Tok::String) {
    std::string s;
    while (cur().type == Tok::String) {
      s += cur().text;
      next();
    }
    e->literal = Value::string(std::move(s));
  } else if (t.type == Tok::Int) {
    e->literal = Value::integer(t.ival);
    next();
  } else if (t.type == Tok::Float) {
    e->literal = Value::real(t.fval);
    next();
  } else if (is_op("(")) {
    next();
    ONDO_ASSIGN_OR_RETURN(ExprPtr inner, parse_tuple(false, true, {}, true));
    ONDO_TRY(expect_op(")"));
    return inner;
  } else if (is_op("[")) {
    return parse_list();
  } else if (is_op("{")) {
    return parse_dict();
  } else {
    return fail("unexpected " + describe(t));
  }
  return e;
}

Result<ExprPtr> Parser::parse_list() {
  const int line = cur().line;
  ONDO_TRY(expect_op("["));
  std::vector<ExprPtr> items;
  while (!is_op("]")) {
    if (!items.empty()) ONDO_TRY(expect_op(","));
    if (is_op("]")) break;
    ONDO_ASSIGN_OR_RETURN(ExprPtr item, parse_expression());
    items.push_back(std::move(item));
  }
  ONDO_TRY(expect_op("]"));
  return make(ExprKind::List, line, std::move(items));
}

Result<ExprPtr> Parser::parse_dict() {
  const int line = cur().line;
  ONDO_TRY(expect_op("{"));
  std::vector<ExprPtr> items;
  while (!is_op("}")) {
    if (!items.empty()) ONDO_TRY(expect_op(","));
    if (is_op("}")) break;
    ONDO_ASSIGN_OR_RETURN(ExprPtr key, parse_expression());
    ONDO_TRY(expect_op(":"));
    ONDO_ASSIGN_OR_RETURN(ExprPtr value, parse_expression());
    items.push_back(std::move(key));
    items.push_back(std::move(value));
  }
  ONDO_TRY(expect_op("}"));
  return make(ExprKind::Dict, line, std::move(items));
}

Result<ExprPtr> Parser::parse_tuple(bool simplified, bool with_condexpr, std::string_view extra_end,
                                    bool explicit_parens) {
  int line = cur().line;
  std::vector<ExprPtr> args;
  bool is_tuple = false;
  while (true) {
    if (!args.empty()) ONDO_TRY(expect_op(","));
    const bool at_end = cur().type == Tok::VarEnd || cur().type == Tok::BlockEnd || is_op(")") ||
                        (!extra_end.empty() && is_name(extra_end));
    if (at_end) break;
    Result<ExprPtr> item = simplified ? parse_primary() : parse_expression(with_condexpr);
    if (!item.ok()) return std::move(item).error();
    args.push_back(std::move(item).value());
    if (!is_op(",")) break;
    is_tuple = true;
    line = cur().line;
  }
  if (!is_tuple) {
    if (!args.empty()) return std::move(args[0]);
    if (!explicit_parens) return fail("expected an expression, got " + describe(cur()));
  }
  return make(ExprKind::Tuple, line, std::move(args));
}

Result<ExprPtr> Parser::parse_postfix(ExprPtr node) {
  while (true) {
    if (is_op(".") || is_op("[")) {
      ONDO_ASSIGN_OR_RETURN(node, parse_subscript(std::move(node)));
    } else if (is_op("(")) {
      std::vector<ExprPtr> args;
      const int line = cur().line;
      args.push_back(std::move(node));
      ONDO_ASSIGN_OR_RETURN(node, make(ExprKind::Call, line, std::move(args)));
      ONDO_TRY(parse_call_args(*node));
    } else {
      return node;
    }
  }
}

Result<ExprPtr> Parser::parse_filter_expr(ExprPtr node) {
  while (true) {
    if (is_op("|")) {
      ONDO_ASSIGN_OR_RETURN(node, parse_filter(std::move(node), false));
    } else if (is_name("is")) {
      ONDO_ASSIGN_OR_RETURN(node, parse_test(std::move(node)));
    } else if (is_op("(")) {
      std::vector<ExprPtr> args;
      const int line = cur().line;
      args.push_back(std::move(node));
      ONDO_ASSIGN_OR_RETURN(node, make(ExprKind::Call, line, std::move(args)));
      ONDO_TRY(parse_call_args(*node));
    } else {
      return node;
    }
  }
}

Result<ExprPtr> Parser::parse_subscript(ExprPtr node) {
  const int line = cur().line;
  if (skip_op(".")) {
    const Token& attr = cur();
    std::vector<ExprPtr> args;
    args.push_back(std::move(node));
    if (attr.type == Tok::Name) {
      std::string name = attr.text;
      next();
      return make(ExprKind::GetAttr, line, std::move(args), std::move(name));
    }
    if (attr.type != Tok::Int) return fail("expected name or number after '.'");
    auto idx = std::make_unique<Expr>();
    idx->line = attr.line;
    idx->literal = Value::integer(attr.ival);
    next();
    args.push_back(std::move(idx));
    return make(ExprKind::GetItem, line, std::move(args));
  }
  ONDO_TRY(expect_op("["));
  ONDO_ASSIGN_OR_RETURN(ExprPtr sub, parse_subscribed());
  if (is_op(",")) return fail("tuple subscripts are not supported");
  ONDO_TRY(expect_op("]"));
  if (sub->kind == ExprKind::Slice && sub->args[0] == nullptr) {
    sub->args[0] = std::move(node);
    ONDO_TRY(check_height(*sub));
    return sub;
  }
  std::vector<ExprPtr> args;
  args.push_back(std::move(node));
  args.push_back(std::move(sub));
  return make(ExprKind::GetItem, line, std::move(args));
}

// One subscript: an expression, or a slice start:stop:step whose args[0] the caller fills.
Result<ExprPtr> Parser::parse_subscribed() {
  const int line = cur().line;
  std::vector<ExprPtr> args(4);
  if (!skip_op(":")) {
    ONDO_ASSIGN_OR_RETURN(ExprPtr first, parse_expression());
    if (!skip_op(":")) return first;
    args[1] = std::move(first);
  }
  if (!is_op(":") && !is_op("]") && !is_op(",")) {
    ONDO_ASSIGN_OR_RETURN(args[2], parse_expression());
  }
  if (skip_op(":") && !is_op("]") && !is_op(",")) {
    ONDO_ASSIGN_OR_RETURN(args[3], parse_expression());
  }
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::Slice;
  e->line = line;
  e->args = std::move(args);
  ONDO_TRY(check_height(*e));
  return e;
}

Status Parser::parse_call_args(Expr& call) {
  ONDO_TRY(expect_op("("));
  bool require_comma = false;
  while (!is_op(")")) {
    if (require_comma) {
      ONDO_TRY(expect_op(","));
      if (is_op(")")) break;
    }
    if (is_op("*") || is_op("**")) return fail("*args and **kwargs in calls are not supported");
    if (cur().type == Tok::Name && look().type == Tok::Op && look().text == "=") {
      std::string key = cur().text;
      next();
      next();
      ONDO_ASSIGN_OR_RETURN(ExprPtr value, parse_expression());
      call.kwargs.emplace_back(std::move(key), std::move(value));
    } else {
      if (!call.kwargs.empty()) return fail("positional argument follows keyword argument");
      ONDO_ASSIGN_OR_RETURN(ExprPtr value, parse_expression());
      call.args.push_back(std::move(value));
    }
    require_comma = true;
  }
  ONDO_TRY(expect_op(")"));
  return check_height(call);
}

Result<ExprPtr> Parser::parse_filter(ExprPtr node, bool start_inline) {
  while (is_op("|") || start_inline) {
    if (!start_inline) next();
    start_inline = false;
    const int line = cur().line;
    ONDO_ASSIGN_OR_RETURN(std::string name, expect_name());
    while (skip_op(".")) {
      ONDO_ASSIGN_OR_RETURN(std::string more, expect_name());
      name += "." + more;
    }
    const int index = find_filter(name);
    if (index < 0) return fail_at(line, "no filter named '" + name + "'");
    std::vector<ExprPtr> args;
    args.push_back(std::move(node));
    ONDO_ASSIGN_OR_RETURN(node, make(ExprKind::Filter, line, std::move(args), name));
    node->builtin = index;
    if (is_op("(")) ONDO_TRY(parse_call_args(*node));
  }
  return node;
}

Result<ExprPtr> Parser::parse_test(ExprPtr node) {
  const int line = cur().line;
  next();  // "is"
  const bool negated = skip_name("not");
  ONDO_ASSIGN_OR_RETURN(std::string name, expect_name());
  while (skip_op(".")) {
    ONDO_ASSIGN_OR_RETURN(std::string more, expect_name());
    name += "." + more;
  }
  const int index = find_test(name);
  if (index < 0) return fail_at(line, "no test named '" + name + "'");
  std::vector<ExprPtr> args;
  args.push_back(std::move(node));
  ONDO_ASSIGN_OR_RETURN(ExprPtr test, make(ExprKind::Test, line, std::move(args), name));
  test->builtin = index;
  const Tok t = cur().type;
  if (is_op("(")) {
    ONDO_TRY(parse_call_args(*test));
  } else if ((t == Tok::Name || t == Tok::String || t == Tok::Int || t == Tok::Float || is_op("[") ||
              is_op("{")) &&
             !is_name("else") && !is_name("or") && !is_name("and")) {
    if (is_name("is")) return fail("you cannot chain multiple tests with is");
    ONDO_ASSIGN_OR_RETURN(ExprPtr arg, parse_primary());
    ONDO_ASSIGN_OR_RETURN(arg, parse_postfix(std::move(arg)));
    test->args.push_back(std::move(arg));
    ONDO_TRY(check_height(*test));
  }
  if (!negated) return test;
  std::vector<ExprPtr> not_args;
  not_args.push_back(std::move(test));
  return make(ExprKind::Not, line, std::move(not_args));
}

Result<ExprPtr> Parser::parse_assign_target(bool with_tuple, std::string_view extra_end,
                                            bool with_namespace) {
  const int line = cur().line;
  ExprPtr target;
  if (with_namespace && cur().type == Tok::Name && look().type == Tok::Op && look().text == ".") {
    ONDO_ASSIGN_OR_RETURN(ExprPtr ns, parse_primary());
    next();  // "."
    ONDO_ASSIGN_OR_RETURN(std::string attr, expect_name());
    std::vector<ExprPtr> args;
    args.push_back(std::move(ns));
    return make(ExprKind::GetAttr, line, std::move(args), std::move(attr));
  }
  if (with_tuple) {
    ONDO_ASSIGN_OR_RETURN(target, parse_tuple(true, true, extra_end, false));
  } else {
    ONDO_ASSIGN_OR_RETURN(target, parse_primary());
  }
  // Only names and tuples of names can be assigned.
  std::vector<const Expr*> todo{target.get()};
  while (!todo.empty()) {
    const Expr* e = todo.back();
    todo.pop_back();
    if (e->kind == ExprKind::Tuple) {
      for (const auto& a : e->args) todo.push_back(a.get());
    } else if (e->kind != ExprKind::Name) {
      return fail_at(line, "can't assign to this expression");
    } else if (e->name == "loop" || e->name == "self") {
      return fail_at(line, "can't assign to special variable '" + e->name + "'");
    }
  }
  return target;
}

}  // namespace ondo::text::jinja
