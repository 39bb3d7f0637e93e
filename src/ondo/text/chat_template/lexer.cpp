// Jinja lexer (see lexer.h). Layer: text (chat_template). Mirrors the token rules of
// jinja2 3.1.2 (jinja2/lexer.py): end-of-tag delimiters are ignored while brackets are open,
// "-" strips all whitespace on its side, lstrip_blocks strips the spaces before a block or
// comment tag that starts its line, trim_blocks drops the newline after one.
#include "ondo/text/chat_template/lexer.h"

#include <cstring>

#include "ondo/text/chat_template/pystr.h"

namespace ondo::text::jinja {
namespace {

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Decodes the escape whose backslash is raw[i], leaving i on its last character, as
// Python's unicode-escape codec does (unknown escapes stay as written). False when a
// \x, \u or \U escape is truncated or out of range.
bool decode_escape(const std::string& raw, size_t& i, std::string& out) {
  const char e = raw[++i];
  auto hex = [&](int n) -> bool {
    uint32_t v = 0;
    for (int k = 1; k <= n; ++k) {
      if (i + size_t(k) >= raw.size()) return false;
      const char c = raw[i + size_t(k)];
      const int d = is_digit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                                          : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
      if (d < 0) return false;
      v = v * 16 + uint32_t(d);
    }
    if (v > 0x10ffff) return false;
    append_utf8(out, char32_t(v));
    i += size_t(n);
    return true;
  };
  static const std::string_view kSimple = "n\nt\tr\rb\bf\fv\va\a\\\\''\"\"";
  for (size_t k = 0; k + 1 < kSimple.size(); k += 2) {
    if (kSimple[k] == e) {
      out.push_back(kSimple[k + 1]);
      return true;
    }
  }
  if (e == '\n') return true;  // line continuation
  if (e == 'x') return hex(2);
  if (e == 'u') return hex(4);
  if (e == 'U') return hex(8);
  if (e >= '0' && e <= '7') {
    uint32_t v = uint32_t(e - '0');
    for (int k = 0; k < 2 && i + 1 < raw.size() && raw[i + 1] >= '0' && raw[i + 1] <= '7'; ++k) {
      v = v * 8 + uint32_t(raw[++i] - '0');
    }
    append_utf8(out, char32_t(v));
    return true;
  }
  out.push_back('\\');
  out.push_back(e);
  return true;
}

// jinja2 reads templates with universal newlines and drops one trailing newline
// (keep_trailing_newline=False).
std::string normalize_source(std::string_view src) {
  std::string out;
  out.reserve(src.size());
  for (size_t i = 0; i < src.size(); ++i) {
    if (src[i] == '\r') {
      out.push_back('\n');
      if (i + 1 < src.size() && src[i + 1] == '\n') ++i;
    } else {
      out.push_back(src[i]);
    }
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

class Lexer {
 public:
  Lexer(std::string src, std::string_view name, const LexOptions& opt)
      : src_(std::move(src)), name_(name), opt_(opt) {}

  Result<std::vector<Token>> run();

 private:
  Error fail(int line, const std::string& what) const {
    return make_error(ErrorCode::InvalidFile, "chat template '" + std::string(name_) + "': line " +
                                                  std::to_string(line) + ": " + what);
  }
  void emit_text(std::string text, int line);
  void skip_after_tag(bool minus, bool trim);
  Status lex_comment(size_t p, bool& done);
  bool try_raw(size_t p);
  Status lex_tag(size_t p, bool block);
  Status lex_token(std::string& stack);
  Status lex_string(size_t& p, Token& tok);
  void lex_number(size_t& p, Token& tok, bool after_dot);
  size_t count_lines(size_t from, size_t to) const {
    size_t n = 0;
    for (size_t i = from; i < to; ++i) n += src_[i] == '\n';
    return n;
  }

  std::string src_;
  std::string_view name_;
  LexOptions opt_;
  std::vector<Token> out_;
  size_t pos_ = 0;
  int line_ = 1;
  bool line_starting_ = true;
};

void Lexer::emit_text(std::string text, int line) {
  if (text.empty()) return;
  Token t;
  t.type = Tok::Text;
  t.line = line;
  t.text = std::move(text);
  out_.push_back(std::move(t));
}

// After a tag end at pos_: "-" eats all whitespace, else trim_blocks eats one newline.
void Lexer::skip_after_tag(bool minus, bool trim) {
  const size_t start = pos_;
  if (minus) {
    while (pos_ < src_.size() && is_ws(src_[pos_])) ++pos_;
  } else if (trim && pos_ < src_.size() && src_[pos_] == '\n') {
    ++pos_;
  }
  line_ += int(count_lines(start, pos_));
  line_starting_ = pos_ > start && src_[pos_ - 1] == '\n';
}

Status Lexer::lex_comment(size_t p, bool& done) {
  const size_t end = src_.find("#}", p);
  if (end == std::string::npos) return fail(line_, "missing end of comment tag");
  const bool minus = end > p && src_[end - 1] == '-';
  const bool plus = end > p && src_[end - 1] == '+';
  line_ += int(count_lines(pos_, end + 2));
  pos_ = end + 2;
  skip_after_tag(minus, opt_.trim_blocks && !plus);
  done = true;
  return ok_status();
}

// {% raw %}...{% endraw %}: the body is text, tags inside are not interpreted.
bool Lexer::try_raw(size_t p) {
  size_t q = p;
  while (q < src_.size() && is_ws(src_[q])) ++q;
  if (src_.compare(q, 3, "raw") != 0) return false;
  q += 3;
  while (q < src_.size() && is_ws(src_[q])) ++q;
  bool minus = false;
  if (q < src_.size() && (src_[q] == '-' || src_[q] == '+')) minus = src_[q++] == '-';
  if (src_.compare(q, 2, "%}") != 0) return false;
  size_t body = q + 2;
  if (minus) {
    while (body < src_.size() && is_ws(src_[body])) ++body;
  }
  // Find "{%[-+]? endraw [-+]?%}".
  for (size_t s = src_.find("{%", body); s != std::string::npos; s = src_.find("{%", s + 2)) {
    size_t r = s + 2;
    char lsign = 0;
    if (r < src_.size() && (src_[r] == '-' || src_[r] == '+')) lsign = src_[r++];
    while (r < src_.size() && is_ws(src_[r])) ++r;
    if (src_.compare(r, 6, "endraw") != 0) continue;
    r += 6;
    while (r < src_.size() && is_ws(src_[r])) ++r;
    char rsign = 0;
    if (r < src_.size() && (src_[r] == '-' || src_[r] == '+')) rsign = src_[r++];
    if (src_.compare(r, 2, "%}") != 0) continue;
    std::string text = src_.substr(body, s - body);
    if (lsign == '-') {
      while (!text.empty() && is_ws(text.back())) text.pop_back();
    }
    emit_text(std::move(text), line_ + int(count_lines(pos_, body)));
    line_ += int(count_lines(pos_, r + 2));
    pos_ = r + 2;
    skip_after_tag(rsign == '-', opt_.trim_blocks && rsign != '+');
    return true;
  }
  return false;
}

Status Lexer::lex_string(size_t& p, Token& tok) {
  const char quote = src_[p++];
  std::string raw;
  while (p < src_.size() && src_[p] != quote) {
    if (src_[p] == '\\' && p + 1 < src_.size()) raw.push_back(src_[p++]);
    raw.push_back(src_[p++]);
  }
  if (p >= src_.size()) return fail(tok.line, "unexpected end of string literal");
  ++p;
  // Python unicode-escape decoding of the literal body.
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\' || i + 1 >= raw.size()) {
      tok.text.push_back(raw[i]);
    } else if (!decode_escape(raw, i, tok.text)) {
      return fail(tok.line, "truncated \\x, \\u or \\U escape in string literal");
    }
  }
  tok.type = Tok::String;
  return ok_status();
}

void Lexer::lex_number(size_t& p, Token& tok, bool after_dot) {
  std::string digits;
  auto take_digits = [&]() {
    while (p < src_.size() && (is_digit(src_[p]) || (src_[p] == '_' && p + 1 < src_.size() &&
                                                      is_digit(src_[p + 1])))) {
      if (src_[p] != '_') digits.push_back(src_[p]);
      ++p;
    }
  };
  take_digits();
  bool is_float = false;
  if (!after_dot && p + 1 < src_.size() && src_[p] == '.' && is_digit(src_[p + 1])) {
    is_float = true;
    digits.push_back(src_[p++]);
    take_digits();
  }
  if (!after_dot && p < src_.size() && (src_[p] == 'e' || src_[p] == 'E')) {
    size_t q = p + 1;
    if (q < src_.size() && (src_[q] == '+' || src_[q] == '-')) ++q;
    if (q < src_.size() && is_digit(src_[q])) {
      is_float = true;
      digits.append(src_, p, q - p);
      p = q;
      take_digits();
    }
  }
  if (is_float) {
    tok.type = Tok::Float;
    tok.fval = std::strtod(digits.c_str(), nullptr);
    return;
  }
  tok.type = Tok::Int;
  int64_t v = 0;
  bool overflow = false;
  for (char c : digits) {
    if (v > (INT64_MAX - (c - '0')) / 10) overflow = true;
    if (!overflow) v = v * 10 + (c - '0');
  }
  if (overflow) {
    tok.type = Tok::Float;
    tok.fval = std::strtod(digits.c_str(), nullptr);
  }
  tok.ival = v;
}

// Lexes one expression token at pos_, tracking open brackets in `stack`.
Status Lexer::lex_token(std::string& stack) {
  const char* s = src_.c_str() + pos_;
  Token tok;
  tok.line = line_;
  const bool after_dot = !out_.empty() && out_.back().type == Tok::Op && out_.back().text == ".";
  if (is_name_start(s[0])) {
    size_t q = pos_;
    while (q < src_.size() && is_name_char(src_[q])) ++q;
    tok.type = Tok::Name;
    tok.text = src_.substr(pos_, q - pos_);
    pos_ = q;
  } else if (s[0] == '\'' || s[0] == '"') {
    const size_t start = pos_;
    ONDO_TRY(lex_string(pos_, tok));
    line_ += int(count_lines(start, pos_));
  } else if (is_digit(s[0])) {
    lex_number(pos_, tok, after_dot);
  } else {
    tok.type = Tok::Op;
    static const char* kOps2[] = {"//", "**", "==", "!=", ">=", "<="};
    for (const char* op : kOps2) {
      if (std::strncmp(s, op, 2) == 0) tok.text = op;
    }
    if (tok.text.empty()) {
      if (std::strchr("+-*/%~[](){}<>=.:|,", s[0]) == nullptr || s[0] == '\0') {
        return fail(line_, std::string("unexpected char '") + s[0] + "'");
      }
      tok.text = std::string(1, s[0]);
    }
    pos_ += tok.text.size();
    const char c = tok.text[0];
    if (tok.text.size() == 1 && (c == '(' || c == '[' || c == '{')) stack.push_back(c);
    if (tok.text.size() == 1 && (c == ')' || c == ']' || c == '}')) {
      const char want = c == ')' ? '(' : c == ']' ? '[' : '{';
      if (stack.empty() || stack.back() != want) {
        return fail(tok.line, std::string("unexpected '") + c + "'");
      }
      stack.pop_back();
    }
  }
  out_.push_back(std::move(tok));
  return ok_status();
}

Status Lexer::lex_tag(size_t p, bool block) {
  Token begin;
  begin.type = block ? Tok::BlockBegin : Tok::VarBegin;
  begin.line = line_;
  out_.push_back(begin);
  pos_ = p;
  std::string stack;
  while (true) {
    while (pos_ < src_.size() && is_ws(src_[pos_])) line_ += src_[pos_++] == '\n';
    if (pos_ >= src_.size()) {
      return fail(line_, std::string("unexpected end of template, expected '") +
                             (block ? "end of statement block" : "end of print statement") + "'");
    }
    const char* s = src_.c_str() + pos_;
    if (stack.empty()) {
      const char* close = block ? "%}" : "}}";
      const bool minus = s[0] == '-' && std::strncmp(s + 1, close, 2) == 0;
      const bool plus = block && s[0] == '+' && std::strncmp(s + 1, close, 2) == 0;
      if (minus || plus || std::strncmp(s, close, 2) == 0) {
        Token end;
        end.type = block ? Tok::BlockEnd : Tok::VarEnd;
        end.line = line_;
        out_.push_back(end);
        pos_ += (minus || plus) ? 3 : 2;
        skip_after_tag(minus, block && opt_.trim_blocks && !plus);
        return ok_status();
      }
    }
    ONDO_TRY(lex_token(stack));
  }
}

Result<std::vector<Token>> Lexer::run() {
  while (pos_ < src_.size()) {
    size_t start = pos_;
    while (true) {
      start = src_.find('{', start);
      if (start == std::string::npos || start + 1 >= src_.size()) {
        start = std::string::npos;
        break;
      }
      const char k = src_[start + 1];
      if (k == '{' || k == '%' || k == '#') break;
      ++start;
    }
    if (start == std::string::npos) {
      emit_text(src_.substr(pos_), line_);
      line_ += int(count_lines(pos_, src_.size()));
      pos_ = src_.size();
      break;
    }
    const char kind = src_[start + 1];
    const char sign = start + 2 < src_.size() ? src_[start + 2] : '\0';
    std::string text = src_.substr(pos_, start - pos_);
    if (sign == '-') {
      while (!text.empty() && is_ws(text.back())) text.pop_back();
    } else if (sign != '+' && kind != '{' && opt_.lstrip_blocks) {
      const size_t nl = text.rfind('\n');
      const size_t l_pos = nl == std::string::npos ? 0 : nl + 1;
      bool all_ws = l_pos < text.size();
      for (size_t i = l_pos; i < text.size() && all_ws; ++i) all_ws = is_ws(text[i]);
      if ((l_pos > 0 || line_starting_) && all_ws) text.resize(l_pos);
    }
    const int text_line = line_;
    line_ += int(count_lines(pos_, start));
    emit_text(std::move(text), text_line);
    pos_ = start;
    const size_t body = start + 2 + ((sign == '-' || sign == '+') ? 1 : 0);
    if (kind == '#') {
      bool done = false;
      ONDO_TRY(lex_comment(body, done));
      continue;
    }
    if (kind == '%' && try_raw(body)) continue;
    ONDO_TRY(lex_tag(body, kind == '%'));
  }
  Token eof;
  eof.type = Tok::Eof;
  eof.line = line_;
  out_.push_back(eof);
  return std::move(out_);
}

}  // namespace

Result<std::vector<Token>> tokenize(std::string_view source, std::string_view name,
                                    const LexOptions& opt) {
  Lexer lx(normalize_source(source), name, opt);
  return lx.run();
}

}  // namespace ondo::text::jinja
