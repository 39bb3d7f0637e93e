// The detection thread (see detection_worker.h). Layer: apps/fridge.
#include "ondo/apps/fridge/detection_worker.h"

#include <exception>

namespace ondo::apps::fridge {

DetectionWorker::DetectionWorker(std::unique_ptr<Detector> detector, size_t max_waiting)
    : detector_(std::move(detector)), labels_(detector_->labels()), max_waiting_(max_waiting < 1 ? 1 : max_waiting), thread_([this] { run(); }) {}

DetectionWorker::~DetectionWorker() {
  std::deque<std::shared_ptr<Job>> left;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    left.swap(jobs_);
  }
  wake_.notify_all();
  for (auto& job : left) job->done.set_value(make_error(ErrorCode::Unavailable, "detector: the server is stopping"));
  if (thread_.joinable()) thread_.join();
}

Result<std::vector<Detection>> DetectionWorker::detect(std::string image_bytes) {
  auto job = std::make_shared<Job>();
  job->bytes = std::move(image_bytes);
  std::future<Result<std::vector<Detection>>> result = job->done.get_future();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return make_error(ErrorCode::Unavailable, "detector: the server is stopping");
    if (jobs_.size() >= max_waiting_) {
      return make_error(ErrorCode::Overloaded, "detector: " + std::to_string(jobs_.size()) +
                                                   " images are already waiting; try again shortly");
    }
    jobs_.push_back(job);
  }
  wake_.notify_one();
  return result.get();
}

void DetectionWorker::run() {
  for (;;) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    // A bug (or out of memory) in the runtime becomes Internal for this image, not a dead thread.
    try {
      job->done.set_value(detector_->detect(job->bytes));
    } catch (const std::exception& e) {
      job->done.set_value(make_error(ErrorCode::Internal, std::string("detector: failed (") + e.what() + ")"));
    }
  }
}

size_t DetectionWorker::waiting() {
  std::lock_guard<std::mutex> lock(mu_);
  return jobs_.size();
}

}  // namespace ondo::apps::fridge
