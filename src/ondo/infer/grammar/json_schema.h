// JSON Schema (2020-12) to grammar, failing closed: every keyword that cannot be enforced
// exactly is an error, so a generated value always validates. Layer: infer (grammar/).
//
// Supported: type (and type arrays), properties, required, additionalProperties (false /
// true / schema; when absent and `properties` is given, no extra properties are generated),
// enum, const, anyOf, oneOf (branches with disjoint types or distinct constants only),
// allOf (mergeable branches only), items, prefixItems, minItems, maxItems, minLength,
// maxLength (code points), pattern (see json_schema_parts.h), minimum / maximum /
// exclusiveMinimum / exclusiveMaximum on integers and numbers (exact digit grammars; bounded
// numbers are plain decimals without exponent, bounds of at most 15 significant digits), format (below), local $ref
// ("#", "#/...") with $defs/definitions, recursion included. Ignored annotations: title,
// description, $comment, examples, default, deprecated, readOnly, writeOnly, $schema, $id.
// Formats, strict subsets of their RFCs: date (YYYY-MM-DD; February only up to 28),
// time (hh:mm:ss[.f{1,9}](Z|+hh:mm|-hh:mm), no leap second), date-time (date "T" time),
// uuid (8-4-4-4-12 hex), email (dot-atoms of [A-Za-z0-9_%+-]{1,20}, at most 3; "@";
// 1-4 labels of letters, digits and inner hyphens, each "."-terminated; a 2-20 letter TLD).
// Output: properties in declared order, laid out as SchemaOptions::layout says (below).
// Strings use no \u escape of a surrogate.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ondo/core/limits.h"
#include "ondo/core/result.h"
#include "ondo/infer/grammar/grammar.h"

namespace ondo::infer::grammar {

// Whitespace the grammar allows between JSON tokens (never inside strings: that is content).
enum class JsonLayout {
  Compact,  // none: {"a":1,"b":[2,3]}
  // At most one space after ':' and ',' and nowhere else: {"a": 1, "b": [2, 3]}, the layout
  // of Python's json.dumps and of chat templates' tojson, so models trained on it are not
  // forced off their own tokens. The text still starts with '{' '"' (tool-call markers hold).
  Spaced,
  Free,  // between any two tokens, one space or a newline plus up to max_indent spaces/tabs
};

struct SchemaOptions {
  JsonLayout layout = JsonLayout::Spaced;  // docs/api.md "Structured output"
  uint32_t max_indent = 20;                // Free: spaces/tabs after a newline between tokens
  uint32_t max_repeat = 10000;       // largest count for lengths, item counts, regex repeats
  // Nesting of schemas; each $ref followed counts as a level. The compiler recurses a few
  // frames per level: at 64 it fits 1 MB of stack with ASan+UBSan (HTTP threads have 8 MB).
  uint32_t max_depth = 64;
  size_t max_grammar_bytes = 1u << 20;  // size of the generated GBNF
  // Nesting of the schema document itself (objects and arrays; `{}` is 1), checked without
  // recursion before any walk (nlohmann's compare, copy and dump recurse per level).
  uint32_t max_json_depth = core::kMaxRequestJsonDepth;
};

// Errors: Unsupported for keywords or values that cannot be enforced exactly, e.g.
// "schema: keyword 'patternProperties' at /properties/tags is not supported";
// InvalidArgument for malformed or unsatisfiable schemas; TooLarge past the options.
// Property order follows the object's key order: use ordered_json (or the text overload) to
// keep the declared order; nlohmann::json sorts keys, and then so does the output.
Result<std::string> json_schema_to_gbnf(const nlohmann::ordered_json& schema, const SchemaOptions& options = {});
Result<std::shared_ptr<const Grammar>> compile_json_schema(const nlohmann::ordered_json& schema,
                                                           const SchemaOptions& options = {});
Result<std::shared_ptr<const Grammar>> compile_json_schema(const nlohmann::json& schema,
                                                           const SchemaOptions& options = {});
// Parses `schema_text` (error InvalidArgument when it is not JSON) keeping key order.
Result<std::shared_ptr<const Grammar>> compile_json_schema_text(std::string_view schema_text,
                                                                const SchemaOptions& options = {});
// Any JSON object (OpenAI's response_format {"type": "json_object"}).
std::shared_ptr<const Grammar> json_object_grammar();

}  // namespace ondo::infer::grammar
