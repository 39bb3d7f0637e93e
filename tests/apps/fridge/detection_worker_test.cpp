// The detection thread: many callers at once each get their own image's answer, a full queue is
// Overloaded, and a throwing detector becomes Internal for that image only.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "ondo/apps/fridge/detection_worker.h"

namespace ondo::apps::fridge {
namespace {

// Echoes the image bytes as the label; "throw" throws; "block" waits until released.
class FakeDetector final : public Detector {
 public:
  Result<std::vector<Detection>> detect(std::string_view bytes) override {
    if (running_.fetch_add(1) != 0) concurrent_ = true;  // the contract: one thread at a time
    if (bytes == "block") {
      std::unique_lock<std::mutex> lock(mu_);
      blocked_ = true;
      cv_.notify_all();
      cv_.wait(lock, [this] { return released_; });
    }
    running_.fetch_sub(1);
    if (bytes == "throw") throw std::runtime_error("boom");
    return std::vector<Detection>{{std::string(bytes), 1.0f, 0, 0, 1, 1}};
  }
  void wait_blocked() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return blocked_; });
  }
  void release() {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  std::atomic<int> running_{0};
  std::atomic<bool> concurrent_{false};

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool blocked_ = false;
  bool released_ = false;
};

TEST(DetectionWorker, EachCallerGetsItsOwnImagesAnswerOneImageAtATime) {
  auto fake = std::make_unique<FakeDetector>();
  FakeDetector* f = fake.get();
  DetectionWorker worker(std::move(fake), 64);
  std::vector<std::thread> callers;
  std::atomic<int> right{0};
  for (int i = 0; i < 16; ++i) {
    callers.emplace_back([&, i] {
      auto r = worker.detect("img" + std::to_string(i));
      if (r.ok() && r->size() == 1 && (*r)[0].label == "img" + std::to_string(i)) ++right;
    });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(right.load(), 16);
  EXPECT_FALSE(f->concurrent_.load());
}

TEST(DetectionWorker, AFullQueueIsOverloadedAndAThrowIsInternal) {
  auto fake = std::make_unique<FakeDetector>();
  FakeDetector* f = fake.get();
  DetectionWorker worker(std::move(fake), 1);
  std::thread running([&] { EXPECT_TRUE(worker.detect("block").ok()); });
  f->wait_blocked();
  std::thread waiting([&] { EXPECT_TRUE(worker.detect("second").ok()); });
  // The second image waits (queue of 1): once it is queued, a third is refused. (Asking for the
  // third before the second is queued would queue it behind the blocked image instead.)
  for (int i = 0; i < 20000 && worker.waiting() < 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_EQ(worker.waiting(), 1u);
  Result<std::vector<Detection>> third = worker.detect("third");
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().code, ErrorCode::Overloaded);
  f->release();
  running.join();
  waiting.join();
  auto thrown = worker.detect("throw");
  ASSERT_FALSE(thrown.ok());
  EXPECT_EQ(thrown.error().code, ErrorCode::Internal);
  EXPECT_NE(thrown.error().message.find("boom"), std::string::npos);
  EXPECT_TRUE(worker.detect("after").ok());  // the thread survived
}

}  // namespace
}  // namespace ondo::apps::fridge
