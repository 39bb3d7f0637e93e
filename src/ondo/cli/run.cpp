// `ondo run`: placeholder until implemented. Layer: cli.
#include "ondo/cli/args.h"
#include "ondo/cli/commands.h"

namespace ondo::cli {

int cmd_run(int argc, char** argv) {
  (void)argc;
  (void)argv;
  return report("run", make_error(ErrorCode::Unsupported, "not implemented yet"));
}

}  // namespace ondo::cli
