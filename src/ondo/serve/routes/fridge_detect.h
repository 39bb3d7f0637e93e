// POST /apps/fridge/api/detect: labelled boxes in a photo (issue 20.5), through the detector
// that `ondo serve --detector FILE --labels FILE` loads (apps/fridge/detection_worker.h).
// Layer: serve (internal to it).
#pragma once

#include <httplib.h>

#include <cstddef>

#include "ondo/serve/server_state.h"

namespace ondo::serve {

// The largest photo the route takes (the body limit, --max-body, applies first).
constexpr size_t kMaxDetectImageBytes = size_t(10) << 20;

// The image is a multipart/form-data part named "image" or the whole body (any other content
// type), detected by ServerOptions::detector; 200 {"detections": [{"label", "score", "box":
// {"x", "y", "width", "height"}}]}, highest score first. 404 when the server has no detector; 400 for a missing or non-image
// payload; 413 over kMaxDetectImageBytes or for too many pixels; 429 when images queue up.
void handle_fridge_detect(ServerState& state, const httplib::Request& req, httplib::Response& res);

}  // namespace ondo::serve
