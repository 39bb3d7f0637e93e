// Shared model-loading helpers of the subcommands. Layer: cli.
#include "ondo/cli/model_options.h"

namespace ondo::cli {

Result<std::unique_ptr<model::Model>> load_model_option(const Args& args) {
  auto path = args.get("-m");
  if (!path) return make_error(ErrorCode::InvalidArgument, "no model given (use -m MODEL.gguf)");
  return model::Model::load(*path);
}

Result<int> threads_option(const Args& args) {
  ONDO_ASSIGN_OR_RETURN(int64_t t, args.get_int("-t", default_threads()));
  if (t < 1 || t > 256) return make_error(ErrorCode::InvalidArgument, "-t must be between 1 and 256");
  return int(t);
}

}  // namespace ondo::cli
