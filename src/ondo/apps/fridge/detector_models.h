// Small Darknet networks ondo writes itself, for tests, demos and benchmarks (no download):
// a colour detector whose output really depends on what the image shows, and a network shaped
// like YOLOv3-tiny with random weights for latency measurements. Layer: apps/fridge.
// Pure file writers; safe from any thread for distinct folders.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "ondo/core/result.h"

namespace ondo::apps::fridge {

// The files of one written network: open_detector() takes model_path = cfg and labels_path.
struct WrittenDetector {
  std::string cfg;
  std::string weights;
  std::string labels;
};

// The colour detector: a 64x64 input, two classes, "tomato" (pure red) and "lettuce" (pure
// green). Layer 1 (1x1 conv, ReLU) maps each pixel to its redness max(0, R-G-B) and greenness
// max(0, G-R-B); layer 2 (15x15 conv) averages them over a window centred on each cell and
// gives objectness sigmoid(20*(red+green) - 18) and class logits +-10*(red - green) to a
// [yolo] layer with one 15x15 anchor. So it finds a red or green square of about 15/64 of the
// letterboxed image's longer side (e.g. 120x120 in a 512x384 photo) and nothing on a plain one.
constexpr int kColourDetectorInput = 64;
constexpr int kColourDetectorObject = 15;  // the object side in network pixels
Result<WrittenDetector> write_colour_detector(const std::filesystem::path& dir);

// A network with YOLOv3-tiny's layers (13 convolutions with batch norm, max pooling, route,
// upsample, two [yolo] heads with its anchors), `input` x `input` pixels, `classes` classes,
// random weights from `seed` (latency does not depend on weight values). Labels "class0".. .
// Requires: input a multiple of 32 in 32..2048, classes in 1..1000.
Result<WrittenDetector> write_yolo_tiny_detector(const std::filesystem::path& dir, int input, int classes, uint64_t seed);

}  // namespace ondo::apps::fridge
