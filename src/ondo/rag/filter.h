// Metadata filters in OpenAI's vector-store search shape: a comparison
// {"type": "eq|ne|gt|gte|lt|lte|in|nin", "key": K, "value": V} or a compound
// {"type": "and|or", "filters": [...]}, evaluated against a file's Attributes.
// Layer: rag; uses core only. Plain data; parse_filter and matches are pure and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ondo/core/result.h"
#include "ondo/rag/attributes.h"

namespace ondo::rag {

enum class FilterType { Eq, Ne, Gt, Gte, Lt, Lte, In, Nin, And, Or };

// Compound filters nest at most this deep (the top level is depth 1).
inline constexpr int kMaxFilterDepth = 8;
// A compound holds at most this many filters; an in/nin list at most this many values.
inline constexpr size_t kMaxFilterItems = 256;

struct Filter {
  FilterType type = FilterType::And;
  // Comparisons only.
  std::string key;
  // Comparisons only: exactly one value for eq..lte; the list for in/nin (may be empty).
  std::vector<AttrValue> values;
  // And/Or only: the operands (at least one).
  std::vector<Filter> filters;
};

// "eq", "and", ... (OpenAI's spelling).
const char* filter_type_name(FilterType t);

// Parses a filter from a request. `path` is the field's JSON path used in errors, e.g.
// "filters.filters[1].type: unknown comparison 'eqq' (expected eq, ne, gt, gte, lt, lte, in,
// nin, and, or)". Errors (InvalidArgument, field set to the path at fault): not an object,
// missing/unknown type, missing or non-string key, a value that is not string/number/bool
// (or, for in/nin, not an array of them), an empty or too long compound, nesting deeper
// than kMaxFilterDepth, gt/gte/lt/lte with a boolean value.
Result<Filter> parse_filter(const nlohmann::json& j, std::string_view path = "filters");

// The filter back as OpenAI-shaped JSON (parse_filter(filter_to_json(f)) == f).
nlohmann::json filter_to_json(const Filter& f);

// Whether `attrs` pass `f`. Semantics (OpenAI documents none for these cases; our choice,
// the same as Pinecone/Chroma-style metadata filters):
// - a comparison on a key the attributes lack never matches, ne and nin included (a file
//   without "author" is not returned by author != "x"; wrap in `or` to include it);
// - values of different types are never equal: eq/in do not match, ne/nin match (the key is
//   present); gt/gte/lt/lte match only number-to-number and string-to-string (byte order);
// - numbers compare as doubles; and = all operands, or = any operand.
bool matches(const Filter& f, const Attributes& attrs);

}  // namespace ondo::rag
