// ComputePool: the process's one set of compute threads (DESIGN "Threads"), shared by every
// served model, the trainer, quantization and weight preparation. Layer: core.
//
// It owns ONE ThreadPool of `-t` participants and lends it out by exclusive leases: a caller
// takes a lease at a priority, runs one unit of work (a scheduler step, a trainer step, a
// tensor to quantize) on lease.pool(), and releases it. At most one lease is held at a time,
// so the process never runs more than size() compute threads (the lease holder is
// participant 0). Waiting Serving work is granted before waiting Background work; within a
// priority, leases are granted in request order (no barging). Background work can wait
// indefinitely while serving work keeps arriving; that is the intent.
// Thread contract: acquire() from any thread; a Lease is used and released by its thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "ondo/core/thread_pool.h"

namespace ondo::core {

enum class Priority { Serving = 0, Background = 1 };

class ComputePool {
 public:
  // Requires: n_threads >= 1 (smaller values are raised to 1).
  explicit ComputePool(int n_threads);
  ComputePool(const ComputePool&) = delete;
  ComputePool& operator=(const ComputePool&) = delete;

  int size() const { return pool_.size(); }

  // Exclusive use of the pool until destroyed (move-only).
  class Lease {
   public:
    Lease(Lease&& other) noexcept : owner_(other.owner_) { other.owner_ = nullptr; }
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    ~Lease() {
      if (owner_) owner_->release();
    }
    ThreadPool& pool() const { return owner_->pool_; }

   private:
    friend class ComputePool;
    explicit Lease(ComputePool* owner) : owner_(owner) {}
    ComputePool* owner_;
  };

  // Blocks until the pool is free and no earlier request of this priority, and (for
  // Background) no Serving request, is waiting.
  Lease acquire(Priority priority);

  // Callers blocked in acquire() at `priority` now (for metrics and tests).
  int waiting(Priority priority) const;
  // Leases granted so far.
  uint64_t grants() const;

 private:
  void release();

  ThreadPool pool_;
  mutable std::mutex mu_;  // guards everything below
  std::condition_variable cv_;
  bool held_ = false;
  uint64_t next_ticket_[2] = {0, 0};  // per priority: tickets handed out
  uint64_t head_ticket_[2] = {0, 0};  // per priority: the next ticket to grant
  uint64_t grants_ = 0;
};

}  // namespace ondo::core
