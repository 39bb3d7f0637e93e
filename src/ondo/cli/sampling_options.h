// Sampling options shared by `ondo run` and `ondo chat`. Layer: cli.
#pragma once

#include <string>
#include <vector>

#include "ondo/cli/args.h"
#include "ondo/infer/sampler/sampler.h"

namespace ondo::cli {

// The option names sampling_from_args reads (all take a value).
std::vector<std::string> sampling_option_names();

// --temp --top-k --top-p --min-p --repeat-penalty --repeat-last-n --presence-penalty
// --frequency-penalty --seed (default: random, reported on stderr).
Result<infer::SamplerParams> sampling_from_args(const Args& args);

}  // namespace ondo::cli
