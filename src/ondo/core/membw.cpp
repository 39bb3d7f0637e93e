// The triad kernel and its timing. Layer: core. Scalar C++ on purpose: the loop is memory
// bound, and -O2 vectorizes it with whatever the default target allows.
#include "ondo/core/membw.h"

#include <chrono>
#include <cstdlib>
#include <new>
#include <string>

namespace ondo::core {
namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double* alloc_doubles(size_t n) {
  const size_t bytes = (n * sizeof(double) + 63) / 64 * 64;
  return static_cast<double*>(std::aligned_alloc(64, bytes));
}

// a = b + s * c over [begin, end)
void triad(double* __restrict a, const double* __restrict b, const double* __restrict c, double s,
           int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i) a[i] = b[i] + s * c[i];
}

}  // namespace

Result<std::unique_ptr<TriadArrays>> TriadArrays::create(size_t n) {
  std::unique_ptr<TriadArrays> t(new TriadArrays());
  t->n_ = n;
  t->a_ = alloc_doubles(n);
  t->b_ = alloc_doubles(n);
  t->c_ = alloc_doubles(n);
  if (n == 0 || !t->a_ || !t->b_ || !t->c_) {
    return make_error(ErrorCode::ResourceExhausted,
                      "triad: cannot allocate 3 arrays of " + std::to_string(n) + " doubles");
  }
  return t;
}

TriadArrays::~TriadArrays() {
  std::free(a_);
  std::free(b_);
  std::free(c_);
}

void TriadArrays::init(ThreadPool& pool) {
  pool.run([&](int ith, int nth) {
    int64_t b = 0, e = 0;
    split_range(int64_t(n_), ith, nth, &b, &e);
    for (int64_t i = b; i < e; ++i) {
      a_[i] = 0.0;
      b_[i] = 1.0;
      c_[i] = 2.0;
    }
  });
}

double TriadArrays::run_once(ThreadPool& pool) {
  const double t0 = now_seconds();
  pool.run([&](int ith, int nth) {
    int64_t b = 0, e = 0;
    split_range(int64_t(n_), ith, nth, &b, &e);
    triad(a_, b_, c_, kTriadScalar, b, e);
  });
  return now_seconds() - t0;
}

TriadResult TriadArrays::measure(ThreadPool& pool, int reps) {
  run_once(pool);  // warm-up: page faults, pool wake-up
  double best = 1e30, total = 0;
  for (int r = 0; r < reps; ++r) {
    const double s = run_once(pool);
    best = s < best ? s : best;
    total += s;
  }
  const double bytes = kTriadBytesPerElement * double(n_);
  TriadResult res;
  res.n_threads = pool.size();
  res.best_seconds = best;
  res.best_gbs = bytes / best / 1e9;
  res.mean_gbs = bytes / (total / reps) / 1e9;
  return res;
}

bool TriadArrays::check() const {
  const double want = 1.0 + kTriadScalar * 2.0;
  for (size_t i = 0; i < n_; i += 4093) {
    if (a_[i] != want) return false;
  }
  return n_ == 0 || a_[n_ - 1] == want;
}

Result<TriadResult> measure_triad(ThreadPool& pool, size_t mib_per_array, int reps) {
  ONDO_ASSIGN_OR_RETURN(std::unique_ptr<TriadArrays> t, TriadArrays::create(mib_per_array * 1048576 / sizeof(double)));
  t->init(pool);
  TriadResult r = t->measure(pool, reps);
  if (!t->check()) return make_error(ErrorCode::Internal, "triad: result check failed");
  return r;
}

}  // namespace ondo::core
