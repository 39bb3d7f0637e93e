// parse_gbnf(): llama.cpp's GBNF notation (grammars/README.md upstream, facts only) read in
// one pass straight into the byte-level IR; repetitions become helper rules, groups become
// helper rules, classes become UTF-8 sequences. Layer: infer (grammar/).
#include <limits>

#include "ondo/infer/grammar/grammar_ir.h"

namespace ondo::infer::grammar {
namespace {

constexpr uint32_t kUnbounded = std::numeric_limits<uint32_t>::max();
constexpr int kMaxNesting = 256;

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

class Parser {
 public:
  Parser(std::string_view text, const GrammarLimits& limits)
      : t_(text), b_(limits.max_elements), limits_(limits) {}

  Result<std::unique_ptr<GrammarIr>> run(std::string_view root);

 private:
  Error err(size_t at, const std::string& what) const;
  void skip_space(bool newline_ok);
  Status parse_rule();
  Status parse_alternatives(uint32_t rule, bool nested, int depth);
  Status parse_sequence(std::vector<Elem>& seq, bool nested, int depth);
  Status parse_item(std::vector<Elem>& seq, bool nested, int depth);
  Result<uint32_t> parse_char(bool in_class);
  Result<uint32_t> parse_hex(int digits);
  Result<uint32_t> parse_number();
  Status parse_repetition(std::vector<Elem>& seq, size_t item_start);
  Status repeat(std::vector<Elem>& seq, size_t item_start, uint32_t min, uint32_t max, size_t at);

  std::string_view t_;
  size_t pos_ = 0;
  IrBuilder b_;
  const GrammarLimits& limits_;
  std::vector<std::pair<uint32_t, size_t>> refs_;  // (rule, offset of a reference)
};

Error Parser::err(size_t at, const std::string& what) const {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < at && i < t_.size(); ++i) {
    if (t_[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return make_error(ErrorCode::InvalidArgument,
                    "grammar: line " + std::to_string(line) + ", column " + std::to_string(col) + ": " + what);
}

void Parser::skip_space(bool newline_ok) {
  while (pos_ < t_.size()) {
    const char c = t_[pos_];
    if (c == ' ' || c == '\t') {
      ++pos_;
    } else if (c == '#') {
      while (pos_ < t_.size() && t_[pos_] != '\n') ++pos_;
    } else if (newline_ok && (c == '\n' || c == '\r')) {
      ++pos_;
    } else {
      break;
    }
  }
}

Result<uint32_t> Parser::parse_hex(int digits) {
  uint32_t v = 0;
  for (int i = 0; i < digits; ++i) {
    const char c = pos_ < t_.size() ? t_[pos_] : '\0';
    int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
    if (d < 0) return err(pos_, "expected " + std::to_string(digits) + " hex digits in escape");
    v = v * 16 + uint32_t(d);
    ++pos_;
  }
  if (v > kMaxCodePoint || (v >= 0xD800 && v <= 0xDFFF)) return err(pos_, "escape is not a Unicode scalar value");
  return v;
}

// One code point of a literal or class: an escape or one UTF-8 encoded character.
Result<uint32_t> Parser::parse_char(bool in_class) {
  const size_t at = pos_;
  const auto c = uint8_t(t_[pos_++]);
  if (c == '\\') {
    if (pos_ >= t_.size()) return err(at, "unfinished escape");
    const char e = t_[pos_++];
    switch (e) {
      case 'n': return uint32_t('\n');
      case 'r': return uint32_t('\r');
      case 't': return uint32_t('\t');
      case 'x': return parse_hex(2);
      case 'u': return parse_hex(4);
      case 'U': return parse_hex(8);
      case '\\': case '"': case '[': case ']': case '-': case '^': case '/': case '\'': case '.':
        return uint32_t(uint8_t(e));
      default: return err(at, std::string("unknown escape '\\") + e + "'");
    }
  }
  if (c < 0x80) return uint32_t(c);
  const int n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
  if (n == 0 || (c >= 0xF5)) return err(at, "invalid UTF-8");
  uint32_t cp = c & (0x7F >> n);
  for (int i = 1; i < n; ++i, ++pos_) {
    if (pos_ >= t_.size() || (uint8_t(t_[pos_]) & 0xC0) != 0x80) return err(at, "invalid UTF-8");
    cp = (cp << 6) | (uint8_t(t_[pos_]) & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > kMaxCodePoint || (cp >= 0xD800 && cp <= 0xDFFF)) return err(at, "invalid UTF-8");
  (void)in_class;
  return cp;
}

Result<uint32_t> Parser::parse_number() {
  const size_t at = pos_;
  uint64_t v = 0;
  while (pos_ < t_.size() && t_[pos_] >= '0' && t_[pos_] <= '9') {
    v = v * 10 + uint64_t(t_[pos_++] - '0');
    if (v > limits_.max_repeat) {
      return make_error(ErrorCode::TooLarge, err(at, "repetition count above " + std::to_string(limits_.max_repeat)).message);
    }
  }
  if (pos_ == at) return err(at, "expected a number");
  return uint32_t(v);
}

Status Parser::repeat(std::vector<Elem>& seq, size_t item_start, uint32_t min, uint32_t max, size_t at) {
  if (max < min) return err(at, "repetition {m,n} with n < m");
  std::vector<Elem> item(seq.begin() + long(item_start), seq.end());
  seq.resize(item_start);
  Elem one = item.size() == 1 ? item[0] : Elem{ElemKind::Rule, 0};
  if (item.size() != 1) {
    one.arg = b_.helper_rule("item");
    ONDO_TRY(b_.add_alt(one.arg, item));
  }
  if (size_t(min) + seq.size() > limits_.max_elements) {
    return make_error(ErrorCode::TooLarge, err(at, "repetition expands past the element limit").message);
  }
  seq.insert(seq.end(), min, one);
  if (max == kUnbounded) {  // star ::= item star | ""  (right recursion: no stack growth)
    const uint32_t star = b_.helper_rule("star");
    ONDO_TRY(b_.add_alt(star, {one, Elem{ElemKind::Rule, star}}));
    ONDO_TRY(b_.add_alt(star, {}));
    seq.push_back(Elem{ElemKind::Rule, star});
    return ok_status();
  }
  uint32_t prev = 0;  // opt_k ::= item opt_{k-1} | ""
  for (uint32_t k = 1; k <= max - min; ++k) {
    const uint32_t opt = b_.helper_rule("opt");
    std::vector<Elem> alt{one};
    if (k > 1) alt.push_back(Elem{ElemKind::Rule, prev});
    ONDO_TRY(b_.add_alt(opt, alt));
    ONDO_TRY(b_.add_alt(opt, {}));
    prev = opt;
  }
  if (max > min) seq.push_back(Elem{ElemKind::Rule, prev});
  return ok_status();
}

Status Parser::parse_repetition(std::vector<Elem>& seq, size_t item_start) {
  const size_t at = pos_;
  const char c = t_[pos_++];
  if (c == '*') return repeat(seq, item_start, 0, kUnbounded, at);
  if (c == '+') return repeat(seq, item_start, 1, kUnbounded, at);
  if (c == '?') return repeat(seq, item_start, 0, 1, at);
  skip_space(true);
  ONDO_ASSIGN_OR_RETURN(uint32_t min, parse_number());
  skip_space(true);
  uint32_t max = min;
  if (pos_ < t_.size() && t_[pos_] == ',') {
    ++pos_;
    skip_space(true);
    max = kUnbounded;
    if (pos_ < t_.size() && t_[pos_] != '}') {
      ONDO_ASSIGN_OR_RETURN(max, parse_number());
      skip_space(true);
    }
  }
  if (pos_ >= t_.size() || t_[pos_] != '}') return err(pos_, "expected '}' to close the repetition");
  ++pos_;
  return repeat(seq, item_start, min, max, at);
}

Status Parser::parse_item(std::vector<Elem>& seq, bool nested, int depth) {
  const size_t at = pos_;
  const char c = t_[pos_];
  if (c == '"') {
    ++pos_;
    while (true) {
      if (pos_ >= t_.size() || t_[pos_] == '\n') return err(at, "unterminated string literal");
      if (t_[pos_] == '"') break;
      ONDO_ASSIGN_OR_RETURN(uint32_t cp, parse_char(false));
      ONDO_TRY(b_.append_class(seq, {{cp, cp}}));
    }
    ++pos_;
    return ok_status();
  }
  if (c == '[') {
    ++pos_;
    const bool negate = pos_ < t_.size() && t_[pos_] == '^';
    if (negate) ++pos_;
    std::vector<CpRange> ranges;
    while (true) {
      if (pos_ >= t_.size() || t_[pos_] == '\n') return err(at, "unterminated character class");
      if (t_[pos_] == ']' && !ranges.empty()) break;
      if (t_[pos_] == ']') return err(at, "empty character class");
      ONDO_ASSIGN_OR_RETURN(uint32_t lo, parse_char(true));
      uint32_t hi = lo;
      if (pos_ + 1 < t_.size() && t_[pos_] == '-' && t_[pos_ + 1] != ']') {
        ++pos_;
        ONDO_ASSIGN_OR_RETURN(hi, parse_char(true));
        if (hi < lo) return err(at, "character range is reversed");
      }
      ranges.emplace_back(lo, hi);
    }
    ++pos_;
    auto norm = normalize_ranges(std::move(ranges), negate);
    if (norm.empty()) return err(at, "character class matches nothing");
    return b_.append_class(seq, norm);
  }
  if (c == '.') {
    ++pos_;
    return b_.append_class(seq, normalize_ranges({{0, kMaxCodePoint}}, false));
  }
  if (c == '(') {
    if (depth >= kMaxNesting) return make_error(ErrorCode::TooLarge, err(at, "groups nested too deeply").message);
    ++pos_;
    skip_space(true);
    const uint32_t group = b_.helper_rule("group");
    ONDO_TRY(parse_alternatives(group, true, depth + 1));
    if (pos_ >= t_.size() || t_[pos_] != ')') return err(at, "unclosed '('");
    ++pos_;
    seq.push_back(Elem{ElemKind::Rule, group});
    return ok_status();
  }
  size_t end = pos_;
  while (end < t_.size() && is_name_char(t_[end])) ++end;
  const uint32_t r = b_.rule_id(t_.substr(pos_, end - pos_));
  refs_.emplace_back(r, pos_);
  pos_ = end;
  seq.push_back(Elem{ElemKind::Rule, r});
  (void)nested;
  return ok_status();
}

Status Parser::parse_sequence(std::vector<Elem>& seq, bool nested, int depth) {
  size_t item_start = std::string_view::npos;
  while (pos_ < t_.size()) {
    const char c = t_[pos_];
    if (c == '*' || c == '+' || c == '?' || c == '{') {
      if (item_start == std::string_view::npos) return err(pos_, std::string("nothing to repeat before '") + c + "'");
      ONDO_TRY(parse_repetition(seq, item_start));
      item_start = std::string_view::npos;
    } else if (c == '"' || c == '[' || c == '.' || c == '(' || is_name_char(c)) {
      item_start = seq.size();
      ONDO_TRY(parse_item(seq, nested, depth));
    } else {
      break;
    }
    skip_space(nested);
  }
  return ok_status();
}

Status Parser::parse_alternatives(uint32_t rule, bool nested, int depth) {
  while (true) {
    std::vector<Elem> seq;
    ONDO_TRY(parse_sequence(seq, nested, depth));
    ONDO_TRY(b_.add_alt(rule, seq));
    if (pos_ < t_.size() && t_[pos_] == '|') {
      ++pos_;
      skip_space(true);
      continue;
    }
    return ok_status();
  }
}

Status Parser::parse_rule() {
  const size_t at = pos_;
  size_t end = pos_;
  while (end < t_.size() && is_name_char(t_[end])) ++end;
  if (end == pos_) return err(at, std::string("expected a rule name, seen '") + t_[pos_] + "'");
  const std::string_view name = t_.substr(pos_, end - pos_);
  pos_ = end;
  skip_space(false);
  if (t_.substr(pos_, 3) != "::=") return err(pos_, "expected '::=' after rule name '" + std::string(name) + "'");
  pos_ += 3;
  skip_space(true);
  const uint32_t r = b_.rule_id(name);
  if (b_.is_defined(r)) return err(at, "rule '" + std::string(name) + "' is defined twice");
  b_.mark_defined(r);
  ONDO_TRY(parse_alternatives(r, false, 0));
  if (pos_ < t_.size() && t_[pos_] != '\n' && t_[pos_] != '\r') {
    return err(pos_, std::string("unexpected '") + t_[pos_] + "'");
  }
  return ok_status();
}

Result<std::unique_ptr<GrammarIr>> Parser::run(std::string_view root) {
  if (t_.size() > limits_.max_text_bytes) {
    return make_error(ErrorCode::TooLarge, "grammar: " + std::to_string(t_.size()) + " bytes (limit " +
                                               std::to_string(limits_.max_text_bytes) + ")");
  }
  skip_space(true);
  while (pos_ < t_.size()) {
    ONDO_TRY(parse_rule());
    skip_space(true);
  }
  for (auto [r, at] : refs_) {
    if (!b_.is_defined(r)) return err(at, "rule '" + b_.rule_name(r) + "' is not defined");
  }
  return b_.finish(root);
}

}  // namespace

Result<std::shared_ptr<const Grammar>> parse_gbnf(std::string_view text, std::string_view root,
                                                  const GrammarLimits& limits) {
  Parser p(text, limits);
  ONDO_ASSIGN_OR_RETURN(auto ir, p.run(root));
  return std::shared_ptr<const Grammar>(std::make_shared<Grammar>(std::move(ir)));
}

std::string gbnf_quote(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "\"";
  for (const char ch : text) {
    const auto c = uint8_t(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c == 0x7F) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

}  // namespace ondo::infer::grammar
