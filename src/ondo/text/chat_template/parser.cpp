// Jinja statement parser (see parser.h): text, {{ }}, and the tags if/elif/else, for (with
// else, `if` filter, recursive), set (and block set), macro, call, filter, with, break,
// continue and generation. Layer: text (chat_template).
#include "ondo/text/chat_template/parser.h"

#include "ondo/text/chat_template/builtins.h"

namespace ondo::text::jinja {

bool Parser::skip_op(std::string_view op) {
  if (!is_op(op)) return false;
  next();
  return true;
}

bool Parser::skip_name(std::string_view n) {
  if (!is_name(n)) return false;
  next();
  return true;
}

Status Parser::expect_op(std::string_view op) {
  if (skip_op(op)) return ok_status();
  return fail("expected '" + std::string(op) + "', got " + describe(cur()));
}

Result<std::string> Parser::expect_name() {
  if (cur().type != Tok::Name) return fail("expected a name, got " + describe(cur()));
  std::string n = cur().text;
  next();
  return n;
}

Error Parser::fail_at(int line, const std::string& what) const {
  return make_error(ErrorCode::InvalidFile, "chat template '" + std::string(name_) + "': line " +
                                                std::to_string(line) + ": " + what);
}

std::string Parser::describe(const Token& t) const {
  switch (t.type) {
    case Tok::Text: return "text";
    case Tok::VarBegin: return "'{{'";
    case Tok::VarEnd: return "end of print statement";
    case Tok::BlockBegin: return "'{%'";
    case Tok::BlockEnd: return "end of statement block";
    case Tok::Name: return "'" + t.text + "'";
    case Tok::String: return "string";
    case Tok::Int:
    case Tok::Float: return "number";
    case Tok::Op: return "'" + t.text + "'";
    case Tok::Eof: return "end of template";
  }
  return "token";
}

Status Parser::enter() {
  if (++depth_ > kMaxNesting) {
    --depth_;
    return fail("template nested too deeply (more than " + std::to_string(kMaxNesting) + " levels)");
  }
  return ok_status();
}

Status Parser::expect_block_end() {
  if (cur().type == Tok::BlockEnd) {
    next();
    return ok_status();
  }
  return fail("expected end of statement block, got " + describe(cur()));
}

Result<std::unique_ptr<Program>> Parser::parse() {
  auto prog = std::make_unique<Program>();
  ONDO_TRY(parse_body(prog->body, {}, nullptr));
  return prog;
}

// Parses statements until a block tag named in `ends` (its name consumed, stored in *ended)
// or the end of the template when `ends` is empty.
Status Parser::parse_body(Body& out, std::initializer_list<std::string_view> ends,
                          std::string* ended) {
  ONDO_TRY(enter());
  struct Leave {
    Parser* p;
    ~Leave() { p->leave(); }
  } guard{this};
  std::string expected;
  for (std::string_view e : ends) expected += (expected.empty() ? "'" : " or '") + std::string(e) + "'";
  while (true) {
    const Token& t = cur();
    if (t.type == Tok::Eof) {
      if (ends.size() == 0) return ok_status();
      return fail("unexpected end of template (expected " + expected + ")");
    }
    if (t.type == Tok::Text) {
      auto st = std::make_unique<Stmt>();
      st->kind = StmtKind::Output;
      st->line = t.line;
      st->text = t.text;
      out.push_back(std::move(st));
      next();
      continue;
    }
    if (t.type == Tok::VarBegin) {
      auto st = std::make_unique<Stmt>();
      st->kind = StmtKind::Print;
      st->line = t.line;
      next();
      ONDO_ASSIGN_OR_RETURN(st->expr, parse_tuple());
      if (cur().type != Tok::VarEnd) return fail("expected end of print statement, got " + describe(cur()));
      next();
      out.push_back(std::move(st));
      continue;
    }
    if (t.type != Tok::BlockBegin) return fail("unexpected " + describe(t));
    next();
    if (cur().type != Tok::Name) return fail("expected a tag name, got " + describe(cur()));
    for (std::string_view e : ends) {
      if (cur().text == e) {
        if (ended) *ended = cur().text;
        next();
        return ok_status();
      }
    }
    ONDO_TRY(parse_block(out));
  }
}

Status Parser::parse_block(Body& out) {
  const int line = cur().line;
  const std::string tag = cur().text;
  next();
  if (tag == "if") return parse_if(out, line);
  if (tag == "for") return parse_for(out, line);
  if (tag == "set") return parse_set(out, line);
  if (tag == "macro") return parse_macro(out, line);
  if (tag == "call") return parse_call_block(out, line);
  if (tag == "filter") return parse_filter_block(out, line);
  if (tag == "with") return parse_with(out, line);
  if (tag == "break" || tag == "continue") {
    if (loop_depth_ == 0) return fail_at(line, "'" + tag + "' outside of a loop");
    auto st = std::make_unique<Stmt>();
    st->kind = tag == "break" ? StmtKind::Break : StmtKind::Continue;
    st->line = line;
    ONDO_TRY(expect_block_end());
    out.push_back(std::move(st));
    return ok_status();
  }
  if (tag == "generation") {
    auto st = std::make_unique<Stmt>();
    st->kind = StmtKind::Scope;
    st->line = line;
    ONDO_TRY(expect_block_end());
    ONDO_TRY(parse_body(st->body, {"endgeneration"}, nullptr));
    ONDO_TRY(expect_block_end());
    out.push_back(std::move(st));
    return ok_status();
  }
  return fail_at(line, "unknown tag '" + tag + "'");
}

Status Parser::parse_if(Body& out, int line) {
  auto st = std::make_unique<Stmt>();
  st->kind = StmtKind::If;
  st->line = line;
  while (true) {
    ONDO_ASSIGN_OR_RETURN(ExprPtr cond, parse_tuple(false, false));
    ONDO_TRY(expect_block_end());
    Body body;
    std::string ended;
    ONDO_TRY(parse_body(body, {"elif", "else", "endif"}, &ended));
    st->branches.emplace_back(std::move(cond), std::move(body));
    if (ended == "elif") continue;
    if (ended == "else") {
      ONDO_TRY(expect_block_end());
      ONDO_TRY(parse_body(st->else_body, {"endif"}, nullptr));
    }
    break;
  }
  ONDO_TRY(expect_block_end());
  out.push_back(std::move(st));
  return ok_status();
}

Status Parser::parse_for(Body& out, int line) {
  auto st = std::make_unique<Stmt>();
  st->kind = StmtKind::For;
  st->line = line;
  ONDO_ASSIGN_OR_RETURN(st->target, parse_assign_target(true, "in", false));
  if (!skip_name("in")) return fail("expected 'in', got " + describe(cur()));
  ONDO_ASSIGN_OR_RETURN(st->expr, parse_tuple(false, false, "recursive"));
  if (skip_name("if")) {
    ONDO_ASSIGN_OR_RETURN(st->cond, parse_expression());
  }
  st->recursive = skip_name("recursive");
  ONDO_TRY(expect_block_end());
  std::string ended;
  ++loop_depth_;
  Status body = parse_body(st->body, {"endfor", "else"}, &ended);
  --loop_depth_;
  ONDO_TRY(body);
  if (ended == "else") {
    ONDO_TRY(expect_block_end());
    ONDO_TRY(parse_body(st->else_body, {"endfor"}, nullptr));
  }
  ONDO_TRY(expect_block_end());
  out.push_back(std::move(st));
  return ok_status();
}

Status Parser::parse_set(Body& out, int line) {
  auto st = std::make_unique<Stmt>();
  st->line = line;
  ONDO_ASSIGN_OR_RETURN(st->target, parse_assign_target(true, {}, true));
  if (skip_op("=")) {
    st->kind = StmtKind::Set;
    ONDO_ASSIGN_OR_RETURN(st->expr, parse_tuple());
    ONDO_TRY(expect_block_end());
    out.push_back(std::move(st));
    return ok_status();
  }
  if (st->target->kind == ExprKind::Tuple) return fail_at(line, "a block set needs a single name");
  st->kind = StmtKind::SetBlock;
  if (is_op("|")) {
    ONDO_ASSIGN_OR_RETURN(st->expr, parse_filter(nullptr, false));
  }
  ONDO_TRY(expect_block_end());
  ONDO_TRY(parse_body(st->body, {"endset"}, nullptr));
  ONDO_TRY(expect_block_end());
  out.push_back(std::move(st));
  return ok_status();
}

// (a, b=default, ...) for macros and call blocks.
Status Parser::parse_params(Stmt& st) {
  ONDO_TRY(expect_op("("));
  while (!is_op(")")) {
    if (!st.params.empty()) ONDO_TRY(expect_op(","));
    if (is_op(")")) break;
    ONDO_ASSIGN_OR_RETURN(std::string name, expect_name());
    ExprPtr def;
    if (skip_op("=")) {
      ONDO_ASSIGN_OR_RETURN(def, parse_expression());
    } else if (!st.defaults.empty() && st.defaults.back() != nullptr) {
      return fail("parameter without a default follows one with a default");
    }
    st.params.push_back(std::move(name));
    st.defaults.push_back(std::move(def));
  }
  return expect_op(")");
}

Status Parser::parse_macro(Body& out, int line) {
  auto st = std::make_unique<Stmt>();
  st->kind = StmtKind::Macro;
  st->line = line;
  ONDO_ASSIGN_OR_RETURN(st->text, expect_name());
  ONDO_TRY(parse_params(*st));
  ONDO_TRY(expect_block_end());
  macros_.push_back(st.get());
  const int saved_loops = loop_depth_;
  loop_depth_ = 0;
  Status body = parse_body(st->body, {"endmacro"}, nullptr);
  loop_depth_ = saved_loops;
  macros_.pop_back();
  ONDO_TRY(body);
  if (cur().type == Tok::Name && cur().text == st->text) next();
  ONDO_TRY(expect_block_end());
  out.push_back(std::move(st));
  return ok_status();
}

Status Parser::parse_call_block(Body& out, int line) {
  auto st = std::make_unique<Stmt>();
  st->kind = StmtKind::CallBlock;
  st->line = line;
  st->text = "caller";
  if (is_op("(")) ONDO_TRY(parse_params(*st));
  ONDO_ASSIGN_OR_RETURN(st->expr, parse_expression());
  if (st->expr->kind != ExprKind::Call) return fail_at(line, "expected a call after 'call'");
  ONDO_TRY(expect_block_end());
  macros_.push_back(st.get());
  const int saved_loops = loop_depth_;
  loop_depth_ = 0;
  Status body = parse_body(st->body, {"endcall"}, nullptr);
  loop_depth_ = saved_loops;
  macros_.pop_back();
  ONDO_TRY(body);
  ONDO_TRY(expect_block_end());
  out.push_back(std::move(st));
  return ok_status();
}

Status Parser::parse_filter_block(Body& out, int line) {
  auto st = std::make_unique<Stmt>();
  st->kind = StmtKind::FilterBlock;
  st->line = line;
  ONDO_ASSIGN_OR_RETURN(st->expr, parse_filter(nullptr, true));
  ONDO_TRY(expect_block_end());
  ONDO_TRY(parse_body(st->body, {"endfilter"}, nullptr));
  ONDO_TRY(expect_block_end());
  out.push_back(std::move(st));
  return ok_status();
}

Status Parser::parse_with(Body& out, int line) {
  auto st = std::make_unique<Stmt>();
  st->kind = StmtKind::With;
  st->line = line;
  while (cur().type != Tok::BlockEnd) {
    if (!st->assigns.empty()) ONDO_TRY(expect_op(","));
    ONDO_ASSIGN_OR_RETURN(ExprPtr target, parse_assign_target(true, {}, false));
    ONDO_TRY(expect_op("="));
    ONDO_ASSIGN_OR_RETURN(ExprPtr value, parse_expression());
    st->assigns.emplace_back(std::move(target), std::move(value));
  }
  ONDO_TRY(expect_block_end());
  ONDO_TRY(parse_body(st->body, {"endwith"}, nullptr));
  ONDO_TRY(expect_block_end());
  out.push_back(std::move(st));
  return ok_status();
}

Result<std::unique_ptr<Program>> parse_program(std::string_view source, std::string_view name) {
  ONDO_ASSIGN_OR_RETURN(std::vector<Token> tokens, tokenize(source, name));
  Parser p(std::move(tokens), name);
  return p.parse();
}

}  // namespace ondo::text::jinja
