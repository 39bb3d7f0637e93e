// Ingredient detection from a photo: the interface between the fridge app and a detector runtime.
// Layer: apps/fridge. May use core; the implementation (detector_opencv.cpp) wraps OpenCV's DNN
// module. Thread contract: a Detector is used by one thread at a time (the caller serialises).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ondo/core/result.h"

namespace ondo::apps::fridge {

// One labelled box in the input image's pixel coordinates (x, y = top-left corner).
struct Detection {
  std::string label;
  float score = 0.0f;
  int x = 0;
  int y = 0;
  int width = 0;
  int height = 0;
};

struct DetectorOptions {
  std::string model_path;   // the network file the user provides (--detector FILE)
  std::string labels_path;  // one label per line, line i = class i (--labels FILE)
  float score_threshold = 0.3f;
  float nms_threshold = 0.45f;
  int threads = 2;
};

// Where the time of one detect() went, in milliseconds (bench_detect prints it).
struct DetectTimings {
  double decode_ms = 0;     // header check and image decoding
  double letterbox_ms = 0;  // scaling into the network input and the input blob
  double forward_ms = 0;    // the network
  double boxes_ms = 0;      // reading the output rows and non-maximum suppression
};

class Detector {
 public:
  virtual ~Detector() = default;
  // Decodes `image_bytes` (JPEG, PNG, ...) and returns boxes sorted by score, highest first.
  // A payload that is not an image is InvalidArgument naming what was seen.
  virtual Result<std::vector<Detection>> detect(std::string_view image_bytes) = 0;
  // The class names it detects (the labels file, class order); empty: not known.
  virtual std::vector<std::string> labels() const { return {}; }
  // The stages of the last detect() (zeros when the detector does not time them).
  virtual DetectTimings last_timings() const { return {}; }
};

// Loads the network and labels and runs it once on a blank input, so that the first photo does
// not pay OpenCV's one-time setup (layer allocation, weight repacking); a missing or unreadable
// file is an error naming it.

Result<std::unique_ptr<Detector>> open_detector(const DetectorOptions& options);

}  // namespace ondo::apps::fridge
