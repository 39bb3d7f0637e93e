// The JSON Schema compiler's state: GBNF rules generated so far, $ref memo, limits.
// Layer: infer (grammar/). Internal to grammar/: the public surface is json_schema.h.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ondo/core/result.h"
#include "ondo/infer/grammar/json_schema.h"

namespace ondo::infer::grammar::schema {

class Compiler {
 public:
  Compiler(const nlohmann::ordered_json& root, const SchemaOptions& opt) : root_(root), opt_(opt) {}

  // The whole GBNF text (root rule "root").
  Result<std::string> run();
  // A GBNF expression for values valid under `s`; `path` is its JSON pointer.
  Result<std::string> value(const nlohmann::ordered_json& s, const std::string& path, uint32_t depth);
  // The schema a local reference ("#", "#/a/b") points to, or null.
  const nlohmann::ordered_json* resolve(const std::string& ref) const;

 private:
  std::string prelude() const;
  Error unsupported(const std::string& keyword, const std::string& path, const std::string& why = "") const;
  Error invalid(const std::string& path, const std::string& what) const;
  std::string new_rule(const std::string& base, std::string body);
  void define(const std::string& name, std::string body);
  Status check_size() const;
  Status check_keywords(const nlohmann::ordered_json& s, const std::string& path) const;
  std::vector<std::string> assertions(const nlohmann::ordered_json& s) const;
  Status check_disjoint(const nlohmann::ordered_json& branches, const std::string& path) const;

  Result<std::string> ref_rule(const std::string& ref, const std::string& path, uint32_t depth);
  Result<std::string> any_of(const nlohmann::ordered_json& branches, const std::string& kw, const std::string& path,
                             uint32_t depth);
  Result<std::string> all_of(const nlohmann::ordered_json& s, const std::string& path, uint32_t depth);
  Result<std::string> constants(const nlohmann::ordered_json& s, const std::string& path);
  Result<std::string> typed(const nlohmann::ordered_json& s, const std::string& path, uint32_t depth);
  Result<std::string> string_value(const nlohmann::ordered_json& s, const std::string& path);
  Result<std::string> number_value(const nlohmann::ordered_json& s, const std::string& path);
  Result<std::string> integer_value(const nlohmann::ordered_json& s, const std::string& path);
  Result<std::string> object_value(const nlohmann::ordered_json& s, const std::string& path, uint32_t depth);
  Result<std::string> extra_key(const nlohmann::ordered_json& props);
  Result<std::string> array_value(const nlohmann::ordered_json& s, const std::string& path, uint32_t depth);
  Result<uint32_t> count(const nlohmann::ordered_json& s, const char* kw, const std::string& path, uint32_t fallback) const;

  const nlohmann::ordered_json& root_;
  const SchemaOptions& opt_;
  std::vector<std::string> rules_;
  std::map<std::string, std::string> refs_;
  size_t size_ = 0;
  uint32_t n_rules_ = 0;
};

}  // namespace ondo::infer::grammar::schema
