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

// GBNF for the content (between the quotes) of a string of `format`; error (Unsupported)
// for formats not listed in json_schema.h.
Result<std::string> format_content(std::string_view format);

// GBNF for the content (between the quotes, JSON-escaped) of a string the ECMA-262 regex
// `pattern` matches (search semantics: unanchored ends may be anything). Errors
// (Unsupported) name the construct: lookaround, backreferences, \b, inner anchors, ...
// `any_char` is the rule name for one JSON string character.
Result<std::string> regex_content(std::string_view pattern, std::string_view any_char, uint32_t max_repeat);

}  // namespace ondo::infer::grammar::schema
