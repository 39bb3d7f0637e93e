// SentencePiece-style merge-by-score encoding (see spm.h). Layer: text.
#include "ondo/text/spm/spm.h"

#include <algorithm>
#include <queue>

#include "ondo/text/unicode.h"

namespace ondo::text {
namespace {

struct Symbol {
  int prev;
  int next;
  size_t begin;
  size_t len;  // 0 once merged into its left neighbour
};

struct Bigram {
  int left;
  int right;
  float score;
  size_t size;  // bytes of left + right when proposed; a stale entry no longer matches
};

// Highest score first; among equal scores the leftmost pair.
struct BigramOrder {
  bool operator()(const Bigram& a, const Bigram& b) const {
    return a.score < b.score || (a.score == b.score && a.left > b.left);
  }
};

}  // namespace

void spm_encode(const Vocab& vocab, std::string_view text, std::vector<int32_t>* out) {
  std::vector<Symbol> syms;
  syms.reserve(text.size());
  for (size_t off = 0; off < text.size();) {
    size_t len = std::min(unicode::utf8_len(uint8_t(text[off])), text.size() - off);
    int idx = int(syms.size());
    syms.push_back({idx - 1, off + len == text.size() ? -1 : idx + 1, off, len});
    off += len;
  }
  std::priority_queue<Bigram, std::vector<Bigram>, BigramOrder> queue;
  auto try_add = [&](int left, int right) {
    if (left < 0 || right < 0) return;
    const size_t size = syms[left].len + syms[right].len;
    int32_t id = vocab.find(text.substr(syms[left].begin, size));
    if (id < 0) return;
    queue.push({left, right, vocab.tokens[id].score, size});
  };
  for (int i = 1; i < int(syms.size()); ++i) try_add(i - 1, i);
  while (!queue.empty()) {
    Bigram b = queue.top();
    queue.pop();
    Symbol& l = syms[b.left];
    Symbol& r = syms[b.right];
    if (l.len == 0 || r.len == 0 || l.len + r.len != b.size) continue;
    l.len += r.len;
    r.len = 0;
    l.next = r.next;
    if (r.next >= 0) syms[r.next].prev = b.left;
    try_add(l.prev, b.left);
    try_add(b.left, l.next);
  }
  for (int i = syms.empty() ? -1 : 0; i != -1; i = syms[i].next) {
    std::string_view piece = text.substr(syms[i].begin, syms[i].len);
    int32_t id = vocab.find(piece);
    if (id >= 0) { out->push_back(id); continue; }
    for (char c : piece) {
      int32_t b = vocab.byte_token(uint8_t(c));
      if (b < 0) b = vocab.unk;
      if (b >= 0) out->push_back(b);
    }
  }
}

}  // namespace ondo::text
