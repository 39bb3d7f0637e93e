// TokenTable: the byte strings of a vocabulary arranged for fast grammar masking: a byte
// trie in depth-first order where every subtree's tokens are one contiguous "rank" range,
// with per-node summaries (ASCII bytes below, UTF-8 well-formedness) that let the masker
// accept whole subtrees at once. Layer: infer (grammar/; uses text/ for the tokenizer).
//
// Ownership: built once per tokenizer, shared as shared_ptr<const TokenTable>.
// Thread contract: immutable after construction; share freely.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ondo::text {
class Tokenizer;
}

namespace ondo::infer::grammar {

class TokenTable {
 public:
  enum class Kind : uint8_t {
    Normal,           // its bytes are matched against the grammar
    Control,          // never allowed (control, unknown, unused, or no bytes)
    EndOfGeneration,  // allowed exactly when the grammar accepts the text so far
  };
  struct Entry {
    std::string bytes;
    Kind kind = Kind::Normal;
  };
  // A trie node; children of node i lie in [i + 1, end), in byte order.
  struct Node {
    uint32_t end = 0;           // one past the last node of this subtree
    uint32_t tok_begin = 0;     // ranks of the tokens in this subtree: [tok_begin, tok_end)
    uint32_t tok_self_end = 0;  // tokens ending exactly here: [tok_begin, tok_self_end)
    uint32_t tok_end = 0;
    uint64_t ascii_below[2] = {0, 0};  // ASCII bytes on edges below this node
    uint16_t depth = 0;
    uint16_t height = 0;        // longest path below this node, in bytes
    uint8_t byte = 0;           // the edge byte into this node
    uint8_t flags = 0;          // kNonAsciiBelow | kUtf8Below
  };
  static constexpr uint8_t kNonAsciiBelow = 1;  // some edge below carries a byte >= 0x80
  static constexpr uint8_t kUtf8Below = 2;      // every path below, read from a character
                                                // boundary, is UTF-8 (maybe cut at the end)
  static constexpr size_t kMaxTokenBytes = 4096;  // longer tokens are never allowed

  // Normal = neither control nor end-of-generation, with a non-empty piece(id).
  static std::shared_ptr<const TokenTable> from_tokenizer(const text::Tokenizer& tokenizer);
  static std::shared_ptr<const TokenTable> from_entries(std::vector<Entry> entries);

  int32_t n_vocab() const { return int32_t(entries_.size()); }
  size_t n_words() const { return (entries_.size() + 63) / 64; }  // mask size in uint64_t
  Kind kind(int32_t id) const { return entries_[size_t(id)].kind; }
  std::string_view bytes(int32_t id) const { return entries_[size_t(id)].bytes; }
  // Whether token `id` takes part in matching (Normal, non-empty, not too long).
  bool matchable(int32_t id) const { return in_trie_[size_t(id)] != 0; }
  const std::vector<int32_t>& eog_ids() const { return eog_; }
  std::span<const Node> nodes() const { return nodes_; }
  std::span<const int32_t> rank_to_id() const { return rank_to_id_; }
  size_t max_depth() const { return max_depth_; }
  uint64_t serial() const { return serial_; }  // unique per table in this process

 private:
  explicit TokenTable(std::vector<Entry> entries);
  void build_trie();
  void summarize();

  std::vector<Entry> entries_;
  std::vector<uint8_t> in_trie_;
  std::vector<int32_t> eog_;
  std::vector<Node> nodes_;
  std::vector<uint32_t> parent_;
  std::vector<int32_t> rank_to_id_;
  size_t max_depth_ = 0;
  uint64_t serial_ = 0;
};

// UTF-8 decoding as a tiny automaton: state 0 is a character boundary, 1-3 need that many
// continuation bytes, 4-7 are the constrained second bytes after E0, ED, F0, F4.
// Returns the next state, or -1 when `b` cannot follow.
int utf8_step(int state, uint8_t b);

}  // namespace ondo::infer::grammar
