// ThreadPool: workers spin briefly on a generation counter, then sleep on it
// (std::atomic::wait, a futex on Linux), so back-to-back kernel launches cost little.
// Layer: core.
#include "ondo/core/thread_pool.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "ondo/core/check.h"

namespace ondo::core {
namespace {

constexpr int kSpinIterations = 1 << 14;

std::atomic<int> g_participants{0};  // participants of run()s in progress, all pools
std::atomic<int> g_peak{0};

// Counts a run()'s participants for its lifetime.
class ParticipantCount {
 public:
  explicit ParticipantCount(int n) : n_(n) {
    const int now = g_participants.fetch_add(n, std::memory_order_relaxed) + n;
    int peak = g_peak.load(std::memory_order_relaxed);
    while (now > peak && !g_peak.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
    }
  }
  ~ParticipantCount() { g_participants.fetch_sub(n_, std::memory_order_relaxed); }

 private:
  int n_;
};

inline void cpu_relax() {
#if defined(__x86_64__)
  _mm_pause();
#endif
}

// Spins briefly, then yields the core: with more participants than free cores (an
// oversubscribed machine) pure spinning would starve the thread being waited for.
class Backoff {
 public:
  void pause() {
    if (++n_ < 256) {
      cpu_relax();
    } else {
      std::this_thread::yield();
    }
  }

 private:
  int n_ = 0;
};

}  // namespace

ThreadPool::ThreadPool(int n_threads) : n_threads_(n_threads < 1 ? 1 : n_threads) {
  workers_.reserve(size_t(n_threads_ - 1));
  for (int i = 1; i < n_threads_; ++i) workers_.emplace_back([this, i] { worker(i); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true, std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  generation_.notify_all();
  for (auto& t : workers_) t.join();
}

int ThreadPool::peak_participants() { return g_peak.load(); }

void ThreadPool::reset_peak_participants() { g_peak.store(g_participants.load()); }

void ThreadPool::set_preemption(const std::atomic<bool>* requested, YieldFn yield, void* ctx) {
  preempt_requested_ = requested;
  preempt_yield_ = yield;
  preempt_ctx_ = ctx;
}

void ThreadPool::run_erased(Thunk thunk, void* ctx) {
  // One relaxed load per run(); the owner re-checks under its lock before it yields.
  if (preempt_requested_ && preempt_requested_->load(std::memory_order_relaxed)) preempt_yield_(preempt_ctx_);
  const ParticipantCount count(n_threads_);
  if (n_threads_ == 1) {
    thunk(ctx, 0, 1);
    return;
  }
  thunk_ = thunk;
  ctx_ = ctx;
  done_.store(0, std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  generation_.notify_all();
  thunk(ctx, 0, n_threads_);
  done_.fetch_add(1, std::memory_order_acq_rel);
  Backoff backoff;
  while (done_.load(std::memory_order_acquire) != n_threads_) backoff.pause();
}

void ThreadPool::worker(int ith) {
  uint32_t seen = 0;
  while (true) {
    int spins = 0;
    uint32_t g;
    while ((g = generation_.load(std::memory_order_acquire)) == seen) {
      if (++spins < kSpinIterations) {
        if (spins % 256 == 0) std::this_thread::yield();
        cpu_relax();
      } else {
        generation_.wait(seen, std::memory_order_acquire);
      }
    }
    seen = g;
    if (stop_.load(std::memory_order_acquire)) return;
    thunk_(ctx_, ith, n_threads_);
    done_.fetch_add(1, std::memory_order_acq_rel);
  }
}

void ThreadPool::barrier() {
  if (n_threads_ == 1) return;
  const uint32_t phase = barrier_phase_.load(std::memory_order_acquire);
  if (barrier_count_.fetch_add(1, std::memory_order_acq_rel) == n_threads_ - 1) {
    barrier_count_.store(0, std::memory_order_relaxed);
    barrier_phase_.fetch_add(1, std::memory_order_acq_rel);
    return;
  }
  Backoff backoff;
  while (barrier_phase_.load(std::memory_order_acquire) == phase) backoff.pause();
}

}  // namespace ondo::core
