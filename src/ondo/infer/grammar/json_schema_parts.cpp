// JSON Schema terminals: exact integer ranges as digit grammars, string formats as strict
// grammars, and the `pattern` regex subset translated to GBNF over JSON-escaped text.
// Layer: infer (grammar/).
#include "ondo/infer/grammar/json_schema_parts.h"

#include <cstdio>

namespace ondo::infer::grammar::schema {
namespace {

std::string hex_escape(uint32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, cp < 0x80 ? "\\x%02X" : "\\U%08X", cp);
  return buf;
}

std::string digit_class(char lo, char hi) {
  if (lo == hi) return std::string("\"") + lo + "\"";
  return std::string("[") + lo + "-" + hi + "]";
}

// Equal-length decimal strings lo <= hi: every string of that length in [lo, hi].
std::string same_length(const std::string& lo, const std::string& hi) {
  const size_t n = lo.size();
  if (n == 0) return "\"\"";
  if (lo == hi) return "\"" + lo + "\"";
  if (lo[0] == hi[0]) return "\"" + std::string(1, lo[0]) + "\" " + same_length(lo.substr(1), hi.substr(1));
  const std::string rest_lo = lo.substr(1), rest_hi = hi.substr(1);
  const bool lo_full = rest_lo.find_first_not_of('0') == std::string::npos;
  const bool hi_full = rest_hi.find_first_not_of('9') == std::string::npos;
  std::vector<std::string> alts;
  char mid_lo = char(lo[0] + 1), mid_hi = char(hi[0] - 1);
  if (lo_full) {
    mid_lo = lo[0];
  } else {
    alts.push_back("\"" + std::string(1, lo[0]) + "\" " + same_length(rest_lo, std::string(n - 1, '9')));
  }
  if (hi_full) mid_hi = hi[0];
  if (mid_lo <= mid_hi) {
    std::string mid = digit_class(mid_lo, mid_hi);
    if (n > 1) mid += " [0-9]{" + std::to_string(n - 1) + "}";
    alts.push_back(mid);
  }
  if (!hi_full) alts.push_back("\"" + std::string(1, hi[0]) + "\" " + same_length(std::string(n - 1, '0'), rest_hi));
  std::string out = "(";
  for (size_t i = 0; i < alts.size(); ++i) out += (i ? " | " : "") + alts[i];
  return out + ")";
}

// Non-negative integers in [a, b] (b absent: unbounded), as alternatives appended to `alts`.
void non_negative(uint64_t a, std::optional<uint64_t> b, std::vector<std::string>& alts) {
  const std::string sa = std::to_string(a);
  const size_t la = sa.size();
  const size_t lb = b ? std::to_string(*b).size() : la;
  for (size_t len = la; len <= lb; ++len) {
    const std::string lo = len == la ? sa : "1" + std::string(len - 1, '0');
    std::string hi = std::string(len, '9');
    if (b && len == lb) hi = std::to_string(*b);
    alts.push_back(same_length(lo, hi));
  }
  if (!b) alts.push_back("[1-9] [0-9]{" + std::to_string(la) + ",}");
}

}  // namespace

std::string class_expr(const std::vector<CpRange>& ranges) {
  std::string out = "[";
  for (auto [lo, hi] : ranges) {
    out += hex_escape(lo);
    if (hi != lo) out += "-" + hex_escape(hi);
  }
  return out + "]";
}

std::string integer_range(std::optional<int64_t> lo, std::optional<int64_t> hi) {
  std::vector<std::string> alts;
  // Negative part: -m for m in [max(1, -hi), -lo].
  if (!lo || *lo < 0) {
    const uint64_t m_lo = (hi && *hi < 0) ? uint64_t(-(*hi + 1)) + 1 : 1;
    std::optional<uint64_t> m_hi;
    if (lo) m_hi = uint64_t(-(*lo + 1)) + 1;
    std::vector<std::string> neg;
    non_negative(m_lo, m_hi, neg);
    std::string inner = "(";
    for (size_t i = 0; i < neg.size(); ++i) inner += (i ? " | " : "") + neg[i];
    alts.push_back("\"-\" " + inner + ")");
  }
  if (!hi || *hi >= 0) {
    const uint64_t a = lo && *lo > 0 ? uint64_t(*lo) : 0;
    std::optional<uint64_t> b;
    if (hi) b = uint64_t(*hi);
    non_negative(a, b, alts);
  }
  std::string out = "(";
  for (size_t i = 0; i < alts.size(); ++i) out += (i ? " | " : "") + alts[i];
  return out + ")";
}

Result<std::string> format_content(std::string_view format) {
  static const std::string kDate =
      "[0-9]{4} \"-\" ( ( \"0\" [13578] | \"1\" [02] ) \"-\" ( \"0\" [1-9] | [12] [0-9] | \"3\" [01] )"
      " | ( \"0\" [469] | \"11\" ) \"-\" ( \"0\" [1-9] | [12] [0-9] | \"30\" )"
      " | \"02-\" ( \"0\" [1-9] | \"1\" [0-9] | \"2\" [0-8] ) )";
  static const std::string kTime =
      "( [01] [0-9] | \"2\" [0-3] ) \":\" [0-5] [0-9] \":\" [0-5] [0-9] ( \".\" [0-9]{1,9} )?"
      " ( \"Z\" | [+-] ( [01] [0-9] | \"2\" [0-3] ) \":\" [0-5] [0-9] )";
  if (format == "date") return "( " + kDate + " )";
  if (format == "time") return "( " + kTime + " )";
  if (format == "date-time") return "( " + kDate + " \"T\" " + kTime + " )";
  if (format == "uuid") {
    return std::string("( [0-9a-fA-F]{8} \"-\" [0-9a-fA-F]{4} \"-\" [0-9a-fA-F]{4} \"-\" [0-9a-fA-F]{4} \"-\" [0-9a-fA-F]{12} )");
  }
  if (format == "email") {
    return std::string(
        "( [A-Za-z0-9_%+-]{1,20} ( \".\" [A-Za-z0-9_%+-]{1,20} ){0,2} \"@\""
        " ( [A-Za-z0-9] ( [A-Za-z0-9-]{0,18} [A-Za-z0-9] )? \".\" ){1,4} [A-Za-z]{2,20} )");
  }
  return make_error(ErrorCode::Unsupported, "format '" + std::string(format) + "'");
}

}  // namespace ondo::infer::grammar::schema
