// Jinja parser: tokens -> Program (statements and expressions with jinja2 3.1 grammar and
// precedence). Unknown tags, filters and tests are errors naming the line. Nesting is
// bounded (kMaxNesting blocks/parentheses, kMaxExprHeight tree height) so that parsing,
// rendering and destroying a tree never recurse deeply. Layer: text (chat_template).
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/text/chat_template/ast.h"
#include "ondo/text/chat_template/lexer.h"

namespace ondo::text::jinja {

inline constexpr int kMaxNesting = 100;
inline constexpr int kMaxExprHeight = 200;

// Errors are InvalidFile: "chat template 'NAME': line N: what is wrong".
Result<std::unique_ptr<Program>> parse_program(std::string_view source, std::string_view name);

// Internal: the parser state shared by parser.cpp (statements) and parser_expr.cpp.
class Parser {
 public:
  Parser(std::vector<Token> tokens, std::string_view name) : toks_(std::move(tokens)), name_(name) {}
  Result<std::unique_ptr<Program>> parse();

  // Expressions (parser_expr.cpp).
  Result<ExprPtr> parse_expression(bool with_condexpr = true);
  Result<ExprPtr> parse_tuple(bool simplified = false, bool with_condexpr = true,
                              std::string_view extra_end = {}, bool explicit_parens = false);
  Result<ExprPtr> parse_primary();
  Result<ExprPtr> parse_filter(ExprPtr node, bool start_inline);
  Result<ExprPtr> parse_assign_target(bool with_tuple, std::string_view extra_end,
                                      bool with_namespace);

 private:
  // Statements (parser.cpp).
  Status parse_body(Body& out, std::initializer_list<std::string_view> ends, std::string* ended);
  Status parse_block(Body& out);
  Status parse_if(Body& out, int line);
  Status parse_for(Body& out, int line);
  Status parse_set(Body& out, int line);
  Status parse_macro(Body& out, int line);
  Status parse_call_block(Body& out, int line);
  Status parse_filter_block(Body& out, int line);
  Status parse_with(Body& out, int line);
  Status parse_params(Stmt& st);
  Status expect_block_end();

  Result<ExprPtr> parse_condexpr();
  Result<ExprPtr> parse_or();
  Result<ExprPtr> parse_and();
  Result<ExprPtr> parse_not();
  Result<ExprPtr> parse_compare();
  Result<ExprPtr> parse_math1();
  Result<ExprPtr> parse_concat();
  Result<ExprPtr> parse_math2();
  Result<ExprPtr> parse_pow();
  Result<ExprPtr> parse_unary(bool with_filter);
  Result<ExprPtr> parse_postfix(ExprPtr node);
  Result<ExprPtr> parse_filter_expr(ExprPtr node);
  Result<ExprPtr> parse_subscript(ExprPtr node);
  Result<ExprPtr> parse_subscribed();
  Result<ExprPtr> parse_test(ExprPtr node);
  Result<ExprPtr> parse_list();
  Result<ExprPtr> parse_dict();
  Status parse_call_args(Expr& call);
  // Builds a node from children and checks the tree height.
  Result<ExprPtr> make(ExprKind kind, int line, std::vector<ExprPtr> args, std::string name = {});
  Status check_height(Expr& e);

 public:
  // Token helpers.
  const Token& cur() const { return toks_[i_]; }
  const Token& look() const { return toks_[i_ + 1 < toks_.size() ? i_ + 1 : i_]; }
  void next() {
    if (i_ + 1 < toks_.size()) ++i_;
  }
  bool is_op(std::string_view op) const { return cur().type == Tok::Op && cur().text == op; }
  bool is_name(std::string_view n) const { return cur().type == Tok::Name && cur().text == n; }
  bool skip_op(std::string_view op);
  bool skip_name(std::string_view n);
  Status expect_op(std::string_view op);
  Result<std::string> expect_name();
  Error fail(const std::string& what) const { return fail_at(cur().line, what); }
  Error fail_at(int line, const std::string& what) const;
  std::string describe(const Token& t) const;

  // Nesting guard: counts blocks and parenthesised/unary recursion.
  Status enter();
  void leave() { --depth_; }

 private:
  std::vector<Token> toks_;
  std::string_view name_;
  size_t i_ = 0;
  int depth_ = 0;
  int loop_depth_ = 0;
  std::vector<Stmt*> macros_;  // macros being parsed, innermost last
};

}  // namespace ondo::text::jinja
