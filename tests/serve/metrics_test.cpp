// Prometheus text format of the server metrics.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "ondo/serve/metrics.h"

namespace ondo::serve {
namespace {

TEST(Metrics, TextFormatLinesAreValid) {
  Metrics m;
  m.count_request("/v1/chat/completions", 200);
  m.count_request("/v1/chat/completions", 200);
  m.count_request("/v1/completions", 429);
  m.observe_generation({"tiny", 10, 5, 0.01, 0.02, 0.3});
  m.observe_inter_token("tiny", 0.004);
  infer::SchedulerStats st;
  st.running = 2;
  st.waiting = 1;
  st.kv_usage_ratio = 0.5;
  st.prefix_cache_queries = 7;
  st.prefix_cache_hits = 3;
  const std::string text = m.render({{"tiny", st}});
  // Every line is a comment (# HELP / # TYPE) or `name{labels} value`.
  const std::regex sample(R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")*\})? [-+0-9.eE]+|\+Inf$)");
  std::istringstream in(text);
  std::string line;
  int samples = 0;
  while (std::getline(in, line)) {
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) continue;
    EXPECT_TRUE(std::regex_match(line, sample)) << line;
    ++samples;
  }
  EXPECT_GT(samples, 20);
  for (const char* want : {"ondo_requests_total{route=\"/v1/chat/completions\",status=\"200\"} 2\n",
                           "ondo_requests_total{route=\"/v1/completions\",status=\"429\"} 1\n",
                           "ondo_prompt_tokens_total{model=\"tiny\"} 10\n", "ondo_completion_tokens_total{model=\"tiny\"} 5\n",
                           "ondo_time_to_first_token_seconds_bucket{model=\"tiny\",le=\"0.025\"} 1\n",
                           "ondo_time_to_first_token_seconds_bucket{model=\"tiny\",le=\"0.01\"} 0\n",
                           "ondo_queue_time_seconds_count{model=\"tiny\"} 1\n",
                           "ondo_inter_token_latency_seconds_bucket{model=\"tiny\",le=\"+Inf\"} 1\n",
                           "ondo_request_duration_seconds_sum{model=\"tiny\"} 0.3\n", "ondo_requests_running{model=\"tiny\"} 2\n",
                           "ondo_requests_waiting{model=\"tiny\"} 1\n", "ondo_kv_cache_usage_ratio{model=\"tiny\"} 0.5\n",
                           "ondo_prefix_cache_queries_total{model=\"tiny\"} 7\n", "ondo_prefix_cache_hits_total{model=\"tiny\"} 3\n",
                           "# TYPE ondo_request_duration_seconds histogram\n"}) {
    EXPECT_NE(text.find(want), std::string::npos) << want;
  }
}

TEST(Metrics, LabelEscaping) {
  EXPECT_EQ(escape_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

TEST(Metrics, HistogramIsCumulative) {
  Histogram h({1, 2});
  h.observe(0.5);
  h.observe(1.5);
  h.observe(5);
  std::string out;
  h.render(out, "x", "m=\"a\"");
  EXPECT_EQ(out,
            "x_bucket{m=\"a\",le=\"1\"} 1\nx_bucket{m=\"a\",le=\"2\"} 2\nx_bucket{m=\"a\",le=\"+Inf\"} 3\n"
            "x_sum{m=\"a\"} 7\nx_count{m=\"a\"} 3\n");
}

}  // namespace
}  // namespace ondo::serve
