// PrefixCache: KV blocks of prompt prefixes, so requests sharing a system prompt or an
// earlier turn reuse its KV instead of recomputing it. Layer: infer.
// A block holds `block_tokens` positions of K and V for every layer. Its key chains
// SHA-256 over the model identity and every token up to the block's end, so a block is only
// ever reused after exactly the same preceding tokens. Eviction is LRU under a byte budget.
// Thread contract: used by the scheduler's loop thread only; stats() is thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <list>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ondo/core/sha256.h"
#include "ondo/model/batch.h"

namespace ondo::infer {

class PrefixCache {
 public:
  PrefixCache(std::string model_identity, int32_t n_layer, int32_t kv_dim, int32_t block_tokens,
              uint64_t budget_bytes);

  // Copies the KV of the longest cached prefix of `tokens` (whole blocks, at most
  // `max_tokens` tokens) into slot `seq` of `kv`; returns its length in tokens. `variant`
  // names what else decides the K/V besides the tokens (the LoRA adapters and scales,
  // model::lora_set_key; "" for the base model): it is part of every block's key.
  int32_t restore(std::span<const int32_t> tokens, int32_t max_tokens, model::KvStore& kv, int32_t seq,
                  std::string_view variant = {});
  // Stores every whole block of tokens[0, n) not yet cached, from slot `seq` of `kv`.
  void store(std::span<const int32_t> tokens, int32_t n, const model::KvStore& kv, int32_t seq,
             std::string_view variant = {});

  int32_t block_tokens() const { return block_; }
  uint64_t queries() const { return queries_.load(); }
  uint64_t hits() const { return hits_.load(); }
  uint64_t bytes() const { return bytes_.load(); }

 private:
  struct Entry {
    std::vector<float> k, v;  // [n_layer][block][kv_dim]
    std::list<std::string>::iterator lru;
  };
  std::string next_key(const std::string& prev, std::span<const int32_t> block) const;
  std::string root_key(std::string_view variant) const;
  void evict_to(uint64_t budget);

  std::string root_;  // key of the empty prefix
  int32_t n_layer_, kv_dim_, block_;
  uint64_t budget_;
  uint64_t block_bytes_;
  std::unordered_map<std::string, Entry> map_;
  std::list<std::string> lru_;  // front: most recently used
  std::atomic<uint64_t> queries_{0}, hits_{0}, bytes_{0};
};

}  // namespace ondo::infer
