// membw: STREAM-style triad bandwidth (a[i] = b[i] + s * c[i]) at 1..N threads, best of R
// repetitions each, GB/s counted the STREAM way (24 bytes per element, 1e9 bytes per GB).
// Usage: membw [--mib 256] [--threads N] [--reps 5] [--json]. Measures; asserts nothing.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "ondo/core/membw.h"

namespace {

struct Options {
  size_t mib = 256;  // per array
  int max_threads = 0;
  int reps = 5;
  bool json = false;
};

bool parse(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--json") o->json = true;
    else if (a == "--mib" && has_value) o->mib = size_t(std::strtoull(argv[++i], nullptr, 10));
    else if (a == "--threads" && has_value) o->max_threads = std::atoi(argv[++i]);
    else if (a == "--reps" && has_value) o->reps = std::atoi(argv[++i]);
    else return false;
  }
  return o->mib > 0 && o->reps > 0 && o->max_threads >= 0 && o->max_threads <= 1024;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, &o)) {
    std::fprintf(stderr, "usage: membw [--mib MiB_PER_ARRAY (256)] [--threads MAX (hardware threads)] [--reps R (5)] [--json]\n");
    return 2;
  }
  if (o.max_threads == 0) o.max_threads = std::max(1, int(std::thread::hardware_concurrency()));
  auto arrays = ondo::core::TriadArrays::create(o.mib * 1048576 / sizeof(double));
  if (!arrays.ok()) {
    std::fprintf(stderr, "membw: %s\n", arrays.error().message.c_str());
    return 1;
  }
  {
    ondo::core::ThreadPool init_pool(o.max_threads);
    (*arrays)->init(init_pool);
  }
  std::vector<ondo::core::TriadResult> results;
  for (int t = 1; t <= o.max_threads; ++t) {
    ondo::core::ThreadPool pool(t);
    results.push_back((*arrays)->measure(pool, o.reps));
    if (!o.json) {
      std::printf("triad %3d threads: best %8.2f GB/s  mean %8.2f GB/s\n", t, results.back().best_gbs,
                  results.back().mean_gbs);
      std::fflush(stdout);
    }
  }
  if (!(*arrays)->check()) {
    std::fprintf(stderr, "membw: triad result check failed\n");
    return 1;
  }
  if (o.json) {
    std::printf("{\"kernel\": \"triad\", \"mib_per_array\": %zu, \"bytes_per_element\": 24, \"repetitions\": %d, \"results\": [",
                o.mib, o.reps);
    for (size_t i = 0; i < results.size(); ++i) {
      std::printf("%s{\"threads\": %d, \"best_gbs\": %.3f, \"mean_gbs\": %.3f}", i ? ", " : "", results[i].n_threads,
                  results[i].best_gbs, results[i].mean_gbs);
    }
    std::printf("]}\n");
  }
  return 0;
}
