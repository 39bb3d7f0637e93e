// GrammarCache: compiled grammars (JSON Schema, GBNF, tool-call grammars) shared across
// requests and models, keyed by the SHA-256 of their kind and canonical source text, in a
// least-recently-used list bounded by count and by an estimate of memory. A grammar carries
// its per-vocabulary mask caches with it, so a cached grammar also keeps its masks warm.
// Layer: serve. Thread contract: every member is safe from any thread (one mutex).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "ondo/core/result.h"
#include "ondo/infer/grammar/grammar.h"

namespace ondo::serve {

class GrammarCache {
 public:
  using GrammarPtr = std::shared_ptr<const infer::grammar::Grammar>;
  using Compile = std::function<Result<GrammarPtr>()>;

  // Requires: max_entries >= 1.
  GrammarCache(size_t max_entries, size_t max_bytes);

  // The grammar for (kind, text): cached, or made by `compile` (outside the lock) and
  // inserted. Errors from `compile` are returned and not cached. A grammar larger than
  // max_bytes alone is returned but not kept.
  Result<GrammarPtr> get(std::string_view kind, std::string_view text, const Compile& compile);

  struct Stats {
    size_t entries = 0;
    size_t bytes = 0;
    uint64_t hits = 0;
    uint64_t misses = 0;
  };
  Stats stats() const;

  // The memory a grammar is counted as: its rules and elements (its engines' state and mask
  // caches are bounded by the engine's own limits and not counted).
  static size_t estimate_bytes(const infer::grammar::Grammar& g, size_t source_bytes);

 private:
  struct Entry {
    std::string key;
    GrammarPtr grammar;
    size_t bytes = 0;
  };
  void evict_locked();

  const size_t max_entries_;
  const size_t max_bytes_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // most recent first; guarded by mu_
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;  // guarded by mu_
  size_t bytes_ = 0;      // guarded by mu_
  uint64_t hits_ = 0;     // guarded by mu_
  uint64_t misses_ = 0;   // guarded by mu_
};

}  // namespace ondo::serve
