// ComputePool: prioritised, exclusive, first-come leases on the one ThreadPool. Layer: core.
#include "ondo/core/compute_pool.h"

namespace ondo::core {

ComputePool::ComputePool(int n_threads) : pool_(n_threads) {}

ComputePool::Lease ComputePool::acquire(Priority priority) {
  const int p = int(priority);
  std::unique_lock<std::mutex> lock(mu_);
  const uint64_t ticket = next_ticket_[p]++;
  auto serving_waits = [&] { return head_ticket_[0] != next_ticket_[0]; };
  cv_.wait(lock, [&] {
    return !held_ && head_ticket_[p] == ticket && (priority == Priority::Serving || !serving_waits());
  });
  ++head_ticket_[p];
  held_ = true;
  ++grants_;
  return Lease(this);
}

void ComputePool::release() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    held_ = false;
  }
  cv_.notify_all();
}

int ComputePool::waiting(Priority priority) const {
  std::lock_guard<std::mutex> lock(mu_);
  const int p = int(priority);
  return int(next_ticket_[p] - head_ticket_[p]);
}

uint64_t ComputePool::grants() const {
  std::lock_guard<std::mutex> lock(mu_);
  return grants_;
}

}  // namespace ondo::core
