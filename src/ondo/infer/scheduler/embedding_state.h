// EmbeddingState: one embedding request between the loop thread (which fills its vectors
// input by input and completes it) and the client thread (which waits). Layer: infer
// (private to the scheduler).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "ondo/infer/scheduler/scheduler.h"

namespace ondo::infer {

class EmbeddingState final : public EmbeddingHandle {
 public:
  EmbeddingState(EmbeddingRequest r, int32_t width)
      : request(std::move(r)), submitted(std::chrono::steady_clock::now()), width_(size_t(width)) {
    vectors_.resize(request.inputs.size());
  }

  std::optional<Result<std::vector<std::vector<float>>>> wait(int timeout_ms) override {
    std::unique_lock<std::mutex> lock(mu_);
    auto ready = [&] { return done_; };
    if (timeout_ms < 0) {
      cv_.wait(lock, ready);
    } else if (!cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), ready)) {
      return std::nullopt;
    }
    if (error_) return Result<std::vector<std::vector<float>>>(*error_);
    return Result<std::vector<std::vector<float>>>(vectors_);
  }
  void cancel() override { cancelled.store(true); }
  RequestTiming timing() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return timing_;
  }

  // Loop thread side: the pooled vector of input `i`; then complete() or fail() once.
  void set_vector(size_t i, const float* v) {
    std::lock_guard<std::mutex> lock(mu_);
    if (i == 0) timing_.first_token_seconds = seconds_since_submit();
    vectors_[i].assign(v, v + width_);
  }
  void set_scheduled() {
    std::lock_guard<std::mutex> lock(mu_);
    timing_.queue_seconds = seconds_since_submit();
  }
  void complete() { finish(std::nullopt); }
  void fail(Error e) { finish(std::move(e)); }

  const EmbeddingRequest request;
  const std::chrono::steady_clock::time_point submitted;
  std::atomic<bool> cancelled{false};
  size_t next_input = 0;  // loop thread only: inputs put in a batch so far

 private:
  double seconds_since_submit() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - submitted).count();
  }
  void finish(std::optional<Error> e) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (done_) return;
      done_ = true;
      error_ = std::move(e);
    }
    cv_.notify_all();
  }

  const size_t width_;
  mutable std::mutex mu_;  // guards everything below
  std::condition_variable cv_;
  std::vector<std::vector<float>> vectors_;
  std::optional<Error> error_;
  bool done_ = false;
  RequestTiming timing_;
};

}  // namespace ondo::infer
