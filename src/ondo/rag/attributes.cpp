// Vector-store file attributes: parsing with OpenAI's limits and JSON output. Layer: rag.
#include "ondo/rag/attributes.h"

#include <cmath>
#include <string>

namespace ondo::rag {

Result<Attributes> parse_attributes(const nlohmann::json& j, std::string_view path) {
  Attributes out;
  if (j.is_null()) return out;
  if (!j.is_object()) {
    return field_error(ErrorCode::InvalidArgument, path,
                       std::string("must be an object (seen ") + j.type_name() + ")");
  }
  if (j.size() > kMaxAttributes) {
    return field_error(ErrorCode::InvalidArgument, path,
                       "too many keys (seen " + std::to_string(j.size()) + ", at most " +
                           std::to_string(kMaxAttributes) + ")");
  }
  for (const auto& [key, value] : j.items()) {
    const std::string field = join_field_path(path, key);
    if (key.empty() || key.size() > kMaxAttributeKeyLength) {
      return field_error(ErrorCode::InvalidArgument, field,
                         "key length must be 1.." + std::to_string(kMaxAttributeKeyLength) +
                             " (seen " + std::to_string(key.size()) + ")");
    }
    if (value.is_string()) {
      const auto& s = value.get_ref<const std::string&>();
      if (s.size() > kMaxAttributeStringLength) {
        return field_error(ErrorCode::InvalidArgument, field,
                           "string longer than " + std::to_string(kMaxAttributeStringLength) +
                               " characters (seen " + std::to_string(s.size()) + ")");
      }
      out.emplace(key, s);
    } else if (value.is_boolean()) {
      out.emplace(key, value.get<bool>());
    } else if (value.is_number()) {
      const double d = value.get<double>();
      if (!std::isfinite(d)) {
        return field_error(ErrorCode::InvalidArgument, field, "number must be finite");
      }
      out.emplace(key, d);
    } else {
      return field_error(ErrorCode::InvalidArgument, field,
                         std::string("must be a string, number or boolean (seen ") +
                             value.type_name() + ")");
    }
  }
  return out;
}

nlohmann::json attr_value_to_json(const AttrValue& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* b = std::get_if<bool>(&v)) return *b;
  const double d = std::get<double>(v);
  // Integral values within int64's exact range print as integers ("year": 2024, not 2024.0).
  if (std::trunc(d) == d && std::fabs(d) < 9.0e15) return static_cast<int64_t>(d);
  return d;
}

nlohmann::json attributes_to_json(const Attributes& attrs) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [k, v] : attrs) out[k] = attr_value_to_json(v);
  return out;
}

const char* attr_type_name(const AttrValue& v) {
  if (std::holds_alternative<std::string>(v)) return "string";
  if (std::holds_alternative<bool>(v)) return "boolean";
  return "number";
}

}  // namespace ondo::rag
