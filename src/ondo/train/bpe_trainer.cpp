// SentencePiece-style BPE training (byte fallback). Layer: train.
#include "ondo/train/bpe_trainer.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <unordered_map>

#include "ondo/gguf/keys.h"

namespace ondo::train {
namespace {

constexpr std::string_view kSpace = "\xE2\x96\x81";  // U+2581

size_t utf8_len(unsigned char c) {
  if (c < 0x80) return 1;
  if ((c >> 5) == 0x6) return 2;
  if ((c >> 4) == 0xE) return 3;
  if ((c >> 3) == 0x1E) return 4;
  return 1;
}

// Splits normalized text ("▁" for spaces, one in front) into words, each a list of
// characters, and counts them.
void count_words(const std::string& text, std::map<std::string, int64_t>& words) {
  std::string norm(kSpace);
  for (char ch : text) {
    if (ch == ' ') norm += kSpace;
    else norm += ch;
  }
  size_t start = 0;
  for (size_t i = 0; i < norm.size();) {
    const size_t n = std::min(utf8_len(static_cast<unsigned char>(norm[i])), norm.size() - i);
    if (i > start && norm.compare(i, kSpace.size(), kSpace) == 0) {
      words[norm.substr(start, i - start)] += 1;
      start = i;
    }
    i += n;
  }
  if (start < norm.size()) words[norm.substr(start)] += 1;
}

std::vector<std::string> split_chars(const std::string& w) {
  std::vector<std::string> out;
  for (size_t i = 0; i < w.size();) {
    const size_t n = std::min(utf8_len(static_cast<unsigned char>(w[i])), w.size() - i);
    out.push_back(w.substr(i, n));
    i += n;
  }
  return out;
}

struct Word {
  std::vector<int32_t> sym;  // ids into `symbols`
  int64_t count;
};

// The most frequent adjacent pair (ties: smallest ids), or count 0.
std::pair<std::pair<int32_t, int32_t>, int64_t> best_pair(const std::vector<Word>& words) {
  std::unordered_map<uint64_t, int64_t> counts;
  for (const Word& w : words) {
    for (size_t i = 0; i + 1 < w.sym.size(); ++i) {
      counts[(uint64_t(uint32_t(w.sym[i])) << 32) | uint32_t(w.sym[i + 1])] += w.count;
    }
  }
  uint64_t best_key = 0;
  int64_t best = 0;
  for (const auto& [key, c] : counts) {
    if (c > best || (c == best && key < best_key)) best_key = key, best = c;
  }
  return {{int32_t(best_key >> 32), int32_t(best_key & 0xFFFFFFFFu)}, best};
}

// Repeatedly fuses the most frequent adjacent pair into a new symbol until `budget` new
// symbols exist or no pair occurs twice; returns the new symbols' texts in merge order.
std::vector<std::string> learn_merges(std::vector<Word>& words, std::vector<std::string>& symbols,
                                      std::unordered_map<std::string, int32_t>& sym_id, int32_t budget) {
  std::vector<std::string> merged;
  while (int32_t(merged.size()) < budget) {
    const auto [pair, count] = best_pair(words);
    if (count < 2) break;
    std::string text = symbols[size_t(pair.first)] + symbols[size_t(pair.second)];
    // a text already made through another split is reused: only its occurrences fuse
    if (!sym_id.count(text)) {
      sym_id[text] = int32_t(symbols.size());
      symbols.push_back(text);
      merged.push_back(text);
    }
    const int32_t id = sym_id[text];
    for (Word& w : words) {
      size_t out = 0;
      for (size_t i = 0; i < w.sym.size(); ++i) {
        if (i + 1 < w.sym.size() && w.sym[i] == pair.first && w.sym[i + 1] == pair.second) {
          w.sym[out++] = id;
          ++i;
        } else {
          w.sym[out++] = w.sym[i];
        }
      }
      w.sym.resize(out);
    }
  }
  return merged;
}

}  // namespace

Result<TrainedVocab> train_bpe(std::span<const std::string> texts, const BpeTrainOptions& o) {
  TrainedVocab v;
  auto add = [&](std::string t, float score, int32_t type) {
    v.tokens.push_back(std::move(t));
    v.scores.push_back(score);
    v.types.push_back(type);
  };
  add("<unk>", 0.0f, 2);
  add("<s>", 0.0f, 3);
  add("</s>", 0.0f, 3);
  for (const std::string& c : o.control_tokens) add(c, 0.0f, 3);
  for (int b = 0; b < 256; ++b) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "<0x%02X>", b);
    add(buf, 0.0f, 6);
  }
  const int32_t fixed = int32_t(v.tokens.size());
  if (o.vocab_size <= fixed) {
    return make_error(ErrorCode::InvalidArgument, "tokenizer: vocabulary size " + std::to_string(o.vocab_size) +
                                                      " leaves no room beyond the " + std::to_string(fixed) +
                                                      " fixed tokens");
  }
  std::map<std::string, int64_t> word_counts;
  for (const std::string& t : texts) count_words(t, word_counts);
  if (word_counts.empty()) return make_error(ErrorCode::InvalidArgument, "tokenizer: no training text");

  // Characters by frequency (ties: byte order), as many as fit.
  std::map<std::string, int64_t> char_counts;
  for (const auto& [w, c] : word_counts) {
    for (const std::string& ch : split_chars(w)) char_counts[ch] += c;
  }
  std::vector<std::pair<std::string, int64_t>> chars(char_counts.begin(), char_counts.end());
  std::stable_sort(chars.begin(), chars.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::vector<std::string> symbols;
  std::unordered_map<std::string, int32_t> sym_id;
  for (const auto& [ch, c] : chars) {
    if (c < o.min_char_count || fixed + int32_t(symbols.size()) >= o.vocab_size) break;
    sym_id[ch] = int32_t(symbols.size());
    symbols.push_back(ch);
  }
  // Words as symbol lists; a character without a symbol splits the word (byte fallback).
  std::vector<Word> words;
  for (const auto& [w, c] : word_counts) {
    Word cur{{}, c};
    for (const std::string& ch : split_chars(w)) {
      auto it = sym_id.find(ch);
      if (it == sym_id.end()) {
        if (cur.sym.size() > 1) words.push_back(cur);
        cur.sym.clear();
      } else {
        cur.sym.push_back(it->second);
      }
    }
    if (cur.sym.size() > 1) words.push_back(cur);
  }
  const int32_t n_chars = int32_t(symbols.size());
  const std::vector<std::string> merged = learn_merges(words, symbols, sym_id, o.vocab_size - fixed - n_chars);
  v.n_merges = int32_t(merged.size());
  for (int32_t i = 0; i < n_chars; ++i) add(symbols[size_t(i)], -float(v.n_merges + i), 1);
  for (int32_t i = 0; i < v.n_merges; ++i) add(merged[size_t(i)], -float(i), 1);
  return v;
}

void write_tokenizer_metadata(const TrainedVocab& v, gguf::Writer& w) {
  namespace k = gguf::keys;
  w.set_string(k::kTokModel, "llama");
  w.set_array(k::kTokTokens, std::span<const std::string>(v.tokens));
  w.set_array(k::kTokScores, std::span<const float>(v.scores));
  w.set_array(k::kTokTypes, std::span<const int32_t>(v.types));
  w.set_u32(k::kTokUnk, 0);
  w.set_u32(k::kTokBos, 1);
  w.set_u32(k::kTokEos, 2);
  w.set_bool(k::kTokAddBos, true);
  w.set_bool(k::kTokAddEos, false);
  w.set_bool(k::kTokAddSpacePrefix, true);
}

}  // namespace ondo::train
