// ondo's version: the CMake project VERSION (only version.cpp sees it, as a definition).
// `ondo --version`, GET /api/version and GET /props report it. Layer: core.
#pragma once

namespace ondo {

// "0.1.0"
const char* ondo_version();

}  // namespace ondo
