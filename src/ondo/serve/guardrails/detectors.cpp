// PII detectors: a PCRE2 pattern finds candidates with their boundaries; a check (date and
// check digit, Luhn, mod 97, inet_pton) keeps the real ones. Layer: serve (guardrails).
#include "ondo/serve/guardrails/detectors.h"

#include <arpa/inet.h>

#include <array>
#include <cctype>
#include <string>

#include "ondo/core/check.h"

namespace ondo::serve::guardrails {
namespace {

// Patterns over UTF-8; [0-9] and [A-Za-z] (not \d, \w) so Hangul or other scripts next to a
// number never count as part of it, and never block its boundary.
constexpr const char* kEmail =
    R"((?<![A-Za-z0-9._%+\-])[A-Za-z0-9_%+\-](?:[A-Za-z0-9._%+\-]{0,62}[A-Za-z0-9_%+\-])?@)"
    R"((?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9\-]|\.[A-Za-z0-9]))";
// Korean mobile (010-XXXX-XXXX, 010XXXXXXXX, +82 10-XXXX-XXXX), Korean landlines (02-XXX(X)-XXXX,
// 0XX-XXX(X)-XXXX with a separator after the area code, +82 2-...), and international numbers
// written with "+" and a country code (8 to 15 digits in all, checked after).
constexpr const char* kPhone =
    R"((?<![0-9+])(?:(?:\+82[ \-.]?|0)1[016789][ \-.]?[0-9]{3,4}[ \-.]?[0-9]{4})"
    R"(|(?:\+82[ \-.]?|0)(?:2|[3-6][1-5]|70)(?:[ \-.]|\) ?)[0-9]{3,4}[ \-.][0-9]{4})"
    R"(|\+[1-9][0-9]{0,2}(?:[ \-.]?[0-9]{2,4}){2,5})(?![0-9]))";
constexpr const char* kRrn =
    R"((?<![0-9])[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[ \-]?[1-8][0-9]{6}(?![0-9]))";
constexpr const char* kCard = R"((?<![0-9])[0-9](?:[ \-]?[0-9]){12,18}(?![0-9]))";
constexpr const char* kIpv4 =
    R"((?<![0-9.])(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3})"
    R"((?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?![0-9]|\.[0-9]))";
constexpr const char* kIpv6 =
    R"((?<![0-9A-Za-z:.])(?=[0-9A-Fa-f]*:[0-9A-Fa-f]*:)[0-9A-Fa-f:]{2,39})"
    R"((?:(?<=:)[0-9]{1,3}(?:\.[0-9]{1,3}){3})?(?![0-9A-Za-z:]|\.[0-9]))";
constexpr const char* kIban = R"((?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,32})";

const std::vector<PiiInfo> kDetectors = {
    {PiiKind::Email, "email", "[EMAIL]", 254},
    {PiiKind::Phone, "phone", "[PHONE]", 24},
    {PiiKind::KrRrn, "kr_rrn", "[KR_RRN]", 14},
    {PiiKind::Card, "card", "[CARD]", 37},
    {PiiKind::Ipv4, "ipv4", "[IPV4]", 15},
    {PiiKind::Ipv6, "ipv6", "[IPV6]", 45},
    {PiiKind::Iban, "iban", "[IBAN]", 42},
};

const Regex& pattern(PiiKind kind) {
  static const std::array<Regex, 7> compiled = [] {
    auto c = [](const char* p) {
      auto r = Regex::compile(p, false, "pii pattern");
      ONDO_CHECK(r.ok());  // fixed patterns: a failure is a bug
      return *r;
    };
    return std::array<Regex, 7>{c(kEmail), c(kPhone), c(kRrn), c(kCard), c(kIpv4), c(kIpv6), c(kIban)};
  }();
  return compiled[size_t(kind)];
}

std::string digits_of(std::string_view s) {
  std::string d;
  for (char c : s) {
    if (c >= '0' && c <= '9') d += c;
  }
  return d;
}

bool all_same(std::string_view d) { return d.find_first_not_of(d.front()) == std::string_view::npos; }

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// Card groups between separators have at least 3 digits ("4111 1111 1111 1111", not a list of
// small numbers that happens to pass Luhn).
bool card_groups_ok(std::string_view s) {
  size_t run = 0;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      ++run;
    } else {
      if (run < 3) return false;
      run = 0;
    }
  }
  return run >= 3;
}

// The longest prefix of candidate `s` (ending before a non-alphanumeric character or the end
// of the candidate) that is a valid IBAN, as its length; 0 when none is.
size_t iban_prefix(std::string_view text, Span span) {
  for (size_t e = span.end; e >= span.begin + 15; --e) {
    if (text[e - 1] == ' ') continue;
    if (e < text.size() && is_alnum(text[e])) continue;
    std::string compact;
    for (size_t i = span.begin; i < e; ++i) {
      if (text[i] != ' ') compact += text[i];
    }
    if (iban_valid(compact)) return e - span.begin;
  }
  return 0;
}

bool accept(PiiKind kind, std::string_view m) {
  switch (kind) {
    case PiiKind::Email:
      return m.size() <= 254;
    case PiiKind::Phone: {
      const std::string d = digits_of(m);
      return d.size() >= 8 && d.size() <= 15;
    }
    case PiiKind::KrRrn:
      return kr_rrn_valid(digits_of(m));
    case PiiKind::Card: {
      const std::string d = digits_of(m);
      return card_groups_ok(m) && !all_same(d) && luhn_valid(d);
    }
    case PiiKind::Ipv4:
      return true;
    case PiiKind::Ipv6: {
      if (m.find_first_of("0123456789abcdefABCDEF") == std::string_view::npos) return false;
      in6_addr a{};
      return inet_pton(AF_INET6, std::string(m).c_str(), &a) == 1;
    }
    case PiiKind::Iban:
      return true;  // checked with its length in find_pii
  }
  return false;
}

}  // namespace

const std::vector<PiiInfo>& pii_detectors() { return kDetectors; }

std::optional<PiiKind> pii_kind_named(std::string_view name) {
  for (const PiiInfo& d : kDetectors) {
    if (name == d.name) return d.kind;
  }
  return std::nullopt;
}

const PiiInfo& pii_info(PiiKind kind) { return kDetectors[size_t(kind)]; }

std::vector<Span> find_pii(PiiKind kind, std::string_view text) {
  std::vector<Span> out;
  auto found = pattern(kind).find_all(text);
  if (!found.ok()) return out;  // invalid UTF-8: callers validate text first
  for (Span s : *found) {
    if (kind == PiiKind::Iban) {
      const size_t n = iban_prefix(text, s);
      if (n > 0) out.push_back({s.begin, s.begin + n});
      continue;
    }
    if (accept(kind, text.substr(s.begin, s.end - s.begin))) out.push_back(s);
  }
  return out;
}

bool pii_char(PiiKind kind, unsigned char c) {
  const bool digit = c >= '0' && c <= '9';
  switch (kind) {
    case PiiKind::Email:
      return std::isalnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-' || c == '@';
    case PiiKind::Phone:
      return digit || c == '+' || c == ' ' || c == '-' || c == '.' || c == ')';
    case PiiKind::KrRrn:
    case PiiKind::Card:
      return digit || c == ' ' || c == '-';
    case PiiKind::Ipv4:
      return digit || c == '.';
    case PiiKind::Ipv6:
      return std::isxdigit(c) || c == ':' || c == '.';
    case PiiKind::Iban:
      return digit || (c >= 'A' && c <= 'Z') || c == ' ';
  }
  return false;
}

bool luhn_valid(std::string_view digits) {
  if (digits.empty()) return false;
  int sum = 0;
  bool twice = false;
  for (size_t i = digits.size(); i-- > 0;) {
    const char c = digits[i];
    if (c < '0' || c > '9') return false;
    int v = c - '0';
    if (twice) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
    twice = !twice;
  }
  return sum % 10 == 0;
}

bool kr_rrn_valid(std::string_view d) {
  if (d.size() != 13) return false;
  for (char c : d) {
    if (c < '0' || c > '9') return false;
  }
  static constexpr int kWeights[12] = {2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5};
  int sum = 0;
  for (int i = 0; i < 12; ++i) sum += (d[size_t(i)] - '0') * kWeights[i];
  return (11 - sum % 11) % 10 == d[12] - '0';
}

bool iban_valid(std::string_view s) {
  if (s.size() < 15 || s.size() > 34) return false;
  if (!std::isupper(static_cast<unsigned char>(s[0])) || !std::isupper(static_cast<unsigned char>(s[1]))) return false;
  if (!std::isdigit(static_cast<unsigned char>(s[2])) || !std::isdigit(static_cast<unsigned char>(s[3]))) return false;
  // The first four characters move to the end; letters count as 10..35; the number mod 97.
  int rem = 0;
  for (size_t k = 0; k < s.size(); ++k) {
    const char c = s[(k + 4) % s.size()];
    if (c >= '0' && c <= '9') {
      rem = (rem * 10 + (c - '0')) % 97;
    } else if (c >= 'A' && c <= 'Z') {
      rem = (rem * 100 + (c - 'A' + 10)) % 97;
    } else {
      return false;
    }
  }
  return rem == 1;
}

}  // namespace ondo::serve::guardrails
