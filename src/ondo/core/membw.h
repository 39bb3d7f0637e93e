// STREAM-style triad memory bandwidth (a[i] = b[i] + s * c[i] over double arrays far larger
// than the caches), shared by bench/membw and `ondo bench --triad`. Layer: core.
//
// Bytes are counted the STREAM way: 24 per element (two loads and one store of 8 bytes; write
// allocation traffic is not counted), 1e9 bytes per GB. Thread contract: one measurement at a
// time per TriadArrays; the pool splits each array into contiguous per-thread ranges, and each
// participant first-touches its own range (so pages land on its NUMA node).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "ondo/core/result.h"
#include "ondo/core/thread_pool.h"

namespace ondo::core {

inline constexpr double kTriadBytesPerElement = 24.0;
inline constexpr double kTriadScalar = 3.0;

struct TriadResult {
  int n_threads = 0;
  double best_gbs = 0;  // from the fastest repetition
  double mean_gbs = 0;  // from the mean time of the repetitions
  double best_seconds = 0;
};

// Three arrays of `n` doubles, 64-byte aligned. Error (ResourceExhausted) when the memory
// cannot be had.
class TriadArrays {
 public:
  static Result<std::unique_ptr<TriadArrays>> create(size_t n);
  ~TriadArrays();
  TriadArrays(const TriadArrays&) = delete;
  TriadArrays& operator=(const TriadArrays&) = delete;

  size_t size() const { return n_; }
  // Fills b = 1, c = 2, a = 0 in parallel (first touch).
  void init(ThreadPool& pool);
  // One timed triad over the whole arrays; returns seconds.
  double run_once(ThreadPool& pool);
  // Repeats run_once `reps` times (after one untimed warm-up) and reports best and mean.
  // Requires: reps >= 1.
  TriadResult measure(ThreadPool& pool, int reps);
  // a[i] == b[i] + s * c[i] for the initial values, checked on a sample (a kernel sanity check).
  bool check() const;

 private:
  TriadArrays() = default;
  size_t n_ = 0;
  double* a_ = nullptr;
  double* b_ = nullptr;
  double* c_ = nullptr;
};

// Allocates arrays of `mib_per_array` MiB each, initializes them on `pool` and measures.
Result<TriadResult> measure_triad(ThreadPool& pool, size_t mib_per_array, int reps);

}  // namespace ondo::core
