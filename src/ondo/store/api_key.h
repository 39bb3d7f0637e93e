// One API key as the store keeps it (the secret itself never is). Layer: store; a plain row
// struct, as each domain's rows are (store.h holds the interface).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ondo::store {

// One API key. The secret itself is never stored: `hash` is the hex SHA-256 of it.
// Limits of 0 mean "no limit". The gateway enforces them (serve/limits.h) with the counters of
// the store's limits block (store.h, limits.h).
struct ApiKey {
  std::string id;          // the public prefix, "k" + 12 hex digits; part of the secret
  std::string hash;        // hex SHA-256 of the whole secret
  std::string name;        // a label for people
  int64_t created_at = 0;  // Unix seconds
  std::optional<int64_t> expires_at;  // Unix seconds; none: never
  std::optional<int64_t> revoked_at;  // Unix seconds; none: live
  std::vector<std::string> models;    // the model aliases it may use; empty: all
  int64_t rpm = 0;                    // requests per minute
  int64_t tpm = 0;                    // tokens per minute
  int64_t max_concurrent = 0;         // requests in flight at once
  int64_t budget_tokens = 0;          // tokens per budget period
  int64_t budget_nano_usd = 0;        // spend per budget period in nano-USD (1e-9 USD)
  std::string budget_period;          // "", "day", "week", "month" or "total"
  std::map<std::string, std::string> metadata;

  bool operator==(const ApiKey&) const = default;
};

}  // namespace ondo::store
