// Byte-level BPE merging by rank with a per-word cache (see bpe.h). Layer: text.
#include "ondo/text/bpe/bpe.h"

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
  int32_t rank;
  size_t size;  // bytes of left + right when proposed
};

// Lowest rank first; among equal ranks the leftmost pair.
struct BigramOrder {
  bool operator()(const Bigram& a, const Bigram& b) const {
    return a.rank > b.rank || (a.rank == b.rank && a.left > b.left);
  }
};

}  // namespace

Result<std::unique_ptr<BpeModel>> BpeModel::create(const Vocab& vocab) {
  std::unique_ptr<BpeModel> m(new BpeModel(vocab));
  m->ranks_.reserve(vocab.merges.size());
  for (size_t i = 0; i < vocab.merges.size(); ++i) {
    const std::string& line = vocab.merges[i];
    // Split at the first space after position 0, as llama.cpp does; a line without one
    // is kept as the pair ("", "") and can never match.
    size_t sp = line.size() > 1 ? line.find(' ', 1) : std::string::npos;
    std::string key = sp == std::string::npos ? std::string(" ") : line;
    m->ranks_.emplace(std::move(key), int32_t(i));  // the first occurrence keeps its rank
  }
  return m;
}

int32_t BpeModel::rank(std::string_view left, std::string_view right, std::string* key) const {
  key->assign(left);
  key->push_back(' ');
  key->append(right);
  auto it = ranks_.find(std::string_view(*key));
  return it == ranks_.end() ? -1 : it->second;
}

void BpeModel::merge_word(std::string_view word, std::vector<int32_t>* out) const {
  if (vocab_.ignore_merges) {
    int32_t id = vocab_.find(word);
    if (id >= 0) { out->push_back(id); return; }
  }
  std::vector<Symbol> syms;
  for (size_t off = 0; off < word.size();) {
    size_t len = std::min(unicode::utf8_len(uint8_t(word[off])), word.size() - off);
    int idx = int(syms.size());
    syms.push_back({idx - 1, off + len == word.size() ? -1 : idx + 1, off, len});
    off += len;
  }
  std::priority_queue<Bigram, std::vector<Bigram>, BigramOrder> queue;
  std::string key;
  auto try_add = [&](int left, int right) {
    if (left < 0 || right < 0) return;
    const Symbol& l = syms[left];
    const Symbol& r = syms[right];
    int32_t rk = rank(word.substr(l.begin, l.len), word.substr(r.begin, r.len), &key);
    if (rk >= 0) queue.push({left, right, rk, l.len + r.len});
  };
  for (int i = 1; i < int(syms.size()); ++i) try_add(i - 1, i);
  while (!queue.empty()) {
    Bigram b = queue.top();
    queue.pop();
    Symbol& l = syms[b.left];
    Symbol& r = syms[b.right];
    // Sizes only grow, so a pair whose byte count changed is stale.
    if (l.len == 0 || r.len == 0 || l.len + r.len != b.size || l.next != b.right) continue;
    l.len += r.len;
    r.len = 0;
    l.next = r.next;
    if (r.next >= 0) syms[r.next].prev = b.left;
    try_add(l.prev, b.left);
    try_add(b.left, l.next);
  }
  for (int i = syms.empty() ? -1 : 0; i != -1; i = syms[i].next) {
    std::string_view piece = word.substr(syms[i].begin, syms[i].len);
    int32_t id = vocab_.find(piece);
    if (id >= 0) { out->push_back(id); continue; }
    for (size_t k = 0; k < piece.size(); ++k) {
      int32_t b = vocab_.find(piece.substr(k, 1));
      if (b >= 0) out->push_back(b);
    }
  }
}

void BpeModel::encode_word(std::string_view word, std::vector<int32_t>* out) const {
  Shard& shard = cache_[std::hash<std::string_view>{}(word) % kShards];
  {
    std::lock_guard<std::mutex> lock(shard.mu);
    auto it = shard.words.find(word);
    if (it != shard.words.end()) {
      out->insert(out->end(), it->second.begin(), it->second.end());
      return;
    }
  }
  std::vector<int32_t> ids;
  merge_word(word, &ids);
  out->insert(out->end(), ids.begin(), ids.end());
  std::lock_guard<std::mutex> lock(shard.mu);
  if (shard.words.size() >= kMaxPerShard) shard.words.clear();
  shard.words.emplace(std::string(word), std::move(ids));
}

}  // namespace ondo::text
