// `ondo detokenize`: placeholder until implemented. Layer: cli.
#include "ondo/cli/args.h"
#include "ondo/cli/commands.h"

namespace ondo::cli {

int cmd_detokenize(int argc, char** argv) {
  (void)argc;
  (void)argv;
  return report("detokenize", make_error(ErrorCode::Unsupported, "not implemented yet"));
}

}  // namespace ondo::cli
