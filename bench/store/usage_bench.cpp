// bench_usage: the usage store at a year of traffic. Fills N usage rows (default 10 M) through
// Store::record_usage in batches (one transaction per batch: rows plus their rollups), then
// times the usage queries (median of --runs) and the per-row write latency (one row per
// transaction, as `ondo serve` writes it) p50/p95, on SQLite (a temporary data directory)
// and on PostgreSQL (a throwaway server from tests/support/postgres_server.h). Measures only.
//   bench_usage [--rows N] [--engine sqlite|postgres|both] [--runs R] [--writes W]
//               [--keys K] [--models M] [--prompts P] [--days D]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "ondo/store/store.h"
#include "support/postgres_server.h"

namespace {

using namespace ondo;
using Clock = std::chrono::steady_clock;

struct Options {
  int64_t rows = 10'000'000;
  std::string engine = "both";
  int runs = 7;
  int writes = 2000;
  int keys = 10, models = 3, prompts = 4, days = 365;
};

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, size_t(q * double(v.size())))];
}

// Row i of the synthetic year: times spread evenly over the days, fields drawn from `rng`.
store::UsageRow make_row(const Options& o, int64_t i, int64_t start_ms, std::mt19937_64& rng) {
  static const char* const kRoutes[] = {"/v1/chat/completions", "/v1/responses"};
  store::UsageRow r;
  const int64_t span_ms = int64_t(o.days) * 86400000;
  r.time_ms = start_ms + i * span_ms / o.rows;
  r.request_id = "req_" + std::to_string(i);
  r.key_id = "k" + std::to_string(rng() % uint64_t(o.keys));
  r.model = "model" + std::to_string(rng() % uint64_t(o.models));
  const uint64_t p = rng() % uint64_t(o.prompts + 1);
  r.prompt = p == 0 ? "" : "prompt" + std::to_string(p) + "@1";
  r.route = kRoutes[rng() % 2];
  r.status = rng() % 100 == 0 ? 500 : 200;
  r.prompt_tokens = int64_t(50 + rng() % 2000);
  r.cached_tokens = int64_t(rng() % uint64_t(r.prompt_tokens));
  r.completion_tokens = int64_t(1 + rng() % 500);
  r.ttft_us = int64_t(20000 + rng() % 500000);
  r.duration_us = r.ttft_us + r.completion_tokens * int64_t(5000 + rng() % 20000);
  r.cost_nano_usd = r.prompt_tokens * 150 + r.completion_tokens * 600;
  r.finish_reason = r.status == 500 ? "error" : "stop";
  return r;
}

void fill(store::Store& s, const Options& o, int64_t start_ms) {
  constexpr int64_t kBatch = 50'000;
  std::mt19937_64 rng(42);
  std::vector<store::UsageRow> batch;
  const auto t0 = Clock::now();
  for (int64_t i = 0; i < o.rows; i += kBatch) {
    batch.clear();
    for (int64_t j = i; j < std::min(o.rows, i + kBatch); ++j) batch.push_back(make_row(o, j, start_ms, rng));
    if (Status st = s.record_usage(batch); !st.ok()) {
      std::fprintf(stderr, "bench_usage: fill failed: %s\n", st.error().message.c_str());
      std::exit(1);
    }
    if ((i / kBatch) % 20 == 0) std::fprintf(stderr, "  %s: %lld rows, %.0f s\n", std::string(s.engine()).c_str(), (long long)(i + kBatch), seconds_since(t0));
  }
  const double secs = seconds_since(t0);
  std::printf("%-8s fill: %lld rows in %.1f s (%.0f rows/s, batches of %lld rows, rows + rollups in one transaction each)\n",
              std::string(s.engine()).c_str(), (long long)o.rows, secs, double(o.rows) / secs, (long long)kBatch);
}

// Runs `f` `runs` times; prints the median and the worst.
void time_query(const char* engine, const std::string& name, int runs, const std::function<size_t()>& f) {
  std::vector<double> ms;
  size_t n = 0;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = Clock::now();
    n = f();
    ms.push_back(seconds_since(t0) * 1e3);
  }
  std::printf("%-8s %-44s median %8.2f ms  max %8.2f ms  (%zu result rows)\n", engine, name.c_str(), median(ms),
              *std::max_element(ms.begin(), ms.end()), n);
}

void queries(store::Store& s, const Options& o, int64_t start_ms) {
  const std::string e(s.engine());
  const int64_t first = store::day_of_ms(start_ms);
  auto totals = [&](std::vector<store::UsageGroup> g, std::optional<std::string> key, int64_t days) {
    store::UsageQuery q;
    q.from_day = first;
    q.to_day = first + days - 1;
    q.group_by = std::move(g);
    q.key_id = std::move(key);
    return [&s, q] {
      auto r = s.usage_totals(q);
      if (!r.ok()) {
        std::fprintf(stderr, "bench_usage: query failed: %s\n", r.error().message.c_str());
        std::exit(1);
      }
      return r->size();
    };
  };
  using G = store::UsageGroup;
  time_query(e.c_str(), "year, total", o.runs, totals({}, std::nullopt, o.days));
  time_query(e.c_str(), "year, group_by=key", o.runs, totals({G::Key}, std::nullopt, o.days));
  time_query(e.c_str(), "year, group_by=model", o.runs, totals({G::Model}, std::nullopt, o.days));
  time_query(e.c_str(), "year, group_by=day", o.runs, totals({G::Day}, std::nullopt, o.days));
  time_query(e.c_str(), "year, group_by=prompt", o.runs, totals({G::Prompt}, std::nullopt, o.days));
  time_query(e.c_str(), "year, group_by=model,day", o.runs, totals({G::Model, G::Day}, std::nullopt, o.days));
  time_query(e.c_str(), "year, one key, group_by=day", o.runs, totals({G::Day}, std::string("k3"), o.days));
  time_query(e.c_str(), "30 days, group_by=key", o.runs, totals({G::Key}, std::nullopt, 30));
  auto rows = [&](std::optional<std::string> key, int64_t from_ms) {
    store::UsageRowsQuery q;
    q.from_ms = from_ms;
    q.key_id = std::move(key);
    q.limit = 101;
    return [&s, q] {
      auto r = s.usage_rows(q);
      if (!r.ok()) {
        std::fprintf(stderr, "bench_usage: rows failed: %s\n", r.error().message.c_str());
        std::exit(1);
      }
      return r->size();
    };
  };
  time_query(e.c_str(), "requests: first page of 100", o.runs, rows(std::nullopt, 0));
  time_query(e.c_str(), "requests: one key, last month, page of 100", o.runs,
             rows(std::string("k3"), start_ms + int64_t(o.days - 30) * 86400000));
}

void write_latency(store::Store& s, const Options& o, int64_t start_ms) {
  std::mt19937_64 rng(7);
  std::vector<double> us;
  for (int i = 0; i < o.writes; ++i) {
    const store::UsageRow r = make_row(o, o.rows - 1, start_ms, rng);
    const auto t0 = Clock::now();
    if (Status st = s.record_usage({&r, 1}); !st.ok()) {
      std::fprintf(stderr, "bench_usage: write failed: %s\n", st.error().message.c_str());
      std::exit(1);
    }
    us.push_back(seconds_since(t0) * 1e6);
  }
  std::printf("%-8s one-row write (row + rollup, one committed transaction): p50 %.0f us  p95 %.0f us  (%d writes)\n",
              std::string(s.engine()).c_str(), quantile(us, 0.5), quantile(us, 0.95), o.writes);
}

void bench(store::Store& s, const Options& o) {
  const int64_t start_ms = 1767225600000;  // 2026-01-01T00:00:00Z
  fill(s, o, start_ms);
  queries(s, o, start_ms);
  write_latency(s, o, start_ms);
}

int run(const Options& o) {
  std::printf("bench_usage: %lld rows over %d days; %d keys x %d models x %d prompts (+ none) x 2 routes; load average at start: ",
              (long long)o.rows, o.days, o.keys, o.models, o.prompts);
  std::fflush(stdout);
  std::system("cut -d' ' -f1-3 /proc/loadavg");
  if (o.engine == "sqlite" || o.engine == "both") {
    const auto dir = std::filesystem::temp_directory_path() / ("ondo-bench-usage-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    store::StoreOptions so;
    so.data_dir = dir;
    auto s = store::open_store(so);
    if (!s.ok()) {
      std::fprintf(stderr, "bench_usage: %s\n", s.error().message.c_str());
      return 1;
    }
    bench(**s, o);
    s->reset();
    std::error_code ec;
    std::printf("sqlite   database size: %.0f MiB\n", double(std::filesystem::file_size(dir / "ondo.db", ec)) / 1048576.0);
    std::filesystem::remove_all(dir);
  }
  if (o.engine == "postgres" || o.engine == "both") {
    auto pg = testing::PostgresServer::start();
    if (!pg.ok()) {
      std::printf("postgres skipped: %s\n", pg.error().message.c_str());
      return 0;
    }
    auto url = (*pg)->create_database("bench");
    if (!url.ok()) {
      std::fprintf(stderr, "bench_usage: %s\n", url.error().message.c_str());
      return 1;
    }
    store::StoreOptions so;
    so.db_url = *url;
    auto s = store::open_store(so);
    if (!s.ok()) {
      std::fprintf(stderr, "bench_usage: %s\n", s.error().message.c_str());
      return 1;
    }
    std::printf("postgres: the test server (tests/support/postgres_server) runs with fsync=off: its write latency has no disk flush\n");
    bench(**s, o);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
    auto num = [&](auto& out) {
      if (!v) {
        std::fprintf(stderr, "bench_usage: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      out = std::remove_reference_t<decltype(out)>(std::atoll(v));
      ++i;
    };
    if (a == "--rows") num(o.rows);
    else if (a == "--runs") num(o.runs);
    else if (a == "--writes") num(o.writes);
    else if (a == "--keys") num(o.keys);
    else if (a == "--models") num(o.models);
    else if (a == "--prompts") num(o.prompts);
    else if (a == "--days") num(o.days);
    else if (a == "--engine" && v) {
      o.engine = v;
      ++i;
    } else {
      std::fprintf(stderr, "bench_usage: unknown argument '%s' (see the header of bench/store/usage_bench.cpp)\n", a.c_str());
      return 2;
    }
  }
  if (o.rows < 1 || o.runs < 1 || o.writes < 1 || o.keys < 1 || o.models < 1 || o.prompts < 0 || o.days < 1) {
    std::fprintf(stderr, "bench_usage: counts must be positive\n");
    return 2;
  }
  return run(o);
}
