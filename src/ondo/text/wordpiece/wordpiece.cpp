// WordPiece basic tokenization and greedy longest-match (see wordpiece.h). Layer: text.
#include "ondo/text/wordpiece/wordpiece.h"

#include <algorithm>

#include "ondo/text/unicode.h"

namespace ondo::text {
namespace {

// CJK ideograph blocks as BERT (and llama.cpp) list them; the Extension E start is
// 0x2B920, following Hugging Face's Rust code.
bool is_chinese_char(uint32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
         (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

}  // namespace

std::vector<std::string> wordpiece_words(const Vocab& vocab, std::string_view text) {
  std::vector<std::string> words(1);
  for (uint32_t cpt : unicode::decode_utf8(text)) {
    if (vocab.strip_accents) cpt = unicode::nfd_first(cpt);
    const uint16_t cls = unicode::classes(cpt);
    if (cls & unicode::kWhitespace) {
      if (!words.back().empty()) words.emplace_back();
      continue;
    }
    if (cpt == 0 || cpt == 0xFFFD || (cls & unicode::kControl)) continue;
    if (vocab.strip_accents && (cls & unicode::kMark)) continue;
    std::string s;
    unicode::append_utf8(vocab.lowercase ? unicode::to_lower(cpt) : cpt, &s);
    if ((cls & unicode::kPunctuation) || (cpt < 0x7F && (cls & unicode::kSymbol)) || is_chinese_char(cpt)) {
      if (!words.back().empty()) words.emplace_back();
      words.back() = std::move(s);
      words.emplace_back();
    } else {
      words.back() += s;
    }
  }
  if (words.back().empty()) words.pop_back();
  return words;
}

void wordpiece_encode(const Vocab& vocab, std::string_view text, std::vector<int32_t>* out) {
  for (const std::string& word : wordpiece_words(vocab, text)) {
    if (word.empty()) continue;
    const std::string w = "\xE2\x96\x81" + word;
    const size_t n = w.size();
    const size_t start = out->size();
    for (size_t i = 0; i < n; ++i) {
      bool matched = false;
      for (size_t j = std::min(n, i + vocab.max_token_len + 1); j > i; --j) {
        int32_t id = vocab.find(std::string_view(w).substr(i, j - i));
        if (id >= 0) {
          out->push_back(id);
          matched = true;
          i = j - 1;
          break;
        }
      }
      if (!matched) {
        out->resize(start);
        break;
      }
    }
    if (out->size() == start && vocab.unk >= 0) out->push_back(vocab.unk);
  }
}

}  // namespace ondo::text
