// The PII detectors of the guardrails: e-mail addresses, phone numbers (Korean mobile and
// landline numbers, international "+CC" numbers), Korean resident registration numbers (with
// their check digit), payment card numbers (Luhn), IPv4 and IPv6 addresses, IBANs (mod 97).
// Each finds byte spans in UTF-8 text; candidates are found by pattern and kept only when
// their checks pass, so random digit strings are not flagged. Layer: serve (guardrails; pure
// functions, no HTTP, no store). Thread contract: every function is safe from any thread.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "ondo/serve/guardrails/regex.h"

namespace ondo::serve::guardrails {

enum class PiiKind { Email, Phone, KrRrn, Card, Ipv4, Ipv6, Iban };

// The one table of detectors: name in policies ("email", "phone", "kr_rrn", "card", "ipv4",
// "ipv6", "iban"), its default replacement ("[EMAIL]", ...) and the longest match it finds in
// bytes (the stream filter's look-behind).
struct PiiInfo {
  PiiKind kind;
  const char* name;
  const char* replacement;
  size_t max_match_bytes;
};
const std::vector<PiiInfo>& pii_detectors();
std::optional<PiiKind> pii_kind_named(std::string_view name);
const PiiInfo& pii_info(PiiKind kind);

// Spans of `kind` in `text`, left to right, not overlapping.
std::vector<Span> find_pii(PiiKind kind, std::string_view text);

// Whether `c` can be part of a match of `kind` (the stream filter holds back a trailing run of
// such characters, at most max_match_bytes of them).
bool pii_char(PiiKind kind, unsigned char c);

// The checks, for tests and for the detectors. Digits only ("0".."9"); anything else fails.
bool luhn_valid(std::string_view digits);
// 13 digits YYMMDD + 7: weights 2,3,4,5,6,7,8,9,2,3,4,5 on the first 12, check digit
// (11 - sum % 11) % 10 must equal the 13th.
bool kr_rrn_valid(std::string_view digits);
// Letters and digits without spaces (upper case): length 15..34, two letters, two check
// digits, and the ISO 13616 mod-97 remainder of the rearranged number is 1.
bool iban_valid(std::string_view compact);

}  // namespace ondo::serve::guardrails
