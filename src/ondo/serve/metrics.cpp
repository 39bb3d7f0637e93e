// Prometheus text rendering of the server metrics. Layer: serve.
#include "ondo/serve/metrics.h"

#include <cinttypes>
#include <cstdio>

namespace ondo::serve {
namespace {

std::string num(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", x);
  return buf;
}

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

std::string model_label(const std::string& m) { return "model=\"" + escape_label(m) + "\""; }

const std::vector<double>& latency_bounds() {
  static const std::vector<double> b = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};
  return b;
}

}  // namespace

std::string escape_label(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::observe(double x) {
  size_t i = 0;
  while (i < bounds_.size() && x > bounds_[i]) ++i;
  ++counts_[i];
  sum_ += x;
  ++count_;
}

void Histogram::render(std::string& out, std::string_view name, std::string_view labels) const {
  const std::string n(name), l(labels);
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += counts_[i];
    const std::string le = i < bounds_.size() ? num(bounds_[i]) : "+Inf";
    out += n + "_bucket{" + l + ",le=\"" + le + "\"} " + std::to_string(cumulative) + "\n";
  }
  out += n + "_sum{" + l + "} " + num(sum_) + "\n";
  out += n + "_count{" + l + "} " + std::to_string(count_) + "\n";
}

Metrics::PerModel::PerModel()
    : ttft(latency_bounds()), inter_token(latency_bounds()), duration(latency_bounds()), queue(latency_bounds()) {}

Metrics::Metrics() = default;

void Metrics::count_request(std::string_view route, int status) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{std::string(route), status}];
}

void Metrics::observe_generation(const RequestSample& s) {
  std::lock_guard<std::mutex> lock(mu_);
  PerModel& m = models_[s.model];
  m.prompt_tokens += uint64_t(std::max(0, s.prompt_tokens));
  m.completion_tokens += uint64_t(std::max(0, s.completion_tokens));
  if (s.first_token_seconds >= 0) m.ttft.observe(s.first_token_seconds);
  if (s.queue_seconds >= 0) m.queue.observe(s.queue_seconds);
  m.duration.observe(s.duration_seconds);
}

void Metrics::observe_inter_token(const std::string& model, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  models_[model].inter_token.observe(seconds);
}

std::string Metrics::render(const std::vector<ModelGauges>& gauges) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  header(out, "ondo_requests_total", "counter", "HTTP requests by route and status.");
  for (const auto& [key, n] : requests_) {
    out += "ondo_requests_total{route=\"" + escape_label(key.first) + "\",status=\"" + std::to_string(key.second) +
           "\"} " + std::to_string(n) + "\n";
  }
  header(out, "ondo_prompt_tokens_total", "counter", "Prompt tokens processed.");
  for (const auto& [model, m] : models_) out += "ondo_prompt_tokens_total{" + model_label(model) + "} " + std::to_string(m.prompt_tokens) + "\n";
  header(out, "ondo_completion_tokens_total", "counter", "Completion tokens generated.");
  for (const auto& [model, m] : models_) out += "ondo_completion_tokens_total{" + model_label(model) + "} " + std::to_string(m.completion_tokens) + "\n";
  const std::tuple<const char*, const char*, Histogram PerModel::*> hists[] = {
      {"ondo_time_to_first_token_seconds", "Seconds from request to first token.", &PerModel::ttft},
      {"ondo_inter_token_latency_seconds", "Seconds between consecutive tokens of a request.", &PerModel::inter_token},
      {"ondo_request_duration_seconds", "Seconds from request to last token.", &PerModel::duration},
      {"ondo_queue_time_seconds", "Seconds a request waited for a sequence slot.", &PerModel::queue},
  };
  for (const auto& [name, help, field] : hists) {
    header(out, name, "histogram", help);
    for (const auto& [model, m] : models_) (m.*field).render(out, name, model_label(model));
  }
  header(out, "ondo_requests_running", "gauge", "Requests holding a sequence slot.");
  for (const auto& g : gauges) out += "ondo_requests_running{" + model_label(g.model) + "} " + std::to_string(g.stats.running) + "\n";
  header(out, "ondo_requests_waiting", "gauge", "Requests queued for a sequence slot.");
  for (const auto& g : gauges) out += "ondo_requests_waiting{" + model_label(g.model) + "} " + std::to_string(g.stats.waiting) + "\n";
  header(out, "ondo_kv_cache_usage_ratio", "gauge", "KV cache positions in use / all positions.");
  for (const auto& g : gauges) out += "ondo_kv_cache_usage_ratio{" + model_label(g.model) + "} " + num(g.stats.kv_usage_ratio) + "\n";
  header(out, "ondo_prefix_cache_queries_total", "counter", "Prefix cache lookups.");
  for (const auto& g : gauges) out += "ondo_prefix_cache_queries_total{" + model_label(g.model) + "} " + std::to_string(g.stats.prefix_cache_queries) + "\n";
  header(out, "ondo_prefix_cache_hits_total", "counter", "Prefix cache lookups that reused KV blocks.");
  for (const auto& g : gauges) out += "ondo_prefix_cache_hits_total{" + model_label(g.model) + "} " + std::to_string(g.stats.prefix_cache_hits) + "\n";
  header(out, "ondo_prompt_tokens_evaluated_total", "counter", "Prompt tokens run through the model (not cached or shared).");
  for (const auto& g : gauges) out += "ondo_prompt_tokens_evaluated_total{" + model_label(g.model) + "} " + std::to_string(g.stats.prompt_tokens_evaluated) + "\n";
  return out;
}

}  // namespace ondo::serve
