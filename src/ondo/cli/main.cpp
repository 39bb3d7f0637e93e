// ondo: the command-line entry point; dispatches to one file per subcommand. Layer: cli.
#include <cstdio>
#include <cstring>
#include <string_view>

#include "ondo/cli/commands.h"

int main(int argc, char** argv) {
  return ondo::cli::dispatch(argc, argv);
}
