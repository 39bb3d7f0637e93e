// Sampling options shared by the generating subcommands. Layer: cli.
#include "ondo/cli/sampling_options.h"

#include <cstdio>
#include <random>

namespace ondo::cli {

std::vector<std::string> sampling_option_names() {
  return {"--temp", "--top-k", "--top-p", "--min-p", "--repeat-penalty", "--repeat-last-n",
          "--presence-penalty", "--frequency-penalty", "--seed"};
}

Result<infer::SamplerParams> sampling_from_args(const Args& args) {
  infer::SamplerParams p;
  ONDO_ASSIGN_OR_RETURN(double temp, args.get_double("--temp", p.temperature));
  ONDO_ASSIGN_OR_RETURN(int64_t top_k, args.get_int("--top-k", p.top_k));
  ONDO_ASSIGN_OR_RETURN(double top_p, args.get_double("--top-p", p.top_p));
  ONDO_ASSIGN_OR_RETURN(double min_p, args.get_double("--min-p", p.min_p));
  ONDO_ASSIGN_OR_RETURN(double rp, args.get_double("--repeat-penalty", p.repeat_penalty));
  ONDO_ASSIGN_OR_RETURN(int64_t rln, args.get_int("--repeat-last-n", p.repeat_last_n));
  ONDO_ASSIGN_OR_RETURN(double pp, args.get_double("--presence-penalty", p.presence_penalty));
  ONDO_ASSIGN_OR_RETURN(double fp, args.get_double("--frequency-penalty", p.frequency_penalty));
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
    if (p.temperature > 0.0f) std::fprintf(stderr, "ondo: sampling seed %llu\n", (unsigned long long)p.seed);
  }
  ONDO_TRY(infer::validate(p));
  return p;
}

}  // namespace ondo::cli
