// bench_usage_10m_fill: fills a data directory's SQLite store with N usage rows (default 10 M)
// and their rollups for bench/console/usage_10m.mjs, through the store's own write path
// (Store::record_usage: rows, daily, monthly and day x model rollups in one transaction per
// batch of 50 000 rows). The rows end now and reach back --days days, so the Usage page's
// default range (the last 30 days) and today's raw rows are full. Writes
// <data-dir>/usage_10m.json when done (the .mjs reuses a filled directory). Measures only.
//   bench_usage_10m_fill --data-dir DIR [--rows N] [--days D] [--keys K] [--models M] [--prompts P]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "ondo/store/store.h"

namespace {

using namespace ondo;
using Clock = std::chrono::steady_clock;

struct Options {
  std::filesystem::path data_dir;
  int64_t rows = 10'000'000;
  int64_t days = 365, keys = 20, models = 4, prompts = 5;
};

// Row i of n, its time spread evenly over [start_ms, end_ms).
store::UsageRow make_row(const Options& o, int64_t i, int64_t start_ms, int64_t end_ms, std::mt19937_64& rng) {
  static const char* const kRoutes[] = {"/v1/chat/completions", "/v1/responses"};
  static const char* const kFinish[] = {"stop", "stop", "stop", "length"};
  store::UsageRow r;
  r.time_ms = start_ms + int64_t((long double)(end_ms - start_ms) * (long double)i / (long double)o.rows);
  r.request_id = "req_" + std::to_string(i);
  r.key_id = "k" + std::to_string(100000000000 + int64_t(rng() % uint64_t(o.keys)));
  r.model = "model-" + std::to_string(rng() % uint64_t(o.models));
  const uint64_t p = rng() % uint64_t(o.prompts + 1);
  r.prompt = p == 0 ? "" : "prompt-" + std::to_string(p) + "@" + std::to_string(1 + rng() % 3);
  r.route = kRoutes[rng() % 2];
  r.status = rng() % 50 == 0 ? 500 : 200;
  r.prompt_tokens = int64_t(20 + rng() % 3000);
  r.cached_tokens = int64_t(rng() % uint64_t(r.prompt_tokens));
  r.completion_tokens = int64_t(1 + rng() % 800);
  r.ttft_us = r.status == 500 ? -1 : int64_t(15000 + rng() % 600000);
  r.duration_us = std::max<int64_t>(r.ttft_us, 1000) + r.completion_tokens * int64_t(4000 + rng() % 30000);
  r.cost_nano_usd = r.prompt_tokens * 150 + r.completion_tokens * 600;
  r.finish_reason = r.status == 500 ? "error" : kFinish[rng() % 4];
  return r;
}

int run(const Options& o) {
  store::StoreOptions so;
  so.data_dir = o.data_dir;
  auto s = store::open_store(so);
  if (!s.ok()) {
    std::fprintf(stderr, "bench_usage_10m_fill: %s\n", s.error().message.c_str());
    return 1;
  }
  const int64_t end_ms = int64_t(std::time(nullptr)) * 1000;
  const int64_t start_ms = end_ms - o.days * 86400000;
  constexpr int64_t kBatch = 50'000;
  std::mt19937_64 rng(19);
  std::vector<store::UsageRow> batch;
  const auto t0 = Clock::now();
  for (int64_t i = 0; i < o.rows; i += kBatch) {
    batch.clear();
    for (int64_t j = i; j < std::min(o.rows, i + kBatch); ++j) batch.push_back(make_row(o, j, start_ms, end_ms, rng));
    if (Status st = (*s)->record_usage(batch); !st.ok()) {
      std::fprintf(stderr, "bench_usage_10m_fill: %s\n", st.error().message.c_str());
      return 1;
    }
    if ((i / kBatch) % 20 == 19) {
      std::fprintf(stderr, "  %lld rows, %.0f s\n", (long long)(i + kBatch),
                   std::chrono::duration<double>(Clock::now() - t0).count());
    }
  }
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  s->reset();
  std::ofstream marker(o.data_dir / "usage_10m.json");
  marker << "{\"rows\": " << o.rows << ", \"days\": " << o.days << ", \"end_ms\": " << end_ms
         << ", \"fill_s\": " << secs << "}\n";
  std::printf("filled %lld rows over %lld days into %s in %.1f s (%.0f rows/s)\n", (long long)o.rows,
              (long long)o.days, (o.data_dir / "ondo.db").c_str(), secs, double(o.rows) / secs);
  return marker ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "bench_usage_10m_fill: %s needs a value\n", a.c_str());
      return 2;
    }
    const std::string v = argv[++i];
    if (a == "--data-dir") o.data_dir = v;
    else if (a == "--rows") o.rows = std::atoll(v.c_str());
    else if (a == "--days") o.days = std::atoll(v.c_str());
    else if (a == "--keys") o.keys = std::atoll(v.c_str());
    else if (a == "--models") o.models = std::atoll(v.c_str());
    else if (a == "--prompts") o.prompts = std::atoll(v.c_str());
    else {
      std::fprintf(stderr, "bench_usage_10m_fill: unknown argument '%s' (see bench/console/usage_10m_fill.cpp)\n", a.c_str());
      return 2;
    }
  }
  if (o.data_dir.empty()) {
    std::fprintf(stderr, "bench_usage_10m_fill: --data-dir is required\n");
    return 2;
  }
  if (o.rows < 1 || o.days < 1 || o.keys < 1 || o.models < 1 || o.prompts < 0) {
    std::fprintf(stderr, "bench_usage_10m_fill: --rows, --days, --keys and --models must be positive\n");
    return 2;
  }
  return run(o);
}
