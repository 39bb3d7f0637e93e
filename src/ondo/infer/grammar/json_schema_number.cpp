// JSON Schema number bounds (minimum, maximum, exclusiveMinimum, exclusiveMaximum on type
// "number") as exact digit grammars over plain decimals. Layer: infer (grammar/).
//
// Why exact: a generated value is compared digit by digit with the bound's shortest
// decimal text. A validator compares IEEE doubles instead; the two orders agree when both
// numbers have at most 15 significant digits (every such decimal maps to its own double, and
// rounding is monotonic). So bounds may have at most 15 significant digits and magnitude
// below 1e15, and generated numbers near them are kept to 15 significant digits: the
// fraction has at most 15 - K digits, K the integer digits of the largest bound. A number
// with more integer digits than K is beyond every bound by at least 1 and compares the same
// either way.
#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "ondo/infer/grammar/json_schema_parts.h"

namespace ondo::infer::grammar::schema {
namespace {

constexpr int kMaxDigits = 15;

// A decimal value: integer digits (canonical, "0" for zero) and fraction digits (no
// trailing zeros); zero is never negative.
struct Decimal {
  bool negative = false;
  std::string int_part = "0";
  std::string frac;
};

Result<Decimal> parse_decimal(const std::string& text) {
  size_t i = 0;
  Decimal d;
  const bool neg = !text.empty() && text[0] == '-';
  if (neg) ++i;
  std::string digits;
  int64_t point = -1;
  for (; i < text.size() && (std::isdigit((unsigned char)text[i]) || text[i] == '.'); ++i) {
    if (text[i] == '.') {
      point = int64_t(digits.size());
    } else {
      digits += text[i];
    }
  }
  if (digits.empty()) return make_error(ErrorCode::InvalidArgument, "'" + text + "' is not a number");
  if (point < 0) point = int64_t(digits.size());
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    const long e = std::strtol(text.c_str() + i + 1, nullptr, 10);
    if (e > 40 || e < -40) return make_error(ErrorCode::Unsupported, "bound " + text + " is beyond 1e15 in magnitude or too precise");
    point += e;
  }
  // place the point: digits [0, point) are the integer part
  while (point < 0) {
    digits.insert(digits.begin(), '0');
    ++point;
  }
  while (int64_t(digits.size()) < point) digits += '0';
  d.int_part = digits.substr(0, size_t(point));
  d.frac = digits.substr(size_t(point));
  d.int_part.erase(0, std::min(d.int_part.find_first_not_of('0'), d.int_part.size()));
  if (d.int_part.empty()) d.int_part = "0";
  while (!d.frac.empty() && d.frac.back() == '0') d.frac.pop_back();
  d.negative = neg && (d.int_part != "0" || !d.frac.empty());
  return d;
}

int int_digits(const Decimal& d) { return d.int_part == "0" ? 0 : int(d.int_part.size()); }

int significant(const Decimal& d) {
  std::string all = (d.int_part == "0" ? "" : d.int_part) + d.frac;
  all.erase(0, std::min(all.find_first_not_of('0'), all.size()));
  return int(all.size());
}

// Compares magnitudes.
int compare_abs(const Decimal& a, const Decimal& b) {
  if (a.int_part.size() != b.int_part.size()) return a.int_part.size() < b.int_part.size() ? -1 : 1;
  if (a.int_part != b.int_part) return a.int_part < b.int_part ? -1 : 1;
  const size_t n = std::max(a.frac.size(), b.frac.size());
  const std::string fa = a.frac + std::string(n - a.frac.size(), '0'), fb = b.frac + std::string(n - b.frac.size(), '0');
  return fa == fb ? 0 : (fa < fb ? -1 : 1);
}

int compare(const Decimal& a, const Decimal& b) {
  if (a.negative != b.negative) return a.negative ? -1 : 1;
  const int c = compare_abs(a, b);
  return a.negative ? -c : c;
}

// A magnitude bound: fraction digits compared as zero-padded strings.
struct FracBound {
  const std::string* digits = nullptr;  // null: no bound on this side
  bool strict = false;
};

char digit_at(const std::string& s, int i) { return i < int(s.size()) ? s[size_t(i)] : '0'; }

bool rest_is_zero(const std::string& s, int i) { return i >= int(s.size()); }

// GBNF for digit strings of length 1..(max_len - i) whose zero-padded value, continuing a
// prefix equal to the bound's prefix on each tight side, satisfies the bounds; nullopt when
// none does. `tl` / `th`: still equal to the lower / upper bound's digits so far.
std::optional<std::string> frac_digits(FracBound lo, FracBound hi, bool tl, bool th, int i, int max_len);

// Whether ending the digits at position i (zeros from here) satisfies the tight sides.
bool can_end(FracBound lo, FracBound hi, bool tl, bool th, int i) {
  if (tl && !(rest_is_zero(*lo.digits, i) && !lo.strict)) return false;  // the bound's rest is > 0
  if (th && rest_is_zero(*hi.digits, i) && hi.strict) return false;
  return true;
}

// The same for length 0..(max_len - i): the empty rest means zeros from here.
std::optional<std::string> frac_rest(FracBound lo, FracBound hi, bool tl, bool th, int i, int max_len) {
  const bool end = can_end(lo, hi, tl, th, i);
  auto more = frac_digits(lo, hi, tl, th, i, max_len);
  if (!more) return end ? std::optional<std::string>("\"\"") : std::nullopt;
  return end ? "( " + *more + " )?" : *more;
}

std::optional<std::string> frac_digits(FracBound lo, FracBound hi, bool tl, bool th, int i, int max_len) {
  if (i >= max_len) return std::nullopt;
  const int left = max_len - i - 1;
  const std::string free_rest = left > 0 ? " [0-9]{0," + std::to_string(left) + "}" : "";
  if (!tl && !th) return "[0-9]" + free_rest;
  const char dl = tl ? digit_at(*lo.digits, i) : '0';
  const char dh = th ? digit_at(*hi.digits, i) : '9';
  if (dl > dh) return std::nullopt;
  std::vector<std::string> alts;
  auto tight = [&](char d, bool nl, bool nh) {
    if (auto rest = frac_rest(lo, hi, nl, nh, i + 1, max_len)) alts.push_back(std::string("\"") + d + "\" " + *rest);
  };
  if (dl == dh) {
    tight(dl, tl, th);
  } else {
    tight(dl, tl, false);
    if (dh - dl > 1) {
      const char a = char(dl + 1), b = char(dh - 1);
      alts.push_back((a == b ? std::string("\"") + a + "\"" : std::string("[") + a + "-" + b + "]") + free_rest);
    }
    tight(dh, false, th);
  }
  if (alts.empty()) return std::nullopt;
  std::string out = "(";
  for (size_t k = 0; k < alts.size(); ++k) out += (k ? " | " : " ") + alts[k];
  return out + " )";
}

// The optional fraction ("." digits) of a number whose integer part is fixed.
std::optional<std::string> fraction(FracBound lo, FracBound hi, int max_len) {
  const bool tl = lo.digits != nullptr, th = hi.digits != nullptr;
  const bool end = can_end(lo, hi, tl, th, 0);
  auto digits = frac_digits(lo, hi, tl, th, 0, max_len);
  if (!digits) return end ? std::optional<std::string>("\"\"") : std::nullopt;
  return end ? "( \".\" " + *digits + " )?" : "\".\" " + *digits;
}

struct Side {
  std::optional<Decimal> value;
  bool strict = false;
};

// Non-negative decimals m with lo <= m (< when strict) and m <= hi (< when strict); lo is
// non-negative. Alternatives appended to `alts`.
void magnitudes(const Decimal& lo, bool lo_strict, const Side& hi, int max_frac, std::vector<std::string>& alts) {
  const int64_t a = std::strtoll(lo.int_part.c_str(), nullptr, 10);
  const std::optional<int64_t> b =
      hi.value ? std::optional<int64_t>(std::strtoll(hi.value->int_part.c_str(), nullptr, 10)) : std::nullopt;
  const std::string any_frac = max_frac > 0 ? " ( \".\" [0-9]{1," + std::to_string(max_frac) + "} )?" : "";
  if (!b || a + 1 <= *b - 1) {
    alts.push_back(integer_range(a + 1, b ? std::optional<int64_t>(*b - 1) : std::nullopt) + any_frac);
  }
  const FracBound flo{&lo.frac, lo_strict};
  if (b && a == *b) {
    if (auto f = fraction(flo, {&hi.value->frac, hi.strict}, max_frac)) alts.push_back("\"" + lo.int_part + "\" " + *f);
    return;
  }
  if (auto f = fraction(flo, {}, max_frac)) alts.push_back("\"" + lo.int_part + "\" " + *f);
  if (b) {
    if (auto f = fraction({}, {&hi.value->frac, hi.strict}, max_frac)) {
      alts.push_back("\"" + hi.value->int_part + "\" " + *f);
    }
  }
}

// The tighter of two bounds on one side (`lower`: the larger value wins).
Side tighter(const Side& x, const Side& y, bool lower) {
  if (!x.value) return y;
  if (!y.value) return x;
  const int c = compare(*x.value, *y.value);
  if (c == 0) return {x.value, x.strict || y.strict};
  return (c > 0) == lower ? x : y;
}

Decimal negated(Decimal d) {
  d.negative = !d.negative && (d.int_part != "0" || !d.frac.empty());
  return d;
}

}  // namespace

Result<std::string> number_range(const std::vector<NumberBound>& lower, const std::vector<NumberBound>& upper) {
  Side lo, hi;
  int k = 0;  // integer digits of the largest bound
  for (int side = 0; side < 2; ++side) {
    for (const NumberBound& nb : side == 0 ? lower : upper) {
      ONDO_ASSIGN_OR_RETURN(Decimal d, parse_decimal(nb.text));
      if (int_digits(d) > kMaxDigits || significant(d) > kMaxDigits) {
        return make_error(ErrorCode::Unsupported, "bound " + nb.text + " has more than 15 significant digits or is beyond 1e15 in magnitude");
      }
      k = std::max(k, int_digits(d));
      Side& s = side == 0 ? lo : hi;
      s = tighter(s, Side{d, nb.exclusive}, side == 0);
    }
  }
  if (lo.value && hi.value) {
    const int c = compare(*lo.value, *hi.value);
    if (c > 0 || (c == 0 && (lo.strict || hi.strict))) {
      return make_error(ErrorCode::InvalidArgument, "no number lies within the bounds");
    }
  }
  const int max_frac = kMaxDigits - k;
  std::vector<std::string> alts;
  const Decimal zero;
  // negative numbers: "-" m with m = -x in (max(0, -hi), -lo]
  if (!lo.value || lo.value->negative) {
    std::vector<std::string> neg;
    Decimal m_lo = zero;
    bool m_lo_strict = true;  // no "-0"
    if (hi.value && hi.value->negative) {
      m_lo = negated(*hi.value);
      m_lo_strict = hi.strict;
    }
    Side m_hi;
    if (lo.value) m_hi = {negated(*lo.value), lo.strict};
    magnitudes(m_lo, m_lo_strict, m_hi, max_frac, neg);
    if (!neg.empty()) {
      std::string inner;
      for (size_t i = 0; i < neg.size(); ++i) inner += (i ? " | " : "") + neg[i];
      alts.push_back("\"-\" ( " + inner + " )");
    }
  }
  // non-negative numbers
  if (!hi.value || !hi.value->negative) {
    Decimal m_lo = zero;
    bool m_lo_strict = false;
    if (lo.value && !lo.value->negative) {
      m_lo = *lo.value;
      m_lo_strict = lo.strict;
    }
    magnitudes(m_lo, m_lo_strict, hi, max_frac, alts);
  }
  if (alts.empty()) return make_error(ErrorCode::InvalidArgument, "no number lies within the bounds");
  std::string out = "(";
  for (size_t i = 0; i < alts.size(); ++i) out += (i ? " | " : " ") + alts[i];
  return out + " )";
}

}  // namespace ondo::infer::grammar::schema
