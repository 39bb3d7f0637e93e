// bench_serve_while_job: issue 17.1 in one process, without HTTP: one stream's time to first
// token and tokens/s through the real Scheduler, idle and while a training job (the `train`
// job's Trainer, or the `fine_tune` job's LoRA trainer over the served model) runs on the same
// ComputePool. Medians of K streams per phase, R rounds (idle, busy). Measures, never asserts.
// Usage: bench_serve_while_job MODEL.gguf DATA.txt train|lora [-t THREADS=2] [-r ROUNDS=3] [-k STREAMS=5] [-n TOKENS=64]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "ondo/core/compute_pool.h"
#include "ondo/infer/scheduler/scheduler.h"
#include "ondo/model/model.h"
#include "ondo/text/tokenizer.h"
#include "ondo/train/lora/lora_trainer.h"
#include "ondo/train/trainer.h"

namespace {

using Clock = std::chrono::steady_clock;

int arg(int argc, char** argv, const char* name, int fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return std::atoi(argv[i + 1]);
  }
  return fallback;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Figures {
  double ttft_ms, tokens_per_s;
};

// One greedy stream of n tokens: ms to the first token, tokens/s after it.
Figures stream_once(ondo::infer::Scheduler& s, const std::vector<int32_t>& prompt, int n) {
  ondo::infer::GenerationRequest r;
  r.prompt = prompt;
  r.max_tokens = n;
  r.ignore_eos = true;
  r.sampling.temperature = 0.0f;
  const auto t0 = Clock::now();
  auto h = s.submit(r);
  if (!h.ok()) std::fprintf(stderr, "submit: %s\n", h.error().message.c_str()), std::exit(1);
  Clock::time_point first{}, last{};
  int got = 0;
  while (auto e = (*h)->next()) {
    if (e->token >= 0) {
      last = Clock::now();
      if (got++ == 0) first = last;
    }
    if (e->finish != ondo::infer::FinishReason::None) break;
  }
  const double ttft = std::chrono::duration<double, std::milli>(first - t0).count();
  const double span = std::chrono::duration<double>(last - first).count();
  return {ttft, got > 1 && span > 0 ? double(got - 1) / span : 0.0};
}

Figures phase(ondo::infer::Scheduler& s, const std::vector<int32_t>& prompt, int k, int n) {
  stream_once(s, prompt, n);  // warm-up
  std::vector<double> t, r;
  for (int i = 0; i < k; ++i) {
    const Figures f = stream_once(s, prompt, n);
    t.push_back(f.ttft_ms), r.push_back(f.tokens_per_s);
  }
  return {median(t), median(r)};
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ondo;
  if (argc < 4) {
    std::fprintf(stderr, "usage: bench_serve_while_job MODEL.gguf DATA.txt train|lora [-t 2] [-r 3] [-k 5] [-n 64]\n");
    return 2;
  }
  const std::string model_path = argv[1], data_path = argv[2], mode = argv[3];
  if (mode != "train" && mode != "lora") return std::fprintf(stderr, "mode: expected train or lora\n"), 2;
  const int threads = arg(argc, argv, "-t", 2), rounds = arg(argc, argv, "-r", 3), k = arg(argc, argv, "-k", 5),
            n = arg(argc, argv, "-n", 64);
  core::ComputePool pool(threads);
  std::unique_ptr<model::Model> model;
  {
    const core::ComputePool::Lease lease = pool.acquire(core::Priority::Background);
    model::LoadOptions lo;
    lo.pool = &lease.pool();
    auto m = model::Model::load(model_path, lo);
    if (!m.ok()) return std::fprintf(stderr, "%s\n", m.error().message.c_str()), 1;
    model = std::move(*m);
  }
  auto tok = text::Tokenizer::from_gguf(model->file());
  if (!tok.ok()) return std::fprintf(stderr, "%s\n", tok.error().message.c_str()), 1;
  infer::SchedulerOptions so;
  so.n_ctx = 512;
  so.cache_mem_bytes = 0;  // every stream pays its prompt, as a new conversation does
  auto sched = infer::Scheduler::create(*model, **tok, so, pool);
  if (!sched.ok()) return std::fprintf(stderr, "%s\n", sched.error().message.c_str()), 1;
  auto prompt = (*tok)->encode("{\"ingredients\": [\"onion\", \"pork\"]}");
  if (!prompt.ok() || prompt->empty()) return std::fprintf(stderr, "prompt: cannot tokenize\n"), 1;

  std::printf("mode %s, %d threads, %d rounds of %d streams x %d tokens\n", mode.c_str(), threads, rounds, k, n);
  std::vector<double> idle_t, idle_r, busy_t, busy_r;
  for (int round = 0; round < rounds; ++round) {
    const Figures idle = phase(**sched, *prompt, k, n);
    std::atomic<bool> stop{false};
    std::atomic<int64_t> steps{0};
    std::thread job([&] {
      if (mode == "train") {  // bench/jobs/serve_while_training.py's train job, on random tokens
        train::TrainOptions o;
        o.model.n_vocab = 512, o.model.n_embd = 128, o.model.n_layer = 2, o.model.n_head = 4, o.model.n_head_kv = 4;
        o.model.n_ff = 384, o.model.n_ctx = 128, o.batch = 8;
        o.opt.total_steps = 1000000, o.opt.warmup = 10;
        train::Rng rng(1);
        std::vector<train::Example> data(64);
        for (train::Example& e : data) {
          for (int i = 0; i <= o.model.n_ctx; ++i) e.tokens.push_back(int32_t(rng.below(512)));
          e.mask.assign(e.tokens.size(), 1);
        }
        train::Trainer t(o, pool, data, {}, 0);
        (void)t.run([&](const train::StepReport&) { steps.fetch_add(1); }, &stop);
      } else {  // the fine_tune job's trainer: LoRA q, v (rank 8) + MLP (rank 4) over the served model
        train::lora::LoraTrainOptions o;
        o.base = model_path, o.data = data_path, o.format = train::lora::DataFormat::Text;
        (void)train::lora::parse_targets("q,v,gate,up,down", o.lora);
        o.lora.mlp.rank = 4, o.lora.mlp.alpha = 8;
        o.n_ctx = 128, o.batch = 4, o.max_steps = 1000000, o.warmup = 10, o.pool = &pool;
        train::lora::LoraTrainHooks hooks;
        hooks.on_step = [&](const train::lora::LoraTrainProgress&) { return steps.fetch_add(1), !stop.load(); };
        auto r = train::lora::train_lora(o, hooks);
        if (!r.ok() && r.error().code != ErrorCode::Cancelled) std::fprintf(stderr, "job: %s\n", r.error().message.c_str());
      }
    });
    while (steps.load() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const int64_t s0 = steps.load();
    const auto b0 = Clock::now();
    const Figures busy = phase(**sched, *prompt, k, n);
    const double secs = std::chrono::duration<double>(Clock::now() - b0).count();
    const int64_t during = steps.load() - s0;
    const auto j0 = Clock::now();
    std::this_thread::sleep_for(std::chrono::seconds(2));  // the job alone, for its step rate
    const double alone = double(steps.load() - s0 - during) / std::chrono::duration<double>(Clock::now() - j0).count();
    stop.store(true);
    job.join();
    std::printf("round %d: idle ttft %.1f ms, %.0f tok/s | during %s ttft %.1f ms, %.0f tok/s | job steps %lld in %.1f s "
                "while serving, %.2f steps/s alone\n",
                round + 1, idle.ttft_ms, idle.tokens_per_s, mode.c_str(), busy.ttft_ms, busy.tokens_per_s,
                (long long)during, secs, alone);
    std::fflush(stdout);
    idle_t.push_back(idle.ttft_ms), idle_r.push_back(idle.tokens_per_s);
    busy_t.push_back(busy.ttft_ms), busy_r.push_back(busy.tokens_per_s);
  }
  const double it = median(idle_t), ir = median(idle_r), bt = median(busy_t), br = median(busy_r);
  std::printf("median of %d: idle ttft %.1f ms, %.0f tok/s; during %s ttft %.1f ms, %.0f tok/s; ratios ttft %.2f, tok/s %.2f\n",
              rounds, it, ir, mode.c_str(), bt, br, bt / it, br / ir);
  return 0;
}
