// ComputePool: prioritised, exclusive, first-come leases on the one ThreadPool; Background
// leases yield to serving work at the pool's preemption point. Layer: core.
#include "ondo/core/compute_pool.h"

namespace ondo::core {

ComputePool::ComputePool(int n_threads) : pool_(n_threads) {
  pool_.set_preemption(&preempt_, &ComputePool::yield_thunk, this);
}

bool ComputePool::must_yield_locked() const {
  return held_ && holder_ == Priority::Background && (serving_waits_locked() || activity_ > 0);
}

void ComputePool::update_preempt_locked() { preempt_.store(must_yield_locked(), std::memory_order_relaxed); }

ComputePool::Lease ComputePool::acquire(Priority priority) {
  const int p = int(priority);
  std::unique_lock<std::mutex> lock(mu_);
  const uint64_t ticket = next_ticket_[p]++;
  if (priority == Priority::Serving) update_preempt_locked();  // a Background holder yields at its next op
  cv_.wait(lock, [&] {
    if (held_ || head_ticket_[p] != ticket) return false;
    return priority == Priority::Serving || (!serving_waits_locked() && activity_ == 0 && !suspended_);
  });
  ++head_ticket_[p];
  held_ = true;
  holder_ = priority;
  ++grants_;
  update_preempt_locked();
  return Lease(this);
}

void ComputePool::release() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    held_ = false;
    update_preempt_locked();
  }
  cv_.notify_all();
}

// Runs on the Background holder's thread: hands the pool over, then takes it back as soon
// as serving is neither waiting nor active, before any queued Background request.
bool ComputePool::yield_held() {
  std::unique_lock<std::mutex> lock(mu_);
  if (!must_yield_locked()) return false;
  held_ = false;
  suspended_ = true;
  ++yields_;
  update_preempt_locked();
  cv_.notify_all();
  cv_.wait(lock, [&] { return !held_ && !serving_waits_locked() && activity_ == 0; });
  held_ = true;
  holder_ = Priority::Background;
  suspended_ = false;
  update_preempt_locked();
  return true;
}

ComputePool::ServingActivity::ServingActivity(ComputePool& owner) : owner_(owner) {
  std::lock_guard<std::mutex> lock(owner_.mu_);
  ++owner_.activity_;
  owner_.update_preempt_locked();
}

ComputePool::ServingActivity::~ServingActivity() {
  {
    std::lock_guard<std::mutex> lock(owner_.mu_);
    --owner_.activity_;
    owner_.update_preempt_locked();
  }
  owner_.cv_.notify_all();
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

uint64_t ComputePool::yields() const {
  std::lock_guard<std::mutex> lock(mu_);
  return yields_;
}

int ComputePool::serving_activity() const {
  std::lock_guard<std::mutex> lock(mu_);
  return activity_;
}

bool ComputePool::background_suspended() const {
  std::lock_guard<std::mutex> lock(mu_);
  return suspended_;
}

}  // namespace ondo::core
