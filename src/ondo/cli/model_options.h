// Shared pieces of the model-running subcommands: loading a model with a clear error, and
// the thread-count option. Layer: cli.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "ondo/cli/args.h"
#include "ondo/core/compute_pool.h"
#include "ondo/model/model.h"

namespace ondo::cli {

// The model used when none is given: $ONDO_MODEL, else the built-in models/ondo-recipe.gguf
// found beside the executable's directory (<repo>/build*/../models/) or in <exe dir>/models/;
// nullopt when neither exists.
std::optional<std::string> default_model_path();

// The option table rows of the model-running subcommands.
OptionSpec model_option_spec();    // -m|--model MODEL (default: the built-in model)
OptionSpec threads_option_spec();  // -t|--threads N (default: physical cores)

// The path option "-m" names, else default_model_path(); error when neither.
Result<std::string> model_path_option(const Args& args);

// True for the built-in recipe model (its general.name is "ondo-recipe").
bool is_builtin_model(const gguf::GgufFile& file);

// A warning on stderr ("ondo CMD: warning: ...") when `n_ctx` is above the context the
// model was trained for (hparams n_ctx_train, when known).
void warn_ctx_above_trained(std::string_view cmd, std::string_view option, int64_t n_ctx, const model::Model& model);

// The typed load options the environment asks for: ONDO_INTERLEAVE=0 keeps every weight in
// the file's layout (no kernel-private copies).
model::LoadOptions load_options_from_env();

// A tap (model::LoadOptions::tap) that dumps every named activation into `dir` (created if
// absent): each call appends its floats (little-endian f32, row-major) to <dir>/<name>.f32 and
// a line "<name>\t<rows>\t<cols>" to <dir>/shapes.tsv, so steps of a prompt concatenate.
Result<model::ActivationTap> activation_dump_tap(const std::string& dir);

// LoadOptions::pooling for serving `path` as an embedding model: `requested` ("mean", "cls",
// "last") when given; without one, a decoder's default (model::default_decoder_pooling:
// the file's pooling_type, else last) and nullopt for an encoder (the file decides).
Result<std::optional<model::Pooling>> embedding_pooling(const std::string& path,
                                                        const std::optional<std::string>& requested);

// Loads `path`, preparing its weights on `pool` under a Background lease (options.pool is
// set from it).
Result<std::unique_ptr<model::Model>> load_model(const std::string& path, core::ComputePool& pool,
                                                 model::LoadOptions options);

// Loads the model named by option "-m", else default_model_path(); error when neither.
// Weights are prepared on `pool` as load_model() does.
Result<std::unique_ptr<model::Model>> load_model_option(const Args& args, core::ComputePool& pool,
                                                        model::LoadOptions options = load_options_from_env());

// "-t N" (default: physical cores), validated to 1..256.
Result<int> threads_option(const Args& args);

}  // namespace ondo::cli
