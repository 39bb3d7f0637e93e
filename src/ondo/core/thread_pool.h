// ThreadPool: one persistent set of worker threads that kernels split work over
// (DESIGN "Threads"). Layer: core.
//
// Thread contract: run() may be called from one thread at a time (whoever holds the
// process's ComputePool lease, see compute_pool.h); it is not reentrant. Inside the job,
// every participant may call barrier().
// Preemption point: a pool owned by a ComputePool checks one flag at the start of every
// run() and, when it is set, lets the ComputePool suspend the caller there (a Background
// lease yielding to serving work, compute_pool.h). Between two run()s no participant but
// the caller is busy, so this is the one place where the pool can change hands mid-lease.
// Accounting: every run() adds its participants to a process-wide count for its duration
// (two atomic operations by the caller per run, none per worker), so tests can check how
// many compute threads ever ran at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

namespace ondo::core {

class ThreadPool {
 public:
  // `n_threads` participants in total, the caller of run() included (>= 1).
  explicit ThreadPool(int n_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return n_threads_; }

  // Preemption point: from now on, run() first calls yield(ctx) on the caller's thread
  // whenever `*requested` reads true. Requires: called once, before any run(), with
  // `requested` and `ctx` outliving the pool (ComputePool does this for its own pool).
  using YieldFn = void (*)(void* ctx);
  void set_preemption(const std::atomic<bool>* requested, YieldFn yield, void* ctx);

  // Runs fn(ith, nth) on every participant (the caller is ith 0) and returns when all are done.
  template <class Fn>
  void run(Fn&& fn) {
    auto thunk = [](void* ctx, int ith, int nth) { (*static_cast<Fn*>(ctx))(ith, nth); };
    run_erased(thunk, &fn);
  }

  // Waits until every participant of the current run() has reached the barrier.
  void barrier();

  // The most participants of all pools' run()s in progress at one time, since the last
  // reset (process-wide).
  static int peak_participants();
  static void reset_peak_participants();

 private:
  using Thunk = void (*)(void*, int, int);
  void run_erased(Thunk thunk, void* ctx);
  void worker(int ith);

  int n_threads_;
  const std::atomic<bool>* preempt_requested_ = nullptr;  // set once before use
  YieldFn preempt_yield_ = nullptr;
  void* preempt_ctx_ = nullptr;
  std::vector<std::thread> workers_;
  Thunk thunk_ = nullptr;
  void* ctx_ = nullptr;
  alignas(64) std::atomic<uint32_t> generation_{0};  // bumped once per run()
  alignas(64) std::atomic<int> done_{0};             // participants finished with this run
  alignas(64) std::atomic<int> barrier_count_{0};
  alignas(64) std::atomic<uint32_t> barrier_phase_{0};
  std::atomic<bool> stop_{false};
};

// Splits [0, n) into `nth` near-equal contiguous ranges; returns range `ith` as [begin, end).
inline void split_range(int64_t n, int ith, int nth, int64_t* begin, int64_t* end) {
  const int64_t per = n / nth, extra = n % nth;
  *begin = ith * per + (ith < extra ? ith : extra);
  *end = *begin + per + (ith < extra ? 1 : 0);
}

}  // namespace ondo::core
