// Pieces of the JSON Schema compiler that produce GBNF for one string or number value:
// character classes, exact integer ranges, string formats and the regex subset of
// `pattern`. Layer: infer (grammar/). Internal to grammar/ (see json_schema.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/infer/grammar/grammar_ir.h"

namespace ondo::infer::grammar::schema {

// A GBNF class "[...]" matching exactly the code points in `ranges` (normalized, non-empty).
std::string class_expr(const std::vector<CpRange>& ranges);

// GBNF for the canonical decimal integers (no leading zeros, no "-0") in [lo, hi]; an
// absent bound is unbounded. Requires lo <= hi when both are given.
std::string integer_range(std::optional<int64_t> lo, std::optional<int64_t> hi);

// A bound of a number: its JSON text as the schema holds it ("2.5", "1e-05", "-3").
struct NumberBound {
  std::string text;
  bool exclusive = false;
};

// GBNF for the plain decimals (no exponent, no "-0", no leading zeros) above every `lower`
// bound and below every `upper` one, compared exactly (json_schema_number.cpp says why that
// matches a validator's doubles; fractions near the bounds keep to 15 significant digits).
// Errors: Unsupported for a bound with more than 15 significant digits or beyond 1e15 in
// magnitude; InvalidArgument when no number lies within the bounds.
Result<std::string> number_range(const std::vector<NumberBound>& lower, const std::vector<NumberBound>& upper);

// GBNF for the content (between the quotes) of a string of `format`; error (Unsupported)
// for formats not listed in json_schema.h.
Result<std::string> format_content(std::string_view format);

// GBNF for the content (between the quotes, JSON-escaped) of a string the ECMA-262 regex
// `pattern` matches (search semantics: unanchored ends may be anything). Errors
// (Unsupported) name the construct: lookaround, backreferences, \b, inner anchors, ...
// `any_char` is the rule name for one JSON string character.
Result<std::string> regex_content(std::string_view pattern, std::string_view any_char, uint32_t max_repeat);

}  // namespace ondo::infer::grammar::schema
