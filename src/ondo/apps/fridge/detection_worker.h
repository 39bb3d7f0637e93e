// One Detector behind its own thread, so that HTTP threads never run the network: they post
// an image and wait for its boxes (DESIGN "Threads"). Layer: apps/fridge.
// Thread contract: detect() may be called from any number of threads at once; images are
// detected one at a time, in arrival order. Destruction stops the thread; images still
// waiting then get Unavailable.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ondo/apps/fridge/detector.h"
#include "ondo/core/result.h"

namespace ondo::apps::fridge {

class DetectionWorker {
 public:
  // Takes ownership of `detector`; at most `max_waiting` images wait while one runs.
  // Requires: detector non-null, max_waiting >= 1.
  DetectionWorker(std::unique_ptr<Detector> detector, size_t max_waiting);
  ~DetectionWorker();
  DetectionWorker(const DetectionWorker&) = delete;
  DetectionWorker& operator=(const DetectionWorker&) = delete;

  // Blocks until the image's boxes are found. Errors: the detector's (InvalidArgument for
  // bytes that are not an image, TooLarge for its dimensions); Overloaded when max_waiting
  // images already wait; Unavailable when the worker stops first.
  Result<std::vector<Detection>> detect(std::string image_bytes);
  // Images waiting now (not counting the one being detected).
  size_t waiting();
  // The detector's class names (Detector::labels(), read once at construction).
  const std::vector<std::string>& labels() const { return labels_; }

 private:
  struct Job {
    std::string bytes;
    std::promise<Result<std::vector<Detection>>> done;
  };
  void run();

  std::unique_ptr<Detector> detector_;  // used by the worker thread only
  const std::vector<std::string> labels_;  // immutable
  const size_t max_waiting_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Job>> jobs_;  // guarded by mu_
  bool stopping_ = false;                  // guarded by mu_
  std::thread thread_;                     // last: started once the members above exist
};

}  // namespace ondo::apps::fridge
