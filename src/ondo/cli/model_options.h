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

// The typed load options the environment asks for: ONDO_INTERLEAVE=0 keeps every weight in
// the file's layout (no kernel-private copies).
model::LoadOptions load_options_from_env();

// A tap (model::LoadOptions::tap) that dumps every named activation into `dir` (created if
// absent): each call appends its floats (little-endian f32, row-major) to <dir>/<name>.f32 and
// a line "<name>\t<rows>\t<cols>" to <dir>/shapes.tsv, so steps of a prompt concatenate.
Result<model::ActivationTap> activation_dump_tap(const std::string& dir);

// Loads the model named by option "-m", else default_model_path(); error when neither.
// Without options.pool, weight preparation runs on a pool of "-t" threads made for the load.
Result<std::unique_ptr<model::Model>> load_model_option(const Args& args,
                                                        const model::LoadOptions& options = load_options_from_env());

// "-t N" (default: physical cores), validated to 1..256.
Result<int> threads_option(const Args& args);

}  // namespace ondo::cli
