// Request ids and the access log line. Layer: serve.
#include "ondo/serve/request_context.h"

#include <cstdio>
#include <random>

namespace ondo::serve {

std::string new_request_id() {
  thread_local std::mt19937_64 rng = [] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
    return std::mt19937_64(seq);
  }();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "req_";
  for (int word = 0; word < 2; ++word) {
    uint64_t bits = rng();
    for (int i = 0; i < 16; ++i, bits >>= 4) id += kHex[bits & 15];
  }
  return id;
}

std::string access_log_line(const RequestRecord& r) {
  auto ms = [](double s) { return s < 0 ? 0.0 : s * 1e3; };
  auto or_dash = [](const std::string& s) { return s.empty() ? "-" : s.c_str(); };
  char buf[768];
  std::snprintf(buf, sizeof buf,
                "ondo serve: %s %s %d id=%s caller=%s model=%s stream=%d finish=%s prompt_tokens=%d "
                "completion_tokens=%d cached_tokens=%d queue_ms=%.1f ttft_ms=%.1f total_ms=%.1f",
                or_dash(r.method.substr(0, 16)), r.route.c_str(), r.status, or_dash(r.context.id),
                or_dash(r.context.caller), or_dash(r.context.model.substr(0, 200)), r.streamed ? 1 : 0,
                or_dash(r.finish_reason), r.prompt_tokens, r.completion_tokens, r.cached_tokens, ms(r.queue_s),
                ms(r.first_token_s), ms(r.total_s));
  std::string line = buf;
  if (!r.prompt_ref.empty()) line += " prompt=" + r.prompt_ref.substr(0, 200);
  if (!r.context.adapter.empty()) line += " adapter=" + r.context.adapter.substr(0, 200);
  if (r.cache_hit) line += " cache=hit";
  return line;
}

}  // namespace ondo::serve
