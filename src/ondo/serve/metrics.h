// Server metrics in the Prometheus text exposition format (version 0.0.4): request counts
// by route and status, token counters and latency histograms by model, and the scheduler's
// gauges (running, waiting, KV usage, prefix cache) sampled at scrape time. Layer: serve.
// Thread contract: every member may be called from any thread (one mutex guards the state).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "ondo/infer/scheduler/scheduler.h"

namespace ondo::serve {

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void observe(double x);
  // Appends the _bucket/_sum/_count lines of `name` with `labels` ("model=\"m\"").
  void render(std::string& out, std::string_view name, std::string_view labels) const;

 private:
  std::vector<double> bounds_;
  std::vector<uint64_t> counts_;  // per bucket, not cumulative; last is +Inf
  double sum_ = 0.0;
  uint64_t count_ = 0;
};

// One finished generation request, as the routes report it.
struct RequestSample {
  std::string model;
  int32_t prompt_tokens = 0;
  int32_t completion_tokens = 0;
  double queue_seconds = -1.0;        // < 0: unknown (not observed)
  double first_token_seconds = -1.0;
  double duration_seconds = 0.0;
};

struct ModelGauges {
  std::string model;
  infer::SchedulerStats stats;
};

class Metrics {
 public:
  Metrics();
  void count_request(std::string_view route, int status);
  void observe_generation(const RequestSample& s);
  void observe_inter_token(const std::string& model, double seconds);
  std::string render(const std::vector<ModelGauges>& gauges) const;

 private:
  struct PerModel {
    PerModel();
    uint64_t prompt_tokens = 0;
    uint64_t completion_tokens = 0;
    Histogram ttft, inter_token, duration, queue;
  };
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;  // guarded by mu_
  std::map<std::string, PerModel> models_;                     // guarded by mu_
};

// "value" with \\, \" and \n escaped for a Prometheus label.
std::string escape_label(std::string_view value);

}  // namespace ondo::serve
