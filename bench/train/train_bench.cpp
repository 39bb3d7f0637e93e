// bench_train: training throughput (tokens/s: forward + backward + AdamW) of a ~10M-parameter
// llama model on random tokens, median of R runs of a few steps each. Measures, never asserts.
// Usage: bench_train [-t THREADS=2] [-r RUNS=3] [--steps N=3] [--ctx 128] [--batch 4]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "ondo/train/trainer.h"

namespace {

int arg(int argc, char** argv, const char* name, int fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return std::atoi(argv[i + 1]);
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ondo::train;
  const int threads = arg(argc, argv, "-t", 2), runs = arg(argc, argv, "-r", 3), steps = arg(argc, argv, "--steps", 3);
  TrainOptions o;
  o.model.n_vocab = 4096, o.model.n_embd = 384, o.model.n_layer = 5, o.model.n_head = 6, o.model.n_head_kv = 6;
  o.model.n_ff = 1024, o.model.n_ctx = arg(argc, argv, "--ctx", 128);
  o.batch = arg(argc, argv, "--batch", 4);
  ondo::core::ComputePool pool(threads);
  o.opt.total_steps = steps, o.opt.warmup = 1;
  Rng rng(1);
  std::vector<Example> data(256);
  for (Example& e : data) {
    for (int i = 0; i <= o.model.n_ctx; ++i) e.tokens.push_back(int32_t(rng.below(4096)));
    e.mask.assign(e.tokens.size(), 1);
  }
  std::printf("model: %lld parameters, batch %lld x ctx %d, %d threads, %d steps per run\n",
              (long long)make_layout(o.model).n_params, (long long)o.batch, o.model.n_ctx, threads, steps);
  std::vector<double> tps;
  for (int r = 0; r < runs; ++r) {
    Trainer t(o, pool, data, {}, 0);
    const auto t0 = std::chrono::steady_clock::now();
    if (!t.run(nullptr, nullptr).ok()) return 1;
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    tps.push_back(double(steps) * double(o.batch * o.model.n_ctx) / s);
    std::printf("run %d: %.0f tokens/s\n", r + 1, tps.back());
  }
  std::sort(tps.begin(), tps.end());
  std::printf("median: %.0f tokens/s\n", tps[tps.size() / 2]);
  return 0;
}
