// `ondo bench`: placeholder until implemented. Layer: cli.
#include "ondo/cli/args.h"
#include "ondo/cli/commands.h"

namespace ondo::cli {

int cmd_bench(int argc, char** argv) {
  (void)argc;
  (void)argv;
  return report("bench", make_error(ErrorCode::Unsupported, "not implemented yet"));
}

}  // namespace ondo::cli
