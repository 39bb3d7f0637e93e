// The ondo version the HTTP API reports (GET /api/version). Layer: serve. One constant,
// kept equal to the CMake project VERSION.
#pragma once

namespace ondo::serve {

inline constexpr const char* kOndoVersion = "0.1.0";

}  // namespace ondo::serve
