// `ondo --version`: the version CMake's project() declares and the git commit seen at
// configure time (both passed to this file alone as definitions). Layer: cli.
#include <string>
#include <string_view>

#include "ondo/cli/args.h"

namespace ondo::cli {

std::string version_text() {
  std::string v = ONDO_VERSION;
  if (!std::string_view(ONDO_GIT_COMMIT).empty()) v += std::string(" (git ") + ONDO_GIT_COMMIT + ")";
  return v;
}

}  // namespace ondo::cli
