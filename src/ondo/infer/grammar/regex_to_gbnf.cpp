// The `pattern` subset: ECMA-262 regex syntax (literals, escapes \d \D \w \W \s \S \n \t
// \r \f \v \xNN \uNNNN, classes with ranges and negation, ., groups (...) (?:...) (?<name>...),
// alternation, quantifiers * + ? {m} {m,} {m,n} and their lazy forms, ^ at the start and $ at
// the end) translated to GBNF over the JSON-escaped string content. Refused: lookaround,
// backreferences, \b \B, anchors elsewhere. Layer: infer (grammar/).
#include <string>

#include "ondo/infer/grammar/json_schema_parts.h"

namespace ondo::infer::grammar::schema {
namespace {

constexpr int kMaxDepth = 64;

const std::vector<CpRange>& space_ranges() {  // ECMA-262 WhiteSpace and LineTerminator
  static const std::vector<CpRange> r = normalize_ranges(
      {{0x09, 0x0D}, {0x20, 0x20}, {0xA0, 0xA0}, {0x1680, 0x1680}, {0x2000, 0x200A}, {0x2028, 0x2029},
       {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000}, {0xFEFF, 0xFEFF}},
      false);
  return r;
}

class RegexParser {
 public:
  RegexParser(std::string_view p, uint32_t max_repeat) : p_(p), max_repeat_(max_repeat) {}
  Result<std::string> alternation(int depth, int* n_alts);
  bool at_end() const { return pos_ >= p_.size(); }
  Error fail(ErrorCode code, const std::string& what) const {
    return make_error(code, "pattern '" + std::string(p_) + "': " + what + " (at offset " + std::to_string(pos_) + ")");
  }

 private:
  Result<std::string> sequence(int depth);
  Result<std::string> atom(int depth);
  Result<std::string> quantify(std::string item);
  Result<std::vector<CpRange>> escape_class(bool* is_class);
  Result<std::vector<CpRange>> bracket();
  Result<uint32_t> code_point();
  Result<uint32_t> hex(int digits);
  Result<std::string> chars(std::vector<CpRange> ranges);

  std::string_view p_;
  size_t pos_ = 0;
  uint32_t max_repeat_;
};

Result<uint32_t> RegexParser::code_point() {
  const auto c = uint8_t(p_[pos_]);
  const int n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
  if (pos_ + size_t(n) > p_.size()) return fail(ErrorCode::InvalidArgument, "invalid UTF-8");
  uint32_t cp = n == 1 ? c : c & (0x7F >> n);
  for (int i = 1; i < n; ++i) cp = (cp << 6) | (uint8_t(p_[pos_ + size_t(i)]) & 0x3F);
  pos_ += size_t(n);
  return cp;
}

Result<uint32_t> RegexParser::hex(int digits) {
  uint32_t v = 0;
  for (int i = 0; i < digits; ++i, ++pos_) {
    const char c = at_end() ? '\0' : p_[pos_];
    const int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
    if (d < 0) return fail(ErrorCode::InvalidArgument, "bad hex escape");
    v = v * 16 + uint32_t(d);
  }
  return v;
}

// After a backslash: either a class escape (\d ...; *is_class) or one code point.
Result<std::vector<CpRange>> RegexParser::escape_class(bool* is_class) {
  if (at_end()) return fail(ErrorCode::InvalidArgument, "trailing backslash");
  const char e = p_[pos_++];
  *is_class = true;
  switch (e) {
    case 'd': return normalize_ranges({{'0', '9'}}, false);
    case 'D': return normalize_ranges({{'0', '9'}}, true);
    case 'w': return normalize_ranges({{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}}, false);
    case 'W': return normalize_ranges({{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}}, true);
    case 's': return space_ranges();
    case 'S': return normalize_ranges(space_ranges(), true);
    default: break;
  }
  *is_class = false;
  uint32_t cp = uint8_t(e);
  switch (e) {
    case 'n': cp = '\n'; break;
    case 't': cp = '\t'; break;
    case 'r': cp = '\r'; break;
    case 'f': cp = '\f'; break;
    case 'v': cp = '\v'; break;
    case 'x': { ONDO_ASSIGN_OR_RETURN(cp, hex(2)); break; }
    case 'u': { ONDO_ASSIGN_OR_RETURN(cp, hex(4)); break; }
    case 'b': case 'B': return fail(ErrorCode::Unsupported, "word-boundary assertions are not supported");
    default:
      if (e >= '0' && e <= '9') return fail(ErrorCode::Unsupported, "backreferences are not supported");
      if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z')) {
        return fail(ErrorCode::Unsupported, std::string("escape '\\") + e + "' is not supported");
      }
      if (uint8_t(e) >= 0x80) {
        --pos_;
        ONDO_ASSIGN_OR_RETURN(cp, code_point());
      }
  }
  return std::vector<CpRange>{{cp, cp}};
}

Result<std::vector<CpRange>> RegexParser::bracket() {
  const bool negate = !at_end() && p_[pos_] == '^';
  if (negate) ++pos_;
  std::vector<CpRange> ranges;
  while (true) {
    if (at_end()) return fail(ErrorCode::InvalidArgument, "unterminated class");
    if (p_[pos_] == ']') break;
    bool is_class = false;
    std::vector<CpRange> lo;
    if (p_[pos_] == '\\') {
      ++pos_;
      ONDO_ASSIGN_OR_RETURN(lo, escape_class(&is_class));
    } else {
      ONDO_ASSIGN_OR_RETURN(uint32_t cp, code_point());
      lo = {{cp, cp}};
    }
    if (!is_class && pos_ + 1 < p_.size() && p_[pos_] == '-' && p_[pos_ + 1] != ']') {
      ++pos_;
      std::vector<CpRange> hi;
      if (p_[pos_] == '\\') {
        ++pos_;
        ONDO_ASSIGN_OR_RETURN(hi, escape_class(&is_class));
        if (is_class) return fail(ErrorCode::InvalidArgument, "class escape as a range end");
      } else {
        ONDO_ASSIGN_OR_RETURN(uint32_t cp, code_point());
        hi = {{cp, cp}};
      }
      if (hi[0].first < lo[0].first) return fail(ErrorCode::InvalidArgument, "reversed range");
      lo = {{lo[0].first, hi[0].first}};
    }
    ranges.insert(ranges.end(), lo.begin(), lo.end());
  }
  ++pos_;
  return normalize_ranges(std::move(ranges), negate);
}

// One character of `ranges` as JSON string content: plain where JSON allows it, else its
// escape (\" \\ \n \t \r \b \f, \u00XX for other control characters).
Result<std::string> RegexParser::chars(std::vector<CpRange> ranges) {
  std::vector<std::string> alts;
  std::vector<CpRange> plain;
  static constexpr char kHex[] = "0123456789abcdef";
  for (auto [lo, hi] : ranges) {
    for (uint32_t c = lo; c <= hi && c < 0x20; ++c) {
      const char* named = c == '\n' ? "\\\\n" : c == '\t' ? "\\\\t" : c == '\r' ? "\\\\r" : c == 8 ? "\\\\b" : c == 12 ? "\\\\f" : nullptr;
      alts.push_back(named ? std::string("\"") + named + "\"" : std::string("\"\\\\u00") + kHex[c >> 4] + kHex[c & 15] + "\"");
    }
    if (lo <= '"' && '"' <= hi) alts.push_back("\"\\\\\\\"\"");
    if (lo <= '\\' && '\\' <= hi) alts.push_back("\"\\\\\\\\\"");
    plain.emplace_back(std::max<uint32_t>(lo, 0x20), hi);
  }
  plain = normalize_ranges(plain, false);
  std::vector<CpRange> safe;
  for (auto [lo, hi] : plain) {  // remove '"' (0x22) and '\\' (0x5C)
    uint32_t a = lo;
    for (uint32_t cut : {0x22u, 0x5Cu}) {
      if (cut >= a && cut <= hi) {
        if (cut > a) safe.emplace_back(a, cut - 1);
        a = cut + 1;
      }
    }
    if (a <= hi) safe.emplace_back(a, hi);
  }
  if (!safe.empty()) alts.insert(alts.begin(), class_expr(safe));
  if (alts.empty()) return fail(ErrorCode::InvalidArgument, "a class that matches nothing");
  if (alts.size() == 1) return alts[0];
  std::string out = "(";
  for (size_t i = 0; i < alts.size(); ++i) out += (i ? " | " : "") + alts[i];
  return out + ")";
}

Result<std::string> RegexParser::quantify(std::string item) {
  if (at_end()) return item;
  const char c = p_[pos_];
  std::string q;
  if (c == '*' || c == '+' || c == '?') {
    q = std::string(1, c);
    ++pos_;
  } else if (c == '{') {
    ++pos_;
    uint64_t m = 0, n = 0;
    bool has_n = true, comma = false;
    size_t digits = 0;
    while (!at_end() && p_[pos_] >= '0' && p_[pos_] <= '9' && m <= max_repeat_) m = m * 10 + uint64_t(p_[pos_++] - '0'), ++digits;
    if (digits == 0) return fail(ErrorCode::InvalidArgument, "bad quantifier");
    n = m;
    if (!at_end() && p_[pos_] == ',') {
      comma = true;
      ++pos_;
      has_n = !at_end() && p_[pos_] != '}';
      n = 0;
      while (!at_end() && p_[pos_] >= '0' && p_[pos_] <= '9' && n <= max_repeat_) n = n * 10 + uint64_t(p_[pos_++] - '0');
    }
    if (at_end() || p_[pos_] != '}') return fail(ErrorCode::InvalidArgument, "bad quantifier");
    ++pos_;
    if (m > max_repeat_ || (has_n && n > max_repeat_)) {
      return fail(ErrorCode::TooLarge, "repetition count above " + std::to_string(max_repeat_));
    }
    if (has_n && n < m) return fail(ErrorCode::InvalidArgument, "quantifier {m,n} with n < m");
    q = "{" + std::to_string(m) + (comma ? "," + (has_n ? std::to_string(n) : "") : "") + "}";
  } else {
    return item;
  }
  if (!at_end() && p_[pos_] == '?') ++pos_;  // lazy: same language
  if (!at_end() && (p_[pos_] == '*' || p_[pos_] == '+' || p_[pos_] == '{')) {
    return fail(ErrorCode::InvalidArgument, "nothing to repeat");
  }
  return "(" + item + ")" + q;
}

Result<std::string> RegexParser::atom(int depth) {
  const char c = p_[pos_];
  if (c == '(') {
    if (depth >= kMaxDepth) return fail(ErrorCode::TooLarge, "groups nested too deeply");
    ++pos_;
    if (p_.substr(pos_, 2) == "?:") {
      pos_ += 2;
    } else if (p_.substr(pos_, 2) == "?=" || p_.substr(pos_, 2) == "?!" || p_.substr(pos_, 3) == "?<=" ||
               p_.substr(pos_, 3) == "?<!") {
      return fail(ErrorCode::Unsupported, "lookaround is not supported");
    } else if (p_.substr(pos_, 2) == "?<") {
      const size_t close = p_.find('>', pos_);
      if (close == std::string_view::npos) return fail(ErrorCode::InvalidArgument, "bad group name");
      pos_ = close + 1;
    } else if (!at_end() && p_[pos_] == '?') {
      return fail(ErrorCode::Unsupported, "group modifiers are not supported");
    }
    int n_alts = 0;
    ONDO_ASSIGN_OR_RETURN(std::string inner, alternation(depth + 1, &n_alts));
    if (at_end() || p_[pos_] != ')') return fail(ErrorCode::InvalidArgument, "unclosed '('");
    ++pos_;
    return inner;
  }
  if (c == '[') {
    ++pos_;
    ONDO_ASSIGN_OR_RETURN(auto ranges, bracket());
    return chars(std::move(ranges));
  }
  if (c == '.') {
    ++pos_;
    return chars(normalize_ranges({{'\n', '\n'}, {'\r', '\r'}, {0x2028, 0x2029}}, true));
  }
  if (c == '\\') {
    ++pos_;
    bool is_class = false;
    ONDO_ASSIGN_OR_RETURN(auto ranges, escape_class(&is_class));
    return chars(std::move(ranges));
  }
  if (c == '^' || c == '$') return fail(ErrorCode::Unsupported, "anchors are supported only at the start and end");
  if (c == '*' || c == '+' || c == '?' || c == '{') return fail(ErrorCode::InvalidArgument, "nothing to repeat");
  if (c == ')') return fail(ErrorCode::InvalidArgument, "unmatched ')'");
  ONDO_ASSIGN_OR_RETURN(uint32_t cp, code_point());
  return chars({{cp, cp}});
}

Result<std::string> RegexParser::sequence(int depth) {
  std::string out;
  while (!at_end() && p_[pos_] != '|' && p_[pos_] != ')') {
    ONDO_ASSIGN_OR_RETURN(std::string item, atom(depth));
    ONDO_ASSIGN_OR_RETURN(item, quantify(std::move(item)));
    out += (out.empty() ? "" : " ") + item;
  }
  return out.empty() ? std::string("\"\"") : out;
}

Result<std::string> RegexParser::alternation(int depth, int* n_alts) {
  std::string out = "(";
  *n_alts = 0;
  while (true) {
    ONDO_ASSIGN_OR_RETURN(std::string seq, sequence(depth));
    out += (*n_alts ? " | " : "") + seq;
    ++*n_alts;
    if (at_end() || p_[pos_] != '|') break;
    ++pos_;
  }
  return out + ")";
}

}  // namespace

Result<std::string> regex_content(std::string_view pattern, std::string_view any_char, uint32_t max_repeat) {
  std::string_view body = pattern;
  const bool anchored_start = !body.empty() && body.front() == '^';
  if (anchored_start) body.remove_prefix(1);
  size_t backslashes = 0;
  for (size_t i = body.size(); i >= 2 && body[i - 2] == '\\'; --i) ++backslashes;
  const bool anchored_end = !body.empty() && body.back() == '$' && backslashes % 2 == 0;
  if (anchored_end) body.remove_suffix(1);
  RegexParser parser(body, max_repeat);
  int n_alts = 0;
  ONDO_ASSIGN_OR_RETURN(std::string inner, parser.alternation(0, &n_alts));
  if (!parser.at_end()) return parser.fail(ErrorCode::InvalidArgument, "unmatched ')'");
  if (n_alts > 1 && (anchored_start || anchored_end)) {
    return make_error(ErrorCode::Unsupported, "pattern '" + std::string(pattern) +
                                                  "': anchors around a top-level '|' are not supported (write ^(a|b)$)");
  }
  const std::string any = "(" + std::string(any_char) + ")*";
  return (anchored_start ? "" : any + " ") + inner + (anchored_end ? "" : " " + any);
}

}  // namespace ondo::infer::grammar::schema
