// What the detector needs from a Darknet network description (.cfg): the input size and the
// number of classes its YOLO output layers detect. OpenCV reads the whole file; this reads it
// first so that a wrong file gets an error naming what is wrong. Layer: apps/fridge.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ondo/core/result.h"

namespace ondo::apps::fridge {

struct DarknetSummary {
  int width = 0;     // [net] width, height: the network input in pixels
  int height = 0;
  int classes = 0;   // classes= of every [yolo] / [region] layer (they must agree)
  int outputs = 0;   // [yolo] / [region] layers
  // Floats the .weights file holds after its header, when every layer's shape is known
  // (convolutional, maxpool, avgpool, route, shortcut, upsample, reorg, dropout, yolo, region);
  // -1 for a network with other layers.
  int64_t weight_floats = -1;
};

// Errors (messages start with "<name>: "): InvalidFile for a missing [net] section, width or
// height, a non-3 channel count, no [yolo]/[region] layer, or layers that disagree on classes.
Result<DarknetSummary> parse_darknet_cfg(std::string_view text, std::string_view name);
// The same on a file; NotFound / InvalidFile when it cannot be read.
Result<DarknetSummary> read_darknet_cfg(const std::string& path);
// Checks that the .weights file at `path` holds the header and `summary.weight_floats` floats
// (when known). Errors: InvalidFile naming the file, its size and the size the cfg needs.
Status check_darknet_weights(const std::string& path, const DarknetSummary& summary);

}  // namespace ondo::apps::fridge
