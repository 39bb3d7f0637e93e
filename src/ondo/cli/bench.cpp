// `ondo bench -m MODEL [-p 512] [-n 128] [-t N] [-r 3] [--parallel B] [--json] [--membw GBS]
// [--triad]`: prompt processing (pp: one batch of p tokens into an empty context) and
// generation (tg: n single-token decodes from an empty context) in tokens/s, as llama-bench
// means them, and the weight bandwidth generation reached, as a share of --membw or of the
// STREAM triad bandwidth measured in-process at -t threads (--triad, core/membw). With
// --parallel B, generation runs B sequences in lockstep, one forward of B tokens per step as
// ondo serve batches them, and tg is their aggregate tokens/s. With --simd LEVEL the kernels
// are capped at LEVEL (as ONDO_SIMD does); --simd all runs the bench once per level this CPU
// runs, each in a child process of its own (the kernel table is fixed per process). With
// --lora-random N, the lockstep sequences run with N random LoRA adapters (rank --lora-rank on
// attn_q and attn_v, model/gen/gen_lora), sequence s with adapter s mod N: the cost of
// serving different adapters in one batch. Layer: cli.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "ondo/cli/commands.h"
#include "ondo/cli/model_options.h"
#include "ondo/core/cpu_features.h"
#include "ondo/core/kernels/dispatch.h"
#include "ondo/core/membw.h"
#include "ondo/infer/session.h"
#include "ondo/model/gen/gen_lora.h"

namespace ondo::cli {
namespace {

struct Series {
  std::vector<double> tps;
  double mean() const {
    double s = 0;
    for (double v : tps) s += v;
    return tps.empty() ? 0.0 : s / double(tps.size());
  }
  double median() const {
    if (tps.empty()) return 0.0;
    std::vector<double> v = tps;
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
  }
  double sd() const {
    if (tps.size() < 2) return 0.0;
    const double m = mean();
    double s = 0;
    for (double v : tps) s += (v - m) * (v - m);
    return std::sqrt(s / double(tps.size() - 1));
  }
};

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Random token ids (as llama-bench uses), reproducible.
std::vector<int32_t> random_tokens(int64_t n, int32_t n_vocab, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<int32_t> t(static_cast<size_t>(n), 0);
  for (auto& x : t) x = int32_t(rng() % uint32_t(n_vocab));
  return t;
}

Result<double> run_pp(infer::Session& s, const std::vector<int32_t>& toks) {
  s.reset();
  const double t0 = now_seconds();
  ONDO_TRY(s.eval(toks));
  return double(toks.size()) / (now_seconds() - t0);
}

Result<double> run_tg(infer::Session& s, const std::vector<int32_t>& toks) {
  s.reset();
  const double t0 = now_seconds();
  for (int32_t t : toks) ONDO_TRY(s.eval(std::span<const int32_t>(&t, 1)));
  return double(toks.size()) / (now_seconds() - t0);
}

// B sequences decoding in lockstep: one forward of B tokens (one per sequence) per step.
struct Lockstep {
  const model::Model& model;
  core::ComputePool& compute;
  infer::KvCache kv;
  model::ForwardScratch scratch;
  std::vector<float> logits;
  int32_t n_seq;
  std::vector<std::shared_ptr<const model::LoraSet>> lora;  // per sequence (s mod size); empty: none

  Result<double> run(const std::vector<int32_t>& toks) {
    std::vector<model::BatchToken> batch(static_cast<size_t>(n_seq));
    const core::ComputePool::Lease lease = compute.acquire(core::Priority::Serving);
    const double t0 = now_seconds();
    for (size_t p = 0; p < toks.size(); ++p) {
      for (int32_t s = 0; s < n_seq; ++s) {
        const model::LoraSet* set = lora.empty() ? nullptr : lora[size_t(s) % lora.size()].get();
        batch[size_t(s)] = {toks[(p + size_t(s) * 7) % toks.size()], int32_t(p), s, true, set};
      }
      ONDO_TRY(model.forward(batch, kv.store(), scratch, lease.pool(), logits.data()));
    }
    return double(toks.size()) * n_seq / (now_seconds() - t0);
  }
};

struct BenchOptions {
  int64_t n_prompt = 512, n_gen = 128, reps = 3, parallel = 1, lora_random = 0, lora_rank = 8;
  double membw = 0.0;
  int threads = 1;
  bool json = false, triad = false;
};

Result<BenchOptions> bench_options(const Args& args) {
  BenchOptions o;
  ONDO_ASSIGN_OR_RETURN(o.n_prompt, args.get_int("-p"));
  ONDO_ASSIGN_OR_RETURN(o.n_gen, args.get_int("-n"));
  ONDO_ASSIGN_OR_RETURN(o.reps, args.get_int("-r"));
  ONDO_ASSIGN_OR_RETURN(o.parallel, args.get_int("--parallel"));
  ONDO_ASSIGN_OR_RETURN(o.membw, args.get_double("--membw"));
  ONDO_ASSIGN_OR_RETURN(o.lora_random, args.get_int("--lora-random"));
  ONDO_ASSIGN_OR_RETURN(o.lora_rank, args.get_int("--lora-rank"));
  ONDO_ASSIGN_OR_RETURN(o.threads, threads_option(args));
  o.json = args.has("--json");
  o.triad = args.has("--triad");
  if (o.n_prompt < 0 || o.n_gen < 0 || o.n_prompt + o.n_gen == 0 || o.n_prompt > 65536 || o.n_gen > 65536) {
    return make_error(ErrorCode::InvalidArgument, "-p and -n must be between 0 and 65536, not both 0");
  }
  if (o.reps < 1 || o.reps > 1000) return make_error(ErrorCode::InvalidArgument, "-r must be between 1 and 1000");
  if (o.parallel < 1 || o.parallel > 64) return make_error(ErrorCode::InvalidArgument, "--parallel must be between 1 and 64");
  if (o.lora_random < 0 || o.lora_random > 64) return make_error(ErrorCode::InvalidArgument, "--lora-random must be between 0 and 64");
  if (o.lora_rank < 1 || o.lora_rank > 1024) return make_error(ErrorCode::InvalidArgument, "--lora-rank must be between 1 and 1024");
  if (o.lora_random > 0 && o.parallel < 2) {
    return make_error(ErrorCode::InvalidArgument, "--lora-random needs --parallel 2 or more (the lockstep decode)");
  }
  return o;
}

// One warm-up of each test (pages in the weights, settles the pool), then the repetitions.
Status measure(infer::Session& session, Lockstep* lockstep, int32_t n_vocab, const BenchOptions& o, Series* pp,
               Series* tg) {
  const auto ptoks = random_tokens(o.n_prompt, n_vocab, 1);
  const auto gtoks = random_tokens(o.n_gen, n_vocab, 2);
  const std::vector<int32_t> warm(gtoks.begin(), gtoks.begin() + std::min<int64_t>(o.n_gen, 8));
  for (int64_t r = -1; r < o.reps; ++r) {
    if (o.n_prompt > 0) {
      ONDO_ASSIGN_OR_RETURN(double v, run_pp(session, ptoks));
      if (r >= 0) pp->tps.push_back(v);
    }
    if (o.n_gen > 0) {
      const auto& toks = r < 0 ? warm : gtoks;
      ONDO_ASSIGN_OR_RETURN(double v, lockstep ? lockstep->run(toks) : run_tg(session, toks));
      if (r >= 0) tg->tps.push_back(v);
    }
  }
  return ok_status();
}

void print_json(const model::Model& m, const BenchOptions& o, const Series& pp, const Series& tg, double triad) {
  const double bytes = double(m.memory().weight_bytes), tg_gbs = bytes * tg.mean() / double(o.parallel) / 1e9;
  std::printf("{\"model\": \"%s\", \"n_threads\": %d, \"n_prompt\": %lld, \"n_gen\": %lld, \"repetitions\": %lld, "
              "\"pp_tps\": %.3f, \"pp_sd\": %.3f, \"pp_median\": %.3f, \"tg_tps\": %.3f, \"tg_sd\": %.3f, "
              "\"tg_median\": %.3f, \"tg_gbs\": %.3f, \"weight_bytes\": %.0f, \"simd\": \"%s\", \"parallel\": %lld, "
              "\"lora_random\": %lld",
              m.file().name().c_str(), o.threads, (long long)o.n_prompt, (long long)o.n_gen, (long long)o.reps,
              pp.mean(), pp.sd(), pp.median(), tg.mean(), tg.sd(), tg.median(), tg_gbs, bytes,
              std::string(core::simd_level_name()).c_str(), (long long)o.parallel, (long long)o.lora_random);
  if (triad > 0) std::printf(", \"triad_gbs\": %.3f", triad);
  if (o.membw > 0) std::printf(", \"membw_gbs\": %.3f, \"tg_bandwidth_share\": %.4f", o.membw, tg_gbs / o.membw);
  std::printf("}\n");
}

void print_text(const model::Model& m, const BenchOptions& o, const Series& pp, const Series& tg, double triad) {
  const double bytes = double(m.memory().weight_bytes), tg_gbs = bytes * tg.mean() / double(o.parallel) / 1e9;
  std::printf("model: %s (%.1f MB of tensors), %d threads, %s kernels\n", m.file().name().c_str(), bytes / 1e6,
              o.threads, std::string(core::simd_level_name()).c_str());
  if (triad > 0) std::printf("triad: %.2f GB/s (STREAM triad, 3 x 256 MiB, best of 5, %d threads)\n", triad, o.threads);
  if (o.n_prompt > 0) {
    std::printf("pp%-6lld %10.2f ± %.2f tok/s (median %.2f)\n", (long long)o.n_prompt, pp.mean(), pp.sd(), pp.median());
  }
  if (o.n_gen > 0) {
    const std::string label = "tg" + std::to_string(o.n_gen) + (o.parallel > 1 ? "x" + std::to_string(o.parallel) : "") +
                              (o.lora_random > 0 ? "+lora" + std::to_string(o.lora_random) : "");
    std::printf("%-8s %10.2f ± %.2f tok/s (median %.2f)   %.2f GB/s of weights", label.c_str(), tg.mean(), tg.sd(),
                tg.median(), tg_gbs);
    if (o.membw > 0) std::printf(" (%.0f%% of %.1f GB/s)", 100.0 * tg_gbs / o.membw, o.membw);
    std::printf("\n");
  }
}

const CommandSpec& bench_spec() {
  static const CommandSpec kSpec = {
      "bench",
      "bench [options]",
      "Measures prompt processing (pp: one batch of -p tokens into an empty context) and generation\n"
      "(tg: -n single-token decodes) in tokens/s as llama-bench does, and the weight bandwidth\n"
      "generation reached. With --parallel B, B sequences decode in lockstep (as ondo serve batches).",
      {
          model_option_spec(),
          {"-p|--n-prompt", "N", "512", "prompt tokens (0: skip pp)"},
          {"-n|--n-gen", "N", "128", "generated tokens (0: skip tg)"},
          threads_option_spec(),
          {"-r|--repetitions", "N", "3", "repetitions of each test"},
          {"--parallel", "B", "1", "sequences decoding in lockstep"},
          {"--membw", "GBS", "0", "the machine's memory bandwidth in GB/s, to report a share of it"},
          {"--triad", "", "", "measure the memory bandwidth (STREAM triad) in-process first"},
          {"--json", "", "", "print the results as JSON"},
          {"--simd", "LEVEL", "", "kernels: scalar, avx2 or avx512 (one this CPU runs), or all: each level in turn"},
          {"--lora-random", "N", "0", "lockstep sequences use N random LoRA adapters (q, v), sequence s adapter s mod N"},
          {"--lora-rank", "R", "8", "rank of the --lora-random adapters"},
      },
      "ondo bench -m model.gguf -p 512 -n 128 -r 3",
  };
  return kSpec;
}

constexpr const char* kLevelNames[] = {"scalar", "avx2", "avx512"};

// --simd all: this command once per level the CPU runs (up to ONDO_SIMD's cap), each in a
// child process with --simd LEVEL in place of "all"; the children print in turn.
int bench_each_level(int argc, char** argv) {
  std::error_code ec;
  const std::string exe = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  if (ec) return report("bench", make_error(ErrorCode::Internal, "--simd all: cannot find this program: " + ec.message()));
  int worst = 0;
  for (int l = 0; l < 3; ++l) {
    if (!core::kernels::level_supported(core::kernels::SimdLevel(l))) continue;
    std::vector<std::string> words = {exe};
    for (int i = 0; i < argc; ++i) words.emplace_back(argv[i]);
    for (size_t i = 2; i < words.size(); ++i) {
      if (words[i - 1] == "--simd") words[i] = kLevelNames[l];
    }
    std::vector<char*> cargv;
    for (std::string& w : words) cargv.push_back(w.data());
    cargv.push_back(nullptr);
    std::fflush(stdout);
    std::fflush(stderr);
    const pid_t pid = fork();
    if (pid < 0) return report("bench", make_error(ErrorCode::Internal, "--simd all: fork failed"));
    if (pid == 0) {
      execv(exe.c_str(), cargv.data());
      _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    const int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
    worst = std::max(worst, rc);
  }
  return worst;
}

// Applies --simd LEVEL (before anything picks kernels); an error names the levels this CPU runs.
Status apply_simd_option(const Args& args) {
  const std::string level = std::string(args.get("--simd").value_or(""));
  if (level.empty()) return ok_status();
  if (!core::force_simd_level(level.c_str())) {
    return make_error(ErrorCode::InvalidArgument, "--simd '" + level + "' is not one of scalar, avx2, avx512, all");
  }
  for (int l = 0; l < 3; ++l) {
    if (level == kLevelNames[l] && !core::kernels::level_supported(core::kernels::SimdLevel(l))) {
      std::string runs;
      for (int k = 0; k < 3; ++k) {
        if (core::kernels::level_supported(core::kernels::SimdLevel(k))) runs += std::string(runs.empty() ? "" : ", ") + kLevelNames[k];
      }
      return make_error(ErrorCode::InvalidArgument, "--simd " + level + ": this CPU does not run it (it runs: " + runs + ")");
    }
  }
  return ok_status();
}

int bench(int argc, char** argv) {
  Args args;
  if (auto done = parse_command(bench_spec(), argc, argv, &args)) return *done;
  auto opts = bench_options(args);
  if (!opts.ok()) return report("bench", opts.error());
  if (args.get("--simd").value_or("") == "all") return bench_each_level(argc, argv);
  if (auto st = apply_simd_option(args); !st.ok()) return report("bench", st.error());
  BenchOptions& o = *opts;
  core::ComputePool compute(o.threads);
  auto model = load_model_option(args, compute);
  if (!model.ok()) return report("bench", model.error());
  double triad_gbs = 0;
  if (o.triad) {
    auto tr = core::measure_triad(compute.acquire(core::Priority::Serving).pool(), 256, 5);
    if (!tr.ok()) return report("bench", tr.error());
    triad_gbs = tr->best_gbs;
    if (o.membw <= 0) o.membw = triad_gbs;
  }
  const int32_t n_ctx = int32_t(std::max<int64_t>(std::max(o.n_prompt, o.n_gen), 1));
  auto session = infer::Session::create(**model, compute, {n_ctx, int32_t(std::max<int64_t>(o.n_prompt, 1))});
  if (!session.ok()) return report("bench", session.error());
  std::unique_ptr<Lockstep> lockstep;
  if (o.parallel > 1 && o.n_gen > 0) {
    const model::HParams& hp = (*model)->hparams();
    auto kv = infer::KvCache::create(hp, int32_t(o.parallel), int32_t(o.n_gen));
    if (!kv.ok()) return report("bench", kv.error());
    lockstep.reset(new Lockstep{**model, compute, std::move(*kv),
                                model::ForwardScratch(hp, int32_t(o.parallel), int32_t(o.n_gen), o.threads),
                                std::vector<float>(size_t(o.parallel) * size_t(hp.n_vocab)), int32_t(o.parallel), {}});
  }
  std::vector<std::vector<uint8_t>> lora_bytes(static_cast<size_t>(o.lora_random));  // outlive the adapters
  for (int64_t i = 0; lockstep && i < o.lora_random; ++i) {
    model::gen::LoraGenSpec spec;
    spec.rank = int32_t(o.lora_rank);
    spec.seed = uint64_t(i) + 1;
    auto bytes = model::gen::random_lora_bytes((*model)->file(), spec);
    if (!bytes.ok()) return report("bench", bytes.error());
    lora_bytes[size_t(i)] = std::move(*bytes);
    auto file = gguf::GgufFile::from_memory(lora_bytes[size_t(i)], "random-lora-" + std::to_string(i) + ".gguf");
    if (!file.ok()) return report("bench", file.error());
    auto adapter = model::LoraAdapter::from_file(std::move(*file), **model);
    if (!adapter.ok()) return report("bench", adapter.error());
    auto set = model::make_lora_set({{std::move(*adapter), 1.0f}});
    if (!set.ok()) return report("bench", set.error());
    lockstep->lora.push_back(std::move(*set));
  }
  Series pp, tg;
  if (auto st = measure(**session, lockstep.get(), (*model)->hparams().n_vocab, o, &pp, &tg); !st.ok()) {
    return report("bench", st.error());
  }
  if (o.json) {
    print_json(**model, o, pp, tg, triad_gbs);
  } else {
    print_text(**model, o, pp, tg, triad_gbs);
  }
  return 0;
}

}  // namespace

int cmd_bench(int argc, char** argv) { return bench(argc, argv); }

}  // namespace ondo::cli
