// GrammarCache: SHA-256-keyed LRU of compiled grammars. Layer: serve.
#include "ondo/serve/grammar_cache.h"

#include "ondo/core/sha256.h"

namespace ondo::serve {

GrammarCache::GrammarCache(size_t max_entries, size_t max_bytes)
    : max_entries_(max_entries < 1 ? 1 : max_entries), max_bytes_(max_bytes) {}

size_t GrammarCache::estimate_bytes(const infer::grammar::Grammar& g, size_t source_bytes) {
  return source_bytes + g.n_rules() * 64 + g.n_elements() * 16 + 4096;
}

Result<GrammarCache::GrammarPtr> GrammarCache::get(std::string_view kind, std::string_view text,
                                                   const Compile& compile) {
  core::Sha256 h;
  h.update(kind);
  h.update(std::string_view("\0", 1));
  h.update(text);
  const std::string key = core::to_hex(h.finish());
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = index_.find(key);
    if (it != index_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      ++hits_;
      return it->second->grammar;
    }
    ++misses_;
  }
  ONDO_ASSIGN_OR_RETURN(GrammarPtr g, compile());
  const size_t bytes = estimate_bytes(*g, text.size());
  if (bytes > max_bytes_) return g;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_.find(key);
  if (it != index_.end()) return it->second->grammar;  // another thread compiled it meanwhile
  lru_.push_front({key, g, bytes});
  index_.emplace(key, lru_.begin());
  bytes_ += bytes;
  evict_locked();
  return g;
}

void GrammarCache::evict_locked() {
  while (!lru_.empty() && (lru_.size() > max_entries_ || bytes_ > max_bytes_)) {
    bytes_ -= lru_.back().bytes;
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
}

GrammarCache::Stats GrammarCache::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {lru_.size(), bytes_, hits_, misses_};
}

}  // namespace ondo::serve
