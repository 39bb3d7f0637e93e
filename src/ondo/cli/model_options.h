// Shared pieces of the model-running subcommands: loading a model with a clear error, and
// the thread-count option. Layer: cli.
#pragma once

#include <memory>
#include <string>

#include "ondo/cli/args.h"
#include "ondo/model/model.h"

namespace ondo::cli {

// Loads the model named by option "-m"; error when missing.
Result<std::unique_ptr<model::Model>> load_model_option(const Args& args);

// "-t N" (default: physical cores), validated to 1..256.
Result<int> threads_option(const Args& args);

}  // namespace ondo::cli
