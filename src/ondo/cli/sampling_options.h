// Sampling options shared by `ondo run` and `ondo chat`. Layer: cli.
#pragma once

#include <string_view>
#include <vector>

#include "ondo/cli/args.h"
#include "ondo/infer/sampler/sampler.h"

namespace ondo::cli {

// The option table rows sampling_from_args reads (all take a value), with their defaults.
const std::vector<OptionSpec>& sampling_option_specs();

// `base` followed by the sampling rows: a command's whole option table.
std::vector<OptionSpec> with_sampling_options(std::vector<OptionSpec> base);

// --temp --top-k --top-p --min-p --repeat-penalty --repeat-last-n --presence-penalty
// --frequency-penalty --seed (default: a random seed; see report_seed).
Result<infer::SamplerParams> sampling_from_args(const Args& args);

// True when the parameters draw at random (temperature above 0 and top-k not 1).
bool samples(const infer::SamplerParams& p);

// Prints "ondo CMD: sampling seed N" on stderr when the seed was drawn at random (no --seed)
// and the generation will sample; call it just before generating.
void report_seed(std::string_view cmd, const Args& args, const infer::SamplerParams& p);

}  // namespace ondo::cli
