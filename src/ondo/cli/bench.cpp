// `ondo bench -m MODEL [-p 512] [-n 128] [-t N] [-r 3] [--json] [--membw GBS] [--triad]`: prompt
// processing (pp: one batch of p tokens into an empty context) and generation (tg: n
// single-token decodes from an empty context) in tokens/s, as llama-bench means them, and
// the weight bandwidth generation reached, as a share of --membw or of the STREAM triad
// bandwidth measured in-process at -t threads (--triad, core/membw). Layer: cli.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "ondo/cli/commands.h"
#include "ondo/cli/model_options.h"
#include "ondo/core/membw.h"
#include "ondo/infer/session.h"

namespace ondo::cli {
namespace {

struct Series {
  std::vector<double> tps;
  double mean() const {
    double s = 0;
    for (double v : tps) s += v;
    return tps.empty() ? 0.0 : s / double(tps.size());
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

int bench(int argc, char** argv) {
  Args args({"-m|--model", "-p|--n-prompt", "-n|--n-gen", "-t|--threads", "-r|--repetitions", "--membw"},
            {"--json", "--triad"});
  if (auto st = args.parse(argc, argv); !st.ok()) return report("bench", st.error());
  auto n_prompt = args.get_int("-p", 512);
  auto n_gen = args.get_int("-n", 128);
  auto reps = args.get_int("-r", 3);
  auto membw = args.get_double("--membw", 0.0);
  auto threads = threads_option(args);
  for (const Status& st : {n_prompt.ok() ? ok_status() : Status(n_prompt.error()),
                           n_gen.ok() ? ok_status() : Status(n_gen.error()),
                           reps.ok() ? ok_status() : Status(reps.error()),
                           membw.ok() ? ok_status() : Status(membw.error()),
                           threads.ok() ? ok_status() : Status(threads.error())}) {
    if (!st.ok()) return report("bench", st.error());
  }
  if (*n_prompt < 0 || *n_gen < 0 || *n_prompt + *n_gen == 0 || *n_prompt > 65536 || *n_gen > 65536) {
    return report("bench", make_error(ErrorCode::InvalidArgument, "-p and -n must be between 0 and 65536, not both 0"));
  }
  if (*reps < 1 || *reps > 1000) return report("bench", make_error(ErrorCode::InvalidArgument, "-r must be between 1 and 1000"));
  auto model = load_model_option(args);
  if (!model.ok()) return report("bench", model.error());
  double triad_gbs = 0;
  if (args.has("--triad")) {  // before the engine's pool exists, so the two never compete
    core::ThreadPool triad_pool(*threads);
    auto tr = core::measure_triad(triad_pool, 256, 5);
    if (!tr.ok()) return report("bench", tr.error());
    triad_gbs = tr->best_gbs;
    if (*membw <= 0) *membw = triad_gbs;
  }
  const model::HParams& hp = (*model)->hparams();
  const int32_t n_ctx = int32_t(std::max<int64_t>(std::max(*n_prompt, *n_gen), 1));
  infer::Engine engine(*threads);
  auto session = infer::Session::create(**model, engine, {n_ctx, int32_t(std::max<int64_t>(*n_prompt, 1))});
  if (!session.ok()) return report("bench", session.error());

  Series pp, tg;
  const auto ptoks = random_tokens(*n_prompt, hp.n_vocab, 1);
  const auto gtoks = random_tokens(*n_gen, hp.n_vocab, 2);
  // one warm-up of each (page in the weights, settle the pool), then the repetitions
  for (int64_t r = -1; r < *reps; ++r) {
    if (*n_prompt > 0) {
      auto v = run_pp(**session, ptoks);
      if (!v.ok()) return report("bench", v.error());
      if (r >= 0) pp.tps.push_back(*v);
    }
    if (*n_gen > 0) {
      auto v = run_tg(**session, r < 0 ? std::vector<int32_t>(gtoks.begin(), gtoks.begin() + std::min<int64_t>(*n_gen, 8)) : gtoks);
      if (!v.ok()) return report("bench", v.error());
      if (r >= 0) tg.tps.push_back(*v);
    }
  }
  const double bytes = double((*model)->memory().weight_bytes);
  const double tg_gbs = bytes * tg.mean() / 1e9;
  if (args.has("--json")) {
    std::printf("{\"model\": \"%s\", \"n_threads\": %d, \"n_prompt\": %lld, \"n_gen\": %lld, \"repetitions\": %lld, "
                "\"pp_tps\": %.3f, \"pp_sd\": %.3f, \"tg_tps\": %.3f, \"tg_sd\": %.3f, \"tg_gbs\": %.3f, "
                "\"weight_bytes\": %.0f, \"simd\": \"%s\"",
                (*model)->file().name().c_str(), *threads, (long long)*n_prompt, (long long)*n_gen, (long long)*reps,
                pp.mean(), pp.sd(), tg.mean(), tg.sd(), tg_gbs, bytes, std::string(core::simd_level_name()).c_str());
    if (triad_gbs > 0) std::printf(", \"triad_gbs\": %.3f", triad_gbs);
    if (*membw > 0) std::printf(", \"membw_gbs\": %.3f, \"tg_bandwidth_share\": %.4f", *membw, tg_gbs / *membw);
    std::printf("}\n");
    return 0;
  }
  std::printf("model: %s (%.1f MB of tensors), %d threads, %s kernels\n", (*model)->file().name().c_str(), bytes / 1e6,
              *threads, std::string(core::simd_level_name()).c_str());
  if (triad_gbs > 0) std::printf("triad: %.2f GB/s (STREAM triad, 3 x 256 MiB, best of 5, %d threads)\n", triad_gbs, *threads);
  if (*n_prompt > 0) std::printf("pp%-6lld %10.2f ± %.2f tok/s\n", (long long)*n_prompt, pp.mean(), pp.sd());
  if (*n_gen > 0) {
    std::printf("tg%-6lld %10.2f ± %.2f tok/s   %.2f GB/s of weights", (long long)*n_gen, tg.mean(), tg.sd(), tg_gbs);
    if (*membw > 0) std::printf(" (%.0f%% of %.1f GB/s)", 100.0 * tg_gbs / *membw, *membw);
    std::printf("\n");
  }
  return 0;
}

}  // namespace

int cmd_bench(int argc, char** argv) { return bench(argc, argv); }

}  // namespace ondo::cli
