// OpenAI vector-store filters: parsing with JSON-path errors, evaluation. Layer: rag.
#include "ondo/rag/filter.h"

#include <array>
#include <cmath>
#include <string>
#include <utility>

namespace ondo::rag {
namespace {

struct TypeRow {
  FilterType type;
  const char* name;
};
// The one table of filter type names (parse and print derive from it).
constexpr std::array<TypeRow, 10> kTypes = {{{FilterType::Eq, "eq"},
                                             {FilterType::Ne, "ne"},
                                             {FilterType::Gt, "gt"},
                                             {FilterType::Gte, "gte"},
                                             {FilterType::Lt, "lt"},
                                             {FilterType::Lte, "lte"},
                                             {FilterType::In, "in"},
                                             {FilterType::Nin, "nin"},
                                             {FilterType::And, "and"},
                                             {FilterType::Or, "or"}}};
static_assert(kTypes.size() == static_cast<size_t>(FilterType::Or) + 1);

bool is_compound(FilterType t) { return t == FilterType::And || t == FilterType::Or; }
bool is_list(FilterType t) { return t == FilterType::In || t == FilterType::Nin; }
bool is_order(FilterType t) {
  return t == FilterType::Gt || t == FilterType::Gte || t == FilterType::Lt ||
         t == FilterType::Lte;
}

Error bad(std::string_view path, std::string_view what) {
  return field_error(ErrorCode::InvalidArgument, path, what);
}

Result<AttrValue> parse_scalar(const nlohmann::json& v, std::string_view path) {
  if (v.is_string()) return AttrValue(v.get<std::string>());
  if (v.is_boolean()) return AttrValue(v.get<bool>());
  if (v.is_number()) {
    const double d = v.get<double>();
    if (!std::isfinite(d)) return bad(path, "number must be finite");
    return AttrValue(d);
  }
  return bad(path, std::string("must be a string, number or boolean (seen ") + v.type_name() +
                       ")");
}

Result<Filter> parse_at(const nlohmann::json& j, std::string_view path, int depth);

Status parse_comparison(const nlohmann::json& j, std::string_view path, Filter& f) {
  const std::string key_path = join_field_path(path, "key");
  auto key = j.find("key");
  if (key == j.end()) return bad(key_path, "missing (a comparison needs a key)");
  if (!key->is_string()) {
    return bad(key_path, std::string("must be a string (seen ") + key->type_name() + ")");
  }
  f.key = key->get<std::string>();
  const std::string value_path = join_field_path(path, "value");
  auto value = j.find("value");
  if (value == j.end()) return bad(value_path, "missing (a comparison needs a value)");
  if (is_list(f.type)) {
    if (!value->is_array()) {
      return bad(value_path, std::string("must be an array for '") + filter_type_name(f.type) +
                                 "' (seen " + value->type_name() + ")");
    }
    if (value->size() > kMaxFilterItems) {
      return bad(value_path, "too many values (seen " + std::to_string(value->size()) +
                                 ", at most " + std::to_string(kMaxFilterItems) + ")");
    }
    for (size_t i = 0; i < value->size(); ++i) {
      ONDO_ASSIGN_OR_RETURN(AttrValue v,
                            parse_scalar((*value)[i], value_path + "[" + std::to_string(i) + "]"));
      f.values.push_back(std::move(v));
    }
    return ok_status();
  }
  ONDO_ASSIGN_OR_RETURN(AttrValue v, parse_scalar(*value, value_path));
  if (is_order(f.type) && std::holds_alternative<bool>(v)) {
    return bad(value_path, std::string("'") + filter_type_name(f.type) +
                               "' needs a number or a string (seen boolean)");
  }
  f.values.push_back(std::move(v));
  return ok_status();
}

Status parse_compound(const nlohmann::json& j, std::string_view path, int depth, Filter& f) {
  const std::string list_path = join_field_path(path, "filters");
  auto list = j.find("filters");
  if (list == j.end()) return bad(list_path, "missing (a compound filter needs filters)");
  if (!list->is_array()) {
    return bad(list_path, std::string("must be an array (seen ") + list->type_name() + ")");
  }
  if (list->empty()) return bad(list_path, "must hold at least one filter");
  if (list->size() > kMaxFilterItems) {
    return bad(list_path, "too many filters (seen " + std::to_string(list->size()) +
                              ", at most " + std::to_string(kMaxFilterItems) + ")");
  }
  if (depth >= kMaxFilterDepth) {
    return bad(list_path, "filters nest too deep (at most " + std::to_string(kMaxFilterDepth) +
                              " levels)");
  }
  for (size_t i = 0; i < list->size(); ++i) {
    ONDO_ASSIGN_OR_RETURN(Filter sub,
                          parse_at((*list)[i], list_path + "[" + std::to_string(i) + "]",
                                   depth + 1));
    f.filters.push_back(std::move(sub));
  }
  return ok_status();
}

Result<Filter> parse_at(const nlohmann::json& j, std::string_view path, int depth) {
  if (!j.is_object()) {
    return bad(path, std::string("must be an object (seen ") + j.type_name() + ")");
  }
  const std::string type_path = join_field_path(path, "type");
  auto type = j.find("type");
  if (type == j.end()) return bad(type_path, "missing (expected a comparison or and/or)");
  if (!type->is_string()) {
    return bad(type_path, std::string("must be a string (seen ") + type->type_name() + ")");
  }
  const auto& name = type->get_ref<const std::string&>();
  Filter f;
  bool known = false;
  for (const auto& row : kTypes) {
    if (name == row.name) {
      f.type = row.type;
      known = true;
    }
  }
  if (!known) {
    return bad(type_path, "unknown comparison '" + name +
                              "' (expected eq, ne, gt, gte, lt, lte, in, nin, and, or)");
  }
  if (is_compound(f.type)) {
    ONDO_TRY(parse_compound(j, path, depth, f));
  } else {
    ONDO_TRY(parse_comparison(j, path, f));
  }
  return f;
}

// -1, 0, 1 for same-typed orderable values; 2 when the types differ (incomparable).
int compare(const AttrValue& a, const AttrValue& b) {
  if (a.index() != b.index()) return 2;
  if (const auto* s = std::get_if<std::string>(&a)) {
    const int c = s->compare(std::get<std::string>(b));
    return (c > 0) - (c < 0);
  }
  if (const auto* d = std::get_if<double>(&a)) {
    const double e = std::get<double>(b);
    return (*d > e) - (*d < e);
  }
  return std::get<bool>(a) == std::get<bool>(b) ? 0 : 2;
}

bool in_list(const AttrValue& v, const std::vector<AttrValue>& list) {
  for (const auto& x : list) {
    if (compare(v, x) == 0) return true;
  }
  return false;
}

}  // namespace

const char* filter_type_name(FilterType t) {
  for (const auto& row : kTypes) {
    if (row.type == t) return row.name;
  }
  return "?";
}

Result<Filter> parse_filter(const nlohmann::json& j, std::string_view path) {
  return parse_at(j, path, 1);
}

nlohmann::json filter_to_json(const Filter& f) {
  nlohmann::json out = {{"type", filter_type_name(f.type)}};
  if (is_compound(f.type)) {
    out["filters"] = nlohmann::json::array();
    for (const auto& sub : f.filters) out["filters"].push_back(filter_to_json(sub));
    return out;
  }
  out["key"] = f.key;
  if (is_list(f.type)) {
    out["value"] = nlohmann::json::array();
    for (const auto& v : f.values) out["value"].push_back(attr_value_to_json(v));
  } else if (!f.values.empty()) {
    out["value"] = attr_value_to_json(f.values.front());
  }
  return out;
}

bool matches(const Filter& f, const Attributes& attrs) {
  if (f.type == FilterType::And) {
    for (const auto& sub : f.filters) {
      if (!matches(sub, attrs)) return false;
    }
    return true;
  }
  if (f.type == FilterType::Or) {
    for (const auto& sub : f.filters) {
      if (matches(sub, attrs)) return true;
    }
    return false;
  }
  auto it = attrs.find(f.key);
  if (it == attrs.end()) return false;  // a missing key never matches (see filter.h)
  const AttrValue& have = it->second;
  if (f.type == FilterType::In) return in_list(have, f.values);
  if (f.type == FilterType::Nin) return !in_list(have, f.values);
  if (f.values.empty()) return false;
  const int c = compare(have, f.values.front());
  switch (f.type) {
    case FilterType::Eq: return c == 0;
    case FilterType::Ne: return c != 0;
    case FilterType::Gt: return c == 1;
    case FilterType::Gte: return c == 1 || c == 0;
    case FilterType::Lt: return c == -1;
    case FilterType::Lte: return c == -1 || c == 0;
    default: return false;
  }
}

}  // namespace ondo::rag
