// The syntax tree of a parsed chat template: expressions and statements, immutable after
// parsing and shared by every render. Layer: text (chat_template).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ondo/text/chat_template/value.h"

namespace ondo::text::jinja {

enum class ExprKind : uint8_t {
  Literal,   // literal
  Name,      // name
  List,      // args = items
  Tuple,     // args = items
  Dict,      // args = key0, value0, key1, value1, ...
  GetAttr,   // args[0].name
  GetItem,   // args[0][args[1]]
  Slice,     // args[0][args[1]:args[2]:args[3]] (each bound may be null)
  Call,      // args[0](args[1..], kwargs)
  Filter,    // args[0] | name(args[1..], kwargs); args[0] null in a filter block
  Test,      // args[0] is name(args[1..], kwargs)
  Neg,       // -args[0]
  Pos,       // +args[0]
  Not,       // not args[0]
  And,       // args[0] and args[1]
  Or,        // args[0] or args[1]
  Binary,    // args[0] <name> args[1]: + - * / // % **
  Compare,   // args[0] ops[0] args[1] ops[1] args[2] ... (chained)
  Concat,    // args joined with ~
  CondExpr,  // args[1] if args[0] else args[2] (args[2] may be null)
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  ExprKind kind = ExprKind::Literal;
  int line = 1;
  int height = 1;  // tree height, bounded by the parser
  Value literal;
  std::string name;
  int builtin = -1;  // Filter/Test: index into the filter or test table
  std::vector<ExprPtr> args;
  std::vector<std::pair<std::string, ExprPtr>> kwargs;
  std::vector<std::string> ops;
};

enum class StmtKind : uint8_t {
  Output,       // text
  Print,        // {{ expr }}
  If,           // branches (cond, body) ..., else_body
  For,          // for target in expr [if cond] body [else else_body]
  Set,          // set target = expr
  SetBlock,     // set name [| filter] body endset; expr = filter chain or null
  Macro,        // macro name(params) body
  CallBlock,    // call[(params)] expr body
  FilterBlock,  // filter expr(chain) body
  With,         // with assigns body
  Scope,        // generation: body rendered unchanged
  Break,
  Continue,
};

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;
using Body = std::vector<StmtPtr>;

struct Stmt {
  StmtKind kind = StmtKind::Output;
  int line = 1;
  std::string text;  // Output text; Macro/SetBlock name
  ExprPtr expr;
  ExprPtr target;
  ExprPtr cond;
  std::vector<std::pair<ExprPtr, Body>> branches;
  std::vector<std::pair<ExprPtr, ExprPtr>> assigns;  // With
  Body body;
  Body else_body;
  // Macro and CallBlock parameters; defaults[i] may be null.
  std::vector<std::string> params;
  std::vector<ExprPtr> defaults;
  bool uses_varargs = false;
  bool uses_kwargs = false;
  bool uses_caller = false;
  bool recursive = false;  // recursive for loop
};

struct Program {
  Body body;
};

}  // namespace ondo::text::jinja
