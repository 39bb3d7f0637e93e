// Detections as the JSON that `ondo detect` prints and POST /apps/fridge/api/detect returns:
// [{"label": "tomato", "score": 0.87, "box": {"x": 200, "y": 120, "width": 120, "height": 120}}].
// Layer: apps/fridge. Pure function.
#pragma once

#include <nlohmann/json.hpp>

#include <vector>

#include "ondo/apps/fridge/detector.h"

namespace ondo::apps::fridge {

nlohmann::json detections_to_json(const std::vector<Detection>& detections);

}  // namespace ondo::apps::fridge
