// TokenTable: the vocabulary's byte trie and its per-node summaries. Layer: infer
// (grammar/); reads text::Tokenizer only through its public header.
#include "ondo/infer/grammar/token_table.h"

#include <algorithm>
#include <atomic>
#include <numeric>

#include "ondo/text/tokenizer.h"

namespace ondo::infer::grammar {

int utf8_step(int state, uint8_t b) {
  const bool cont = b >= 0x80 && b <= 0xBF;
  switch (state) {
    case 0:
      if (b < 0x80) return 0;
      if (b >= 0xC2 && b <= 0xDF) return 1;
      if (b == 0xE0) return 4;
      if (b == 0xED) return 5;
      if (b >= 0xE1 && b <= 0xEF) return 2;
      if (b == 0xF0) return 6;
      if (b >= 0xF1 && b <= 0xF3) return 3;
      if (b == 0xF4) return 7;
      return -1;
    case 1: return cont ? 0 : -1;
    case 2: return cont ? 1 : -1;
    case 3: return cont ? 2 : -1;
    case 4: return b >= 0xA0 && b <= 0xBF ? 1 : -1;
    case 5: return b >= 0x80 && b <= 0x9F ? 1 : -1;
    case 6: return b >= 0x90 && b <= 0xBF ? 2 : -1;
    case 7: return b >= 0x80 && b <= 0x8F ? 2 : -1;
    default: return -1;
  }
}

std::shared_ptr<const TokenTable> TokenTable::from_tokenizer(const text::Tokenizer& tokenizer) {
  std::vector<Entry> entries(size_t(tokenizer.n_vocab()));
  for (int32_t id = 0; id < tokenizer.n_vocab(); ++id) {
    Entry& e = entries[size_t(id)];
    if (tokenizer.is_end_of_generation(id)) {
      e.kind = Kind::EndOfGeneration;
    } else if (tokenizer.is_control(id)) {
      e.kind = Kind::Control;
    } else {
      e.bytes = tokenizer.piece(id, false);
    }
  }
  return from_entries(std::move(entries));
}

std::shared_ptr<const TokenTable> TokenTable::from_entries(std::vector<Entry> entries) {
  return std::shared_ptr<const TokenTable>(new TokenTable(std::move(entries)));
}

TokenTable::TokenTable(std::vector<Entry> entries) : entries_(std::move(entries)) {
  static std::atomic<uint64_t> next_serial{1};
  serial_ = next_serial++;
  in_trie_.assign(entries_.size(), 0);
  for (size_t id = 0; id < entries_.size(); ++id) {
    const Entry& e = entries_[id];
    if (e.kind == Kind::EndOfGeneration) eog_.push_back(int32_t(id));
    in_trie_[id] = e.kind == Kind::Normal && !e.bytes.empty() && e.bytes.size() <= kMaxTokenBytes;
  }
  build_trie();
  summarize();
}

// Sorted token strings -> trie nodes in depth-first order (a node's subtree is contiguous,
// and so are its tokens' ranks, because ranks follow the sorted order).
void TokenTable::build_trie() {
  std::vector<int32_t> ids;
  for (size_t id = 0; id < entries_.size(); ++id) {
    if (in_trie_[id]) ids.push_back(int32_t(id));
  }
  std::sort(ids.begin(), ids.end(), [&](int32_t a, int32_t b) {
    return entries_[size_t(a)].bytes < entries_[size_t(b)].bytes || (entries_[size_t(a)].bytes == entries_[size_t(b)].bytes && a < b);
  });
  nodes_.assign(1, Node{});
  parent_.assign(1, 0);
  std::vector<uint32_t> path{0};
  std::string_view prev;
  auto close = [&](uint32_t n) {
    nodes_[n].end = uint32_t(nodes_.size());
    nodes_[n].tok_end = uint32_t(rank_to_id_.size());
  };
  for (const int32_t id : ids) {
    const std::string_view s = entries_[size_t(id)].bytes;
    size_t lcp = 0;
    while (lcp < s.size() && lcp < prev.size() && s[lcp] == prev[lcp]) ++lcp;
    lcp = std::min(lcp, path.size() - 1);
    while (path.size() - 1 > lcp) {
      close(path.back());
      path.pop_back();
    }
    for (size_t k = lcp; k < s.size(); ++k) {
      Node n;
      n.byte = uint8_t(s[k]);
      n.depth = uint16_t(k + 1);
      n.tok_begin = n.tok_self_end = uint32_t(rank_to_id_.size());
      parent_.push_back(path.back());
      path.push_back(uint32_t(nodes_.size()));
      nodes_.push_back(n);
    }
    max_depth_ = std::max(max_depth_, s.size());
    rank_to_id_.push_back(id);
    nodes_[path.back()].tok_self_end = uint32_t(rank_to_id_.size());
    prev = s;
  }
  while (!path.empty()) {
    close(path.back());
    path.pop_back();
  }
}

// Bottom-up summaries. ok_from[n] has bit q when every path below n is well-formed UTF-8
// (possibly cut short at its end) if decoding starts in utf8_step state q.
void TokenTable::summarize() {
  std::vector<uint8_t> ok_from(nodes_.size(), 0xFF);
  for (size_t i = nodes_.size(); i-- > 1;) {
    const Node& c = nodes_[i];
    Node& p = nodes_[parent_[i]];
    if (c.byte < 0x80) {
      p.ascii_below[c.byte >> 6] |= uint64_t(1) << (c.byte & 63);
    } else {
      p.flags |= kNonAsciiBelow;
    }
    p.ascii_below[0] |= c.ascii_below[0];
    p.ascii_below[1] |= c.ascii_below[1];
    p.flags |= c.flags & kNonAsciiBelow;
    p.height = std::max<uint16_t>(p.height, uint16_t(c.height + 1));
    uint8_t ok = 0;
    for (int q = 0; q < 8; ++q) {
      const int next = utf8_step(q, c.byte);
      if (next >= 0 && ((ok_from[i] >> next) & 1)) ok |= uint8_t(1 << q);
    }
    ok_from[parent_[i]] &= ok;
  }
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (ok_from[i] & 1) nodes_[i].flags |= kUtf8Below;
  }
  parent_.clear();
  parent_.shrink_to_fit();
}

}  // namespace ondo::infer::grammar
