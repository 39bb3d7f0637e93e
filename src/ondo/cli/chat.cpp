// `ondo chat`: placeholder until implemented. Layer: cli.
#include "ondo/cli/args.h"
#include "ondo/cli/commands.h"

namespace ondo::cli {

int cmd_chat(int argc, char** argv) {
  (void)argc;
  (void)argv;
  return report("chat", make_error(ErrorCode::Unsupported, "not implemented yet"));
}

}  // namespace ondo::cli
