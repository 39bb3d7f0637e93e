// Per-row metrics of an evaluation (issue 17.7): exact match, JSON validity, JSON-schema
// validity (the fail-closed schema compiler's grammar, the one `response_format` enforces),
// per-field accuracy, contains, regex (PCRE2), numeric tolerance and custom Jinja scorer
// expressions. Layer: eval. Pure functions of (row, output text); no model.
// Thread contract: everything here may run on many threads at once.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ondo/core/result.h"
#include "ondo/eval/dataset.h"

namespace ondo::eval {

// A compiled PCRE2 pattern (UTF-8, Unicode properties), matched with a backtracking limit so
// a pathological pattern fails the match instead of hanging.
class Regex {
 public:
  // Errors: InvalidArgument "regex 'P': ... at offset N".
  static Result<std::shared_ptr<const Regex>> compile(std::string_view pattern);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;
  // Whether the pattern matches somewhere in `text`. Error when the match limit is hit or
  // the text is not UTF-8.
  Result<bool> search(std::string_view text) const;
  const std::string& pattern() const { return pattern_; }

 private:
  Regex() = default;
  void* code_ = nullptr;  // pcre2_code_8*
  std::string pattern_;
};

// One metric's value for one row: 0..1 for the pass/fail metrics and accuracies, any number
// for a scorer expression. Names: exact, json, schema, fields, field.<key>, contains, regex,
// numeric, expr.<name>.
struct Metric {
  std::string name;
  double value = 0.0;
};

struct RowScore {
  std::vector<Metric> metrics;
  std::vector<std::string> notes;  // why a check failed where it is not obvious ("regex '^a': match limit")
};

// The output with leading and trailing ASCII whitespace removed (every metric sees this).
std::string_view trim_output(std::string_view output);

// The trimmed output parsed as JSON, or null when it is not JSON (nesting above 256 levels
// counts as not JSON).
nlohmann::ordered_json parse_output_json(std::string_view output);

// Whether `value` is valid under `grammar` (a compiled JSON schema): object keys are put in
// the schema's declared order (following properties, items, prefixItems and local $refs),
// then the compact JSON text must be a whole sentence of the grammar.
bool schema_accepts(const std::shared_ptr<const infer::grammar::Grammar>& grammar, const nlohmann::ordered_json& schema,
                    const nlohmann::ordered_json& value);

// Whether `pointer` is a JSON pointer (RFC 6901): empty, or "/"-separated with ~0 and ~1.
bool valid_pointer(std::string_view pointer);
// The value at `pointer` in `v` (empty: v itself), or null when it is absent.
const nlohmann::ordered_json* at_pointer(const nlohmann::ordered_json& v, const std::string& pointer);

// Every metric `row.checks` asks for, in a fixed order.
RowScore score_output(const Row& row, std::string_view output);

}  // namespace ondo::eval
