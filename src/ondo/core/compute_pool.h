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
//
// Serving priority (issue 17.1). Two rules keep serving latency near idle while a job runs:
//  1. Background work runs in slices of one parallel op. A Background lease is preemptible:
//     at the start of every lease.pool().run() (the pool's preemption point) it checks one
//     flag, and when serving work waits or serving is active (rule 2) it hands the pool over
//     and sleeps until serving is done, then resumes where it was, ahead of other Background
//     requests. So serving waits for at most the rest of one op (one matmul, one attention
//     pass), not a whole trainer step. A holder that computes long outside run() calls
//     lease.yield_to_serving() between pieces. Ops with no free threads in between never
//     interleave, and each op runs on all size() participants as before, so results are
//     bitwise the same; leases change timing only.
//  2. Serving activity: a scheduler holds a ServingActivity while it has live sequences.
//     While any is held, Background is neither granted nor resumed, so a trainer cannot take
//     the pool in the microseconds between two decode steps. Background progresses whenever
//     no activity is held and no Serving lease waits.
// Requires: the holder of a ServingActivity never waits for Background work (it would wait
// for itself).
// Thread contract: acquire() and ServingActivity from any thread; a Lease is used and
// released by its thread, and only that thread calls run() on lease.pool().
#pragma once

#include <atomic>
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

  // Exclusive use of the pool until destroyed (move-only). A Background lease may be
  // suspended inside lease.pool().run() or yield_to_serving() while serving work runs.
  class Lease {
   public:
    Lease(Lease&& other) noexcept : owner_(other.owner_) { other.owner_ = nullptr; }
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    ~Lease() {
      if (owner_) owner_->release();
    }
    ThreadPool& pool() const { return owner_->pool_; }
    // For Background holders between long pieces of work outside run(): when serving work
    // waits or is active, hands the pool over and returns once it is this lease's again.
    // Returns whether it yielded. A no-op for a Serving lease.
    bool yield_to_serving() const { return owner_->yield_held(); }

   private:
    friend class ComputePool;
    explicit Lease(ComputePool* owner) : owner_(owner) {}
    ComputePool* owner_;
  };

  // Serving is active while one of these lives (RAII; neither copied nor moved).
  class ServingActivity {
   public:
    explicit ServingActivity(ComputePool& owner);
    ~ServingActivity();
    ServingActivity(const ServingActivity&) = delete;
    ServingActivity& operator=(const ServingActivity&) = delete;

   private:
    ComputePool& owner_;
  };

  // Blocks until the pool is free and no earlier request of this priority is waiting; for
  // Background also until no Serving request waits, no ServingActivity is held and no
  // suspended Background lease waits to resume.
  Lease acquire(Priority priority);

  // Callers blocked in acquire() at `priority` now (for metrics and tests).
  int waiting(Priority priority) const;
  // Leases granted so far (a resumed lease is not a new grant).
  uint64_t grants() const;
  // Times a Background lease handed the pool to serving work.
  uint64_t yields() const;
  // ServingActivity objects alive now.
  int serving_activity() const;
  // Whether a Background lease is suspended now, waiting to resume.
  bool background_suspended() const;

 private:
  void release();
  bool yield_held();
  static void yield_thunk(void* self) { static_cast<ComputePool*>(self)->yield_held(); }
  bool serving_waits_locked() const { return head_ticket_[0] != next_ticket_[0]; }
  bool must_yield_locked() const;
  void update_preempt_locked();

  ThreadPool pool_;
  mutable std::mutex mu_;  // guards everything below but preempt_
  std::condition_variable cv_;
  bool held_ = false;
  Priority holder_ = Priority::Serving;  // the priority of the held lease (when held_)
  bool suspended_ = false;                // a Background lease yielded and waits to resume
  int activity_ = 0;                      // ServingActivity objects alive
  uint64_t next_ticket_[2] = {0, 0};      // per priority: tickets handed out
  uint64_t head_ticket_[2] = {0, 0};      // per priority: the next ticket to grant
  uint64_t grants_ = 0;
  uint64_t yields_ = 0;
  // must_yield_locked(), mirrored for the pool's lock-free check at each run(); written
  // under mu_ only.
  std::atomic<bool> preempt_{false};
};

}  // namespace ondo::core
