// Collects the records the server's on_request_done hook receives, and waits (bounded) for
// the record of one request id. Test support only.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ondo/serve/request_context.h"

namespace ondo::testing {

class RequestHookLog {
 public:
  serve::RequestHook hook() {
    return [this](const serve::RequestRecord& r) {
      std::lock_guard<std::mutex> lock(mu_);
      records_.push_back(r);
      cv_.notify_all();
    };
  }
  // The record of `id`, waiting up to 30 s for the hook (it runs after the body was sent).
  std::optional<serve::RequestRecord> wait_for(const std::string& id) {
    std::unique_lock<std::mutex> lock(mu_);
    std::optional<serve::RequestRecord> found;
    cv_.wait_for(lock, std::chrono::seconds(30), [&] {
      for (const auto& r : records_) {
        if (r.context.id == id) found = r;
      }
      return found.has_value();
    });
    return found;
  }
  // The first record with `route` and a generation (for requests whose id the client never saw).
  std::optional<serve::RequestRecord> wait_for_generation(const std::string& route) {
    std::unique_lock<std::mutex> lock(mu_);
    std::optional<serve::RequestRecord> found;
    cv_.wait_for(lock, std::chrono::seconds(30), [&] {
      for (const auto& r : records_) {
        if (r.route == route && r.generated) found = r;
      }
      return found.has_value();
    });
    return found;
  }
  std::vector<serve::RequestRecord> records() {
    std::lock_guard<std::mutex> lock(mu_);
    return records_;
  }
  size_t count(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    size_t n = 0;
    for (const auto& r : records_) n += r.context.id == id;
    return n;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<serve::RequestRecord> records_;
};

}  // namespace ondo::testing
