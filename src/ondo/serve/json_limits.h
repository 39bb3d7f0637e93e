// Request JSON under fixed limits: nesting depth, object keys and values per request, parsed
// in one linear pass over nlohmann's SAX interface (no recursion, no quadratic inserts), and
// the one checked conversion of a JSON number to an integer. Layer: serve. Pure functions of
// their input; never throw on any bytes (only bad_alloc).
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ondo/core/limits.h"
#include "ondo/core/result.h"

namespace ondo::serve {

// The limits every request body obeys (docs/api.md "Limits"). Depth counts open containers:
// `{}` is depth 1, `{"a":[1]}` depth 2.
struct JsonLimits {
  int max_depth = int(core::kMaxRequestJsonDepth);
  size_t max_keys = 100000;       // object members, summed over the whole request
  size_t max_values = 2000000;    // values of any type (containers included), whole request
};
inline constexpr JsonLimits kRequestJsonLimits{};

// Counts shared by every parse that belongs to one request: the body, and JSON text inside
// it that is parsed later (tool-call arguments given as a string).
struct JsonBudget {
  size_t keys = 0;
  size_t values = 0;
};

// Parses `text` as exactly one JSON value. Object key order is kept; a repeated key keeps its
// last value (as nlohmann's own parser does). `base_depth` is the nesting at which the text
// sits in the request (0 for a body). `field` is the request field the text came from (empty:
// the body itself); it becomes the error's field. Errors (InvalidArgument, message starting
// with the field, or "request body"):
// malformed JSON or invalid UTF-8; nesting deeper than the limit; more keys or values than
// the limit. Cost: linear in the text.
Result<nlohmann::ordered_json> parse_request_json(std::string_view text, std::string_view field, JsonBudget& budget,
                                                  int base_depth = 0, const JsonLimits& limits = kRequestJsonLimits);

// The integer value of `v` in [lo, hi]. Accepts integers and floats with an integral value;
// refuses non-numbers, fractions, non-finite values and anything outside [lo, hi] (a float is
// range-checked before it is converted, so 2^63 never reaches int64_t). Errors name `path`.
Result<int64_t> json_to_int(const nlohmann::ordered_json& v, int64_t lo, int64_t hi, std::string_view path);

}  // namespace ondo::serve
