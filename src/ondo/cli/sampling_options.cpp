// Sampling options shared by the generating subcommands. Layer: cli.
#include "ondo/cli/sampling_options.h"

#include <cstdio>
#include <random>

namespace ondo::cli {

const std::vector<OptionSpec>& sampling_option_specs() {
  static const std::vector<OptionSpec> kRows = {
      {"--temp", "T", "0.8", "sampling temperature; 0 picks the most likely token (greedy)"},
      {"--top-k", "K", "40", "sample among the K most likely tokens; 0 turns it off"},
      {"--top-p", "P", "0.95", "nucleus sampling: the smallest set of probability mass P; 1 turns it off"},
      {"--min-p", "P", "0.05", "drop tokens below P times the top probability; 0 turns it off"},
      {"--repeat-penalty", "X", "1.0", "divide the logits of recent tokens by X; 1 turns it off"},
      {"--repeat-last-n", "N", "64", "how many recent tokens the penalties look at"},
      {"--presence-penalty", "X", "0.0", "subtract X from the logits of tokens already generated"},
      {"--frequency-penalty", "X", "0.0", "subtract X times the count of each token already generated"},
      {"--seed", "S", "", "random seed (default: drawn at random and printed when sampling)"},
  };
  return kRows;
}

std::vector<OptionSpec> with_sampling_options(std::vector<OptionSpec> base) {
  for (const OptionSpec& o : sampling_option_specs()) base.push_back(o);
  return base;
}

Result<infer::SamplerParams> sampling_from_args(const Args& args) {
  infer::SamplerParams p;
  ONDO_ASSIGN_OR_RETURN(double temp, args.get_double("--temp"));
  ONDO_ASSIGN_OR_RETURN(int64_t top_k, args.get_int("--top-k"));
  ONDO_ASSIGN_OR_RETURN(double top_p, args.get_double("--top-p"));
  ONDO_ASSIGN_OR_RETURN(double min_p, args.get_double("--min-p"));
  ONDO_ASSIGN_OR_RETURN(double rp, args.get_double("--repeat-penalty"));
  ONDO_ASSIGN_OR_RETURN(int64_t rln, args.get_int("--repeat-last-n"));
  ONDO_ASSIGN_OR_RETURN(double pp, args.get_double("--presence-penalty"));
  ONDO_ASSIGN_OR_RETURN(double fp, args.get_double("--frequency-penalty"));
  if (top_k < 0 || top_k > (int64_t(1) << 30)) return make_error(ErrorCode::InvalidArgument, "--top-k must be >= 0");
  if (rln < 0 || rln > (int64_t(1) << 30)) return make_error(ErrorCode::InvalidArgument, "--repeat-last-n must be >= 0");
  p.temperature = float(temp);
  p.top_k = int32_t(top_k);
  p.top_p = float(top_p);
  p.min_p = float(min_p);
  p.repeat_penalty = float(rp);
  p.repeat_last_n = int32_t(rln);
  p.presence_penalty = float(pp);
  p.frequency_penalty = float(fp);
  if (args.has("--seed")) {
    ONDO_ASSIGN_OR_RETURN(int64_t seed, args.get_int("--seed", 0));
    p.seed = uint64_t(seed);
  } else {
    p.seed = (uint64_t(std::random_device{}()) << 32) | std::random_device{}();
  }
  ONDO_TRY(infer::validate(p));
  return p;
}

bool samples(const infer::SamplerParams& p) { return p.temperature > 0.0f && p.top_k != 1; }

void report_seed(std::string_view cmd, const Args& args, const infer::SamplerParams& p) {
  if (args.has("--seed") || !samples(p)) return;
  std::fprintf(stderr, "ondo %.*s: sampling seed %llu\n", int(cmd.size()), cmd.data(), (unsigned long long)p.seed);
}

}  // namespace ondo::cli
