// Attributes of a vector-store file (OpenAI's `attributes`): at most 16 keys, each value a
// string, a number or a boolean. Filters (filter.h) are evaluated against them.
// Layer: rag; uses core only. Plain data, no state.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "ondo/core/result.h"

namespace ondo::rag {

using AttrValue = std::variant<std::string, double, bool>;
using Attributes = std::map<std::string, AttrValue>;

// OpenAI's documented limits for vector-store file attributes.
inline constexpr size_t kMaxAttributes = 16;
inline constexpr size_t kMaxAttributeKeyLength = 64;
inline constexpr size_t kMaxAttributeStringLength = 512;

// Reads `attributes` from a request. `path` names the field in errors ("attributes").
// null reads as no attributes. Errors (InvalidArgument, field set): not an object, more than
// 16 keys, an empty or over-long key, a value that is not a string/number/bool, an over-long
// string, a non-finite number.
Result<Attributes> parse_attributes(const nlohmann::json& j, std::string_view path = "attributes");

// The JSON object for `attrs` (numbers as JSON numbers, integral ones printed without ".0").
nlohmann::json attributes_to_json(const Attributes& attrs);

// One value as JSON, and its type name for messages ("string", "number", "boolean").
nlohmann::json attr_value_to_json(const AttrValue& v);
const char* attr_type_name(const AttrValue& v);

}  // namespace ondo::rag
