// `ondo --version`: the version CMake's project() declares (core/version.h) and the git commit
// seen at configure time (passed to this file alone as a definition). Layer: cli.
#include <string>
#include <string_view>

#include "ondo/cli/args.h"
#include "ondo/core/version.h"

namespace ondo::cli {

std::string version_text() {
  std::string v = ondo_version();
  if (!std::string_view(ONDO_GIT_COMMIT).empty()) v += std::string(" (git ") + ONDO_GIT_COMMIT + ")";
  return v;
}

}  // namespace ondo::cli
