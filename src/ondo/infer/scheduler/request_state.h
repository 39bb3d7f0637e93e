// RequestState: one request's queue of events between the loop thread (producer) and the
// client thread (consumer). Layer: infer (private to the scheduler).
// Events sit in a vector read from `head_`; read entries are dropped (capacity kept) when
// the vector is drained or full, so a consumer that keeps up costs the loop no allocation.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <vector>

#include "ondo/infer/scheduler/scheduler.h"

namespace ondo::infer {

class RequestState final : public RequestHandle {
 public:
  explicit RequestState(GenerationRequest r) : request(std::move(r)), submitted(std::chrono::steady_clock::now()) {
    events_.reserve(kInitialEvents);
  }

  std::optional<TokenEvent> next(int timeout_ms) override {
    std::unique_lock<std::mutex> lock(mu_);
    auto ready = [&] { return head_ < events_.size() || delivered_final_; };
    if (timeout_ms < 0) {
      cv_.wait(lock, ready);
    } else if (!cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), ready)) {
      return std::nullopt;
    }
    if (head_ == events_.size()) return std::nullopt;
    TokenEvent e = std::move(events_[head_++]);
    if (head_ == events_.size()) {
      events_.clear();
      head_ = 0;
    }
    return e;
  }

  void cancel() override { cancelled.store(true); }

  RequestTiming timing() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return timing_;
  }

  // Loop thread side.
  void post(TokenEvent e) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (delivered_final_) return;
      if (!first_posted_) {
        first_posted_ = true;
        timing_.first_token_seconds = seconds_since_submit();
      }
      if (e.finish != FinishReason::None) delivered_final_ = true;
      if (events_.size() == events_.capacity() && head_ > 0) {  // reuse the read part first
        events_.erase(events_.begin(), events_.begin() + std::ptrdiff_t(head_));
        head_ = 0;
      }
      events_.push_back(std::move(e));
    }
    cv_.notify_all();
  }
  void set_scheduled(int32_t cached_tokens) {
    std::lock_guard<std::mutex> lock(mu_);
    timing_.queue_seconds = seconds_since_submit();
    timing_.cached_prompt_tokens = cached_tokens;
  }
  double seconds_since_submit() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - submitted).count();
  }

  const GenerationRequest request;
  const std::chrono::steady_clock::time_point submitted;
  std::atomic<bool> cancelled{false};

 private:
  static constexpr size_t kInitialEvents = 8;
  mutable std::mutex mu_;  // guards everything below
  std::condition_variable cv_;
  std::vector<TokenEvent> events_;  // not yet read: [head_, size())
  size_t head_ = 0;
  bool delivered_final_ = false;
  bool first_posted_ = false;
  RequestTiming timing_;
};

}  // namespace ondo::infer
