// Prefix cache of KV blocks. Layer: infer.
#include "ondo/infer/scheduler/prefix_cache.h"

#include <algorithm>
#include <cstring>

namespace ondo::infer {

PrefixCache::PrefixCache(std::string model_identity, int32_t n_layer, int32_t kv_dim, int32_t block_tokens,
                         uint64_t budget_bytes)
    : n_layer_(n_layer), kv_dim_(kv_dim), block_(block_tokens), budget_(budget_bytes) {
  const core::Sha256Digest d = core::sha256("ondo-prefix-cache/1\n" + model_identity);
  root_.assign(reinterpret_cast<const char*>(d.data()), d.size());
  block_bytes_ = 2ull * uint64_t(n_layer) * uint64_t(block_tokens) * uint64_t(kv_dim) * sizeof(float);
}

std::string PrefixCache::next_key(const std::string& prev, std::span<const int32_t> block) const {
  core::Sha256 h;
  h.update(prev);
  h.update(block.data(), block.size_bytes());
  const core::Sha256Digest d = h.finish();
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

// The base model's chains start at root_ (keys as before variants existed); a variant's at
// SHA-256(root_, "variant", variant).
std::string PrefixCache::root_key(std::string_view variant) const {
  if (variant.empty()) return root_;
  core::Sha256 h;
  h.update(root_);
  h.update(std::string_view("\nvariant\n"));
  h.update(variant);
  const core::Sha256Digest d = h.finish();
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

int32_t PrefixCache::restore(std::span<const int32_t> tokens, int32_t max_tokens, model::KvStore& kv, int32_t seq,
                             std::string_view variant) {
  if (budget_ < block_bytes_) return 0;
  queries_.fetch_add(1);
  std::string key = root_key(variant);
  int32_t n = 0;
  const size_t per_layer = size_t(block_) * size_t(kv_dim_);
  std::vector<std::list<std::string>::iterator> used;
  while (n + block_ <= max_tokens && size_t(n + block_) <= tokens.size()) {
    key = next_key(key, tokens.subspan(size_t(n), size_t(block_)));
    auto it = map_.find(key);
    if (it == map_.end()) break;
    for (int32_t l = 0; l < n_layer_; ++l) {
      std::memcpy(kv.k + kv.offset(l, seq, n), it->second.k.data() + size_t(l) * per_layer, per_layer * sizeof(float));
      std::memcpy(kv.v + kv.offset(l, seq, n), it->second.v.data() + size_t(l) * per_layer, per_layer * sizeof(float));
    }
    used.push_back(it->second.lru);
    n += block_;
  }
  // most recent = shortest prefix, so eviction takes the deepest blocks of a chain first
  for (auto r = used.rbegin(); r != used.rend(); ++r) lru_.splice(lru_.begin(), lru_, *r);
  if (n > 0) hits_.fetch_add(1);
  return n;
}

void PrefixCache::store(std::span<const int32_t> tokens, int32_t n, const model::KvStore& kv, int32_t seq,
                        std::string_view variant) {
  if (budget_ < block_bytes_) return;
  std::string key = root_key(variant);
  const size_t per_layer = size_t(block_) * size_t(kv_dim_);
  for (int32_t b = 0; b + block_ <= n; b += block_) {
    key = next_key(key, tokens.subspan(size_t(b), size_t(block_)));
    auto it = map_.find(key);
    if (it != map_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.lru);
      continue;
    }
    evict_to(budget_ - block_bytes_);
    Entry e;
    e.k.resize(per_layer * size_t(n_layer_));
    e.v.resize(per_layer * size_t(n_layer_));
    for (int32_t l = 0; l < n_layer_; ++l) {
      std::memcpy(e.k.data() + size_t(l) * per_layer, kv.k + kv.offset(l, seq, b), per_layer * sizeof(float));
      std::memcpy(e.v.data() + size_t(l) * per_layer, kv.v + kv.offset(l, seq, b), per_layer * sizeof(float));
    }
    lru_.push_front(key);
    e.lru = lru_.begin();
    map_.emplace(key, std::move(e));
    bytes_.fetch_add(block_bytes_);
  }
}

void PrefixCache::evict_to(uint64_t budget) {
  while (bytes_.load() > budget && !lru_.empty()) {
    map_.erase(lru_.back());
    lru_.pop_back();
    bytes_.fetch_sub(block_bytes_);
  }
}

}  // namespace ondo::infer
