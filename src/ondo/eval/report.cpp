// Evaluation reports: JSON in and out, the terminal table, run comparison. Layer: eval.
#include "ondo/eval/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace ondo::eval {
namespace {

using ojson = nlohmann::ordered_json;

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

Error bad(const std::string& what, const std::string& field, const std::string& why) {
  return make_error(ErrorCode::InvalidFile, what + ": " + field + ": " + why);
}

Result<std::string> str(const ojson& j, const char* key, const std::string& what, const std::string& at) {
  if (!j.contains(key)) return std::string();
  if (!j[key].is_string()) return bad(what, at + key, "not a string");
  return j[key].get<std::string>();
}

Result<RowResult> row_from_json(const ojson& j, const std::string& what, const std::string& at) {
  if (!j.is_object()) return bad(what, at, "not an object");
  RowResult r;
  ONDO_ASSIGN_OR_RETURN(r.id, str(j, "id", what, at));
  if (r.id.empty()) return bad(what, at + "id", "missing");
  ONDO_ASSIGN_OR_RETURN(r.output, str(j, "output", what, at));
  ONDO_ASSIGN_OR_RETURN(r.error, str(j, "error", what, at));
  ONDO_ASSIGN_OR_RETURN(r.stop, str(j, "stop", what, at));
  if (!j.contains("metrics") || !j["metrics"].is_object()) return bad(what, at + "metrics", "missing or not an object");
  for (const auto& [k, v] : j["metrics"].items()) {
    if (!v.is_number()) return bad(what, at + "metrics." + k, "not a number");
    r.metrics.push_back({k, v.get<double>()});
  }
  if (j.contains("line") && j["line"].is_number_unsigned()) r.line = j["line"].get<size_t>();
  if (j.contains("latency_ms") && j["latency_ms"].is_number()) r.latency_ms = j["latency_ms"].get<double>();
  if (j.contains("n_prompt") && j["n_prompt"].is_number_integer()) r.n_prompt = j["n_prompt"].get<int32_t>();
  if (j.contains("n_generated") && j["n_generated"].is_number_integer()) r.n_generated = j["n_generated"].get<int32_t>();
  if (j.contains("tokens_per_s") && j["tokens_per_s"].is_number()) r.tokens_per_s = j["tokens_per_s"].get<double>();
  return r;
}

const double* find_metric(const RowResult& r, const std::string& name) {
  for (const Metric& m : r.metrics) {
    if (m.name == name) return &m.value;
  }
  return nullptr;
}

}  // namespace

ojson row_json(const RowResult& r) {
  ojson j = {{"id", r.id}, {"line", r.line}, {"output", r.output}};
  if (!r.error.empty()) j["error"] = r.error;
  ojson m = ojson::object();
  for (const Metric& x : r.metrics) m[x.name] = x.value;
  j["metrics"] = std::move(m);
  if (!r.notes.empty()) j["notes"] = r.notes;
  j["latency_ms"] = std::round(r.latency_ms * 1000) / 1000;
  j["n_prompt"] = r.n_prompt;
  j["n_generated"] = r.n_generated;
  j["tokens_per_s"] = std::round(r.tokens_per_s * 100) / 100;
  j["stop"] = r.stop;
  return j;
}

ojson summary_json(const EvalSummary& s) {
  ojson targets = ojson::array();
  for (const TargetResult& t : s.targets) {
    ojson m = ojson::object();
    for (const MetricSummary& x : t.metrics) m[x.name] = {{"mean", x.mean}, {"n", x.n}};
    ojson rows = ojson::array();
    for (const RowResult& r : t.rows) rows.push_back(row_json(r));
    targets.push_back({{"label", t.label}, {"model", t.model}, {"adapter", t.adapter}, {"prompt", t.prompt},
                       {"params", t.params}, {"warnings", t.warnings}, {"n_errors", t.n_errors},
                       {"metrics", std::move(m)},
                       {"latency_ms", {{"mean", t.latency_ms_mean}, {"p50", t.latency_ms_p50}, {"p95", t.latency_ms_p95}}},
                       {"tokens_per_s", t.tokens_per_s}, {"n_generated", t.n_generated}, {"rows", std::move(rows)}});
  }
  return {{"dataset", s.dataset}, {"n_rows", s.n_rows}, {"targets", std::move(targets)}};
}

Result<EvalSummary> summary_from_json(const ojson& j, const std::string& what) {
  if (!j.is_object()) return bad(what, "(top)", "not an eval summary object");
  EvalSummary s;
  ONDO_ASSIGN_OR_RETURN(s.dataset, str(j, "dataset", what, ""));
  if (!j.contains("targets") || !j["targets"].is_array() || j["targets"].empty()) {
    return bad(what, "targets", "missing or empty (is this an `ondo eval` summary.json?)");
  }
  for (size_t i = 0; i < j["targets"].size(); ++i) {
    const ojson& tj = j["targets"][i];
    const std::string at = "targets[" + std::to_string(i) + "].";
    if (!tj.is_object()) return bad(what, at, "not an object");
    TargetResult t;
    ONDO_ASSIGN_OR_RETURN(t.label, str(tj, "label", what, at));
    ONDO_ASSIGN_OR_RETURN(t.model, str(tj, "model", what, at));
    ONDO_ASSIGN_OR_RETURN(t.adapter, str(tj, "adapter", what, at));
    ONDO_ASSIGN_OR_RETURN(t.prompt, str(tj, "prompt", what, at));
    if (tj.contains("params")) t.params = tj["params"];
    if (!tj.contains("rows") || !tj["rows"].is_array()) return bad(what, at + "rows", "missing or not an array");
    for (size_t k = 0; k < tj["rows"].size(); ++k) {
      ONDO_ASSIGN_OR_RETURN(RowResult r, row_from_json(tj["rows"][k], what, at + "rows[" + std::to_string(k) + "]."));
      t.rows.push_back(std::move(r));
    }
    summarize(t);
    s.targets.push_back(std::move(t));
  }
  s.n_rows = s.targets[0].rows.size();
  return s;
}

std::string summary_table(const EvalSummary& s) {
  std::vector<std::string> names;
  for (const TargetResult& t : s.targets) {
    for (const MetricSummary& m : t.metrics) {
      if (std::find(names.begin(), names.end(), m.name) == names.end()) names.push_back(m.name);
    }
  }
  std::string out = "dataset " + s.dataset + ": " + std::to_string(s.n_rows) + " rows\n";
  size_t w = 6;
  for (const TargetResult& t : s.targets) w = std::max(w, t.label.size());
  w = std::min<size_t>(w, 48);
  auto pad = [](std::string x, size_t n) { return x.size() >= n ? x : x + std::string(n - x.size(), ' '); };
  std::string head = pad("target", w) + "  errors";
  for (const auto& n : names) head += "  " + pad(n, std::max<size_t>(n.size(), 7));
  head += "  p50 ms    p95 ms    tok/s\n";
  out += head;
  for (const TargetResult& t : s.targets) {
    std::string line = pad(t.label.substr(0, w), w) + "  " + pad(std::to_string(t.n_errors), 6);
    for (const auto& n : names) {
      auto it = std::find_if(t.metrics.begin(), t.metrics.end(), [&](const MetricSummary& m) { return m.name == n; });
      const bool pct = it != t.metrics.end() && it->name.rfind("expr.", 0) != 0;
      const std::string v = it == t.metrics.end() ? "-" : pct ? fmt("%.1f%%", 100 * it->mean) : fmt("%.3f", it->mean);
      line += "  " + pad(v, std::max<size_t>(n.size(), 7));
    }
    line += "  " + pad(fmt("%.1f", t.latency_ms_p50), 8) + "  " + pad(fmt("%.1f", t.latency_ms_p95), 8) + "  " +
            fmt("%.1f", t.tokens_per_s) + "\n";
    out += line;
  }
  return out;
}

Comparison compare_runs(const TargetResult& a, const TargetResult& b) {
  Comparison c;
  c.a_label = a.label;
  c.b_label = b.label;
  std::map<std::string, const RowResult*> bmap;
  for (const RowResult& r : b.rows) bmap[r.id] = &r;
  std::map<std::string, bool> seen_a;
  std::map<std::string, size_t> idx;  // metric name -> index in c.metrics
  std::vector<size_t> counts;
  for (const RowResult& ra : a.rows) {
    seen_a[ra.id] = true;
    auto it = bmap.find(ra.id);
    if (it == bmap.end()) {
      c.only_a.push_back(ra.id);
      continue;
    }
    const RowResult& rb = *it->second;
    ++c.n_common;
    RowChange ch{ra.id, {}, ra.output != rb.output};
    for (const Metric& m : ra.metrics) {
      const double* vb = find_metric(rb, m.name);
      if (!vb) continue;
      auto [pos, fresh] = idx.emplace(m.name, c.metrics.size());
      if (fresh) {
        c.metrics.push_back({m.name});
        counts.push_back(0);
      }
      MetricDelta& d = c.metrics[pos->second];
      d.a += m.value;
      d.b += *vb;
      ++counts[pos->second];
      if (*vb > m.value) ++d.improved;
      if (*vb < m.value) ++d.regressed;
      if (*vb != m.value) ch.metrics.push_back({m.name, {m.value, *vb}});
    }
    if (ch.output_changed || !ch.metrics.empty()) c.changed.push_back(std::move(ch));
  }
  for (size_t i = 0; i < c.metrics.size(); ++i) {
    c.metrics[i].a /= double(counts[i]);
    c.metrics[i].b /= double(counts[i]);
  }
  for (const RowResult& rb : b.rows) {
    if (!seen_a.count(rb.id)) c.only_b.push_back(rb.id);
  }
  return c;
}

ojson comparison_json(const Comparison& c) {
  ojson metrics = ojson::object();
  for (const MetricDelta& d : c.metrics) {
    metrics[d.name] = {{"a", d.a}, {"b", d.b}, {"delta", d.b - d.a}, {"improved", d.improved}, {"regressed", d.regressed}};
  }
  ojson changed = ojson::array();
  for (const RowChange& ch : c.changed) {
    ojson m = ojson::object();
    for (const auto& [name, ab] : ch.metrics) m[name] = {{"a", ab.first}, {"b", ab.second}};
    changed.push_back({{"id", ch.id}, {"output_changed", ch.output_changed}, {"metrics", std::move(m)}});
  }
  return {{"a", c.a_label}, {"b", c.b_label}, {"n_common", c.n_common}, {"only_a", c.only_a},
          {"only_b", c.only_b}, {"metrics", std::move(metrics)}, {"changed", std::move(changed)}};
}

std::string comparison_text(const Comparison& c) {
  std::string out = "A: " + c.a_label + "\nB: " + c.b_label + "\n" + std::to_string(c.n_common) + " rows in both";
  if (!c.only_a.empty()) out += ", " + std::to_string(c.only_a.size()) + " only in A";
  if (!c.only_b.empty()) out += ", " + std::to_string(c.only_b.size()) + " only in B";
  size_t w = 6;
  for (const MetricDelta& d : c.metrics) w = std::max(w, d.name.size());
  out += "; " + std::to_string(c.changed.size()) + " changed\n\nmetric" + std::string(w - 6, ' ') +
         "  A         B         delta     better  worse\n";
  for (const MetricDelta& d : c.metrics) {
    const std::string n = d.name + std::string(w - d.name.size(), ' ');
    out += n + "  " + fmt("%-8.4f", d.a) + "  " + fmt("%-8.4f", d.b) + "  " + fmt("%+-8.4f", d.b - d.a) + "  " +
           fmt("%-6.0f", double(d.improved)) + "  " + fmt("%.0f", double(d.regressed)) + "\n";
  }
  if (!c.changed.empty()) out += "\nchanged rows:\n";
  for (const RowChange& ch : c.changed) {
    out += "  " + ch.id + ":";
    for (const auto& [name, ab] : ch.metrics) out += " " + name + " " + fmt("%g", ab.first) + " -> " + fmt("%g", ab.second);
    if (ch.output_changed) out += ch.metrics.empty() ? " output changed (same metrics)" : " (output changed)";
    out += "\n";
  }
  return out;
}

}  // namespace ondo::eval
