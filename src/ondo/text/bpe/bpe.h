// Byte-level BPE merging by rank (tokenizer.ggml.merges), as llama.cpp's
// llm_tokenizer_bpe_session does it (upstream 34af94cd), with a per-word result cache.
// Layer: text. Internal to text/.
// Thread contract: immutable except the cache, which a mutex per shard guards;
// encode_word is safe to call concurrently.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/text/vocab.h"

namespace ondo::text {

class BpeModel {
 public:
  // Borrows `vocab` (must outlive the model) and indexes its merges.
  static Result<std::unique_ptr<BpeModel>> create(const Vocab& vocab);

  // Appends the ids of one pre-tokenized, byte-level-encoded word: repeatedly merges the
  // adjacent pair with the lowest rank (ties: leftmost); a final piece that is not a token
  // falls back to its single bytes' tokens (and is dropped where those are missing).
  void encode_word(std::string_view word, std::vector<int32_t>* out) const;

 private:
  explicit BpeModel(const Vocab& vocab) : vocab_(vocab) {}
  void merge_word(std::string_view word, std::vector<int32_t>* out) const;
  int32_t rank(std::string_view left, std::string_view right, std::string* key) const;

  const Vocab& vocab_;
  std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>> ranks_;  // "left right"

  static constexpr size_t kShards = 16;
  static constexpr size_t kMaxPerShard = 8192;  // a shard is cleared when it reaches this
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, std::vector<int32_t>, StringHash, std::equal_to<>> words;  // guarded by mu
  };
  mutable std::array<Shard, kShards> cache_;
};

}  // namespace ondo::text
