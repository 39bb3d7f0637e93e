// Shared pieces of the model-running subcommands: loading a model with a clear error, and
// the thread-count option. Layer: cli.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "ondo/cli/args.h"
#include "ondo/model/model.h"

namespace ondo::cli {

// The model used when none is given: $ONDO_MODEL, else the built-in models/ondo-recipe.gguf
// found beside the executable's directory (<repo>/build*/../models/) or in <exe dir>/models/;
// nullopt when neither exists.
std::optional<std::string> default_model_path();

// Loads the model named by option "-m", else default_model_path(); error when neither.
Result<std::unique_ptr<model::Model>> load_model_option(const Args& args);

// "-t N" (default: physical cores), validated to 1..256.
Result<int> threads_option(const Args& args);

}  // namespace ondo::cli
