// The version string CMakeLists.txt passes to this file alone. Layer: core.
#include "ondo/core/version.h"

namespace ondo {

const char* ondo_version() { return ONDO_PROJECT_VERSION; }

}  // namespace ondo
