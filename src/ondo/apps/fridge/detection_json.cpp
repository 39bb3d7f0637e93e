// Detections as JSON (see detection_json.h). Layer: apps/fridge.
#include "ondo/apps/fridge/detection_json.h"

#include <cmath>

namespace ondo::apps::fridge {

nlohmann::json detections_to_json(const std::vector<Detection>& detections) {
  nlohmann::json out = nlohmann::json::array();
  for (const Detection& d : detections) {
    // Four decimals: more would only show the network's float noise.
    const double score = std::round(double(d.score) * 10000.0) / 10000.0;
    out.push_back({{"label", d.label},
                   {"score", score},
                   {"box", {{"x", d.x}, {"y", d.y}, {"width", d.width}, {"height", d.height}}}});
  }
  return out;
}

}  // namespace ondo::apps::fridge
