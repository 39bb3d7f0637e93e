// MemoryLimiter: the limit counters of a store that one process owns (the SQLite engine).
// Minute windows and in-flight leases live in memory only (a restart starts them afresh);
// budget spend is loaded from the store on first use of a (key, period) and the engine writes
// each settlement's use through to the store, so spend survives restarts. Layer: store
// (internal to it).
// Thread contract: every method is safe from any thread (one mutex; `load` runs under it).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

#include "ondo/core/result.h"
#include "ondo/store/limits.h"

namespace ondo::store {

struct Spend {
  int64_t tokens = 0;
  int64_t nano_usd = 0;
};

class MemoryLimiter {
 public:
  // The settled spend of a key in a period, as the store holds it.
  using LoadSpend = std::function<Result<Spend>(const std::string& key_id, int64_t period_start)>;
  explicit MemoryLimiter(LoadSpend load) : load_(std::move(load)) {}

  // Errors: those of `load`, as they are.
  Result<LimitState> admit(const AdmitRequest& r);
  // Corrects the memory counters (the engine writes the use through itself).
  void settle(const Settlement& s);
  // The counters now, changing nothing but expired leases. Errors: those of `load`.
  Result<LimitState> peek(const std::string& key_id, const LimitRules& rules, int64_t now_ms);

 private:
  struct KeyState {
    int64_t window_start = INT64_MIN;
    int64_t requests = 0;
    int64_t tokens = 0;
    std::map<std::string, int64_t> leases;  // lease id -> expiry (Unix ms)
    std::map<int64_t, Spend> spend;         // period start -> settled + reserved
  };
  // The key's state at `now_ms` (window rolled, leases reaped, the period's spend loaded) and
  // the counters as a LimitState. Requires mu_.
  Result<LimitState> current(KeyState& k, const std::string& key_id, const LimitRules& rules, int64_t now_ms);

  LoadSpend load_;
  std::mutex mu_;
  std::unordered_map<std::string, KeyState> keys_;  // guarded by mu_
};

}  // namespace ondo::store
