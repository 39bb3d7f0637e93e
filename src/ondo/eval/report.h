// Evaluation reports: the summary as JSON (and back, for compare), per-row JSONL lines, the
// terminal table, and the row-by-row comparison of two runs. Layer: eval. Pure functions.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ondo/core/result.h"
#include "ondo/eval/run_eval.h"

namespace ondo::eval {

// {"dataset", "n_rows", "targets": [{label, model, adapter, prompt, params, warnings,
//  n_errors, metrics: {name: {mean, n}}, latency_ms: {mean, p50, p95}, tokens_per_s,
//  n_generated, rows: [row_json...]}]}.
nlohmann::ordered_json summary_json(const EvalSummary& s);
// {"id", "line", "output", "error"?, "metrics": {name: value}, "notes"?, "latency_ms",
//  "n_prompt", "n_generated", "tokens_per_s", "stop"}.
nlohmann::ordered_json row_json(const RowResult& r);
// Reads summary_json's shape back. Errors (InvalidFile) name `what` and the field.
Result<EvalSummary> summary_from_json(const nlohmann::ordered_json& j, const std::string& what);

// One line per target: rows, errors, each metric's mean (as %), latency p50/p95, tokens/s.
std::string summary_table(const EvalSummary& s);

// Two runs of one dataset compared row by row (rows matched by id).
struct RowChange {
  std::string id;
  std::vector<std::pair<std::string, std::pair<double, double>>> metrics;  // name -> (a, b), changed only
  bool output_changed = false;
};
struct MetricDelta {
  std::string name;
  double a = 0, b = 0;  // means over the rows both runs have
  size_t improved = 0, regressed = 0;
};
struct Comparison {
  std::string a_label, b_label;
  size_t n_common = 0;
  std::vector<std::string> only_a, only_b;  // row ids in one run only
  std::vector<MetricDelta> metrics;
  std::vector<RowChange> changed;  // rows whose metrics or output differ
};
Comparison compare_runs(const TargetResult& a, const TargetResult& b);
nlohmann::ordered_json comparison_json(const Comparison& c);
std::string comparison_text(const Comparison& c);

}  // namespace ondo::eval
