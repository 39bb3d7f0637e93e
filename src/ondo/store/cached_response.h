// The response cache's rows (issue 15.7): plain data the serve layer's response cache
// (serve/response_cache.h) keeps in the store. Layer: store. No behaviour.
#pragma once

#include <cstdint>
#include <string>

namespace ondo::store {

// One cached answer. The store does not read `body`; it counts `key` + `body` bytes as the
// entry's size for the size budget.
struct CachedResponse {
  std::string key;           // hex SHA-256 of the canonical request
  std::string model;         // the model alias, for people and clean-ups
  std::string body;          // the neutral generation result (serve's JSON)
  int64_t created_ms = 0;    // Unix milliseconds
  int64_t expires_ms = 0;    // not served from this time on
  int64_t last_used_ms = 0;  // written or last hit: the LRU order
  int64_t hits = 0;          // times served from the cache

  int64_t size() const { return int64_t(key.size() + body.size()); }
  bool operator==(const CachedResponse&) const = default;
};

// How much the cache holds (live and expired entries not yet removed).
struct CacheTotals {
  int64_t entries = 0;
  int64_t bytes = 0;
};

}  // namespace ondo::store
