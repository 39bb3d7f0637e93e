// The regex oracle of the pre-tokenizer tests: a family's regexes run by PCRE2 in full
// Unicode mode (UTF + UCP: real \p{..} classes, no collapsing, no hand-written splitter),
// applied in order the way llama.cpp's unicode_regex_split applies them: each regex splits
// every piece the previous one left, with the piece alone as its subject; matches and the
// stretches between them are pieces. Test support only.
#pragma once

#define PCRE2_CODE_UNIT_WIDTH 32
#include <pcre2.h>

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ondo/text/pretok/pretok.h"
#include "ondo/text/unicode.h"

namespace ondo::testing {

struct Oracle {
  std::vector<pcre2_code*> codes;
  Oracle() = default;
  Oracle(const Oracle&) = delete;
  ~Oracle() {
    for (pcre2_code* c : codes) pcre2_code_free(c);
  }
};

inline std::unique_ptr<Oracle> make_oracle(const text::PreTokSpec& spec) {
  auto o = std::make_unique<Oracle>();
  for (std::string_view re : spec.regexes) {
    const std::vector<uint32_t> pattern = text::unicode::decode_utf8(re);
    int err = 0;
    PCRE2_SIZE off = 0;
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                     PCRE2_UTF | PCRE2_UCP | PCRE2_DOLLAR_ENDONLY, &err, &off, nullptr);
    EXPECT_NE(code, nullptr) << spec.label << ": PCRE2 error " << err << " at " << off << " in " << re;
    if (code) o->codes.push_back(code);
  }
  return o;
}

// Pieces as [begin, end) code point ranges of `cpts`, regex after regex, each regex run on
// each piece alone as its subject (as llama.cpp runs std::regex on each offset range).
inline std::vector<std::pair<size_t, size_t>> oracle_split(const Oracle& o, const std::vector<uint32_t>& cpts) {
  std::vector<std::pair<size_t, size_t>> pieces;
  if (!cpts.empty()) pieces.push_back({0, cpts.size()});
  pcre2_match_data* md = pcre2_match_data_create(4, nullptr);
  for (pcre2_code* code : o.codes) {
    std::vector<std::pair<size_t, size_t>> next;
    for (auto [b, e] : pieces) {
      const auto subject = reinterpret_cast<PCRE2_SPTR>(cpts.data() + b);
      const size_t len = e - b;
      size_t last = 0, at = 0;
      while (at <= len) {
        const int rc = pcre2_match(code, subject, len, at, 0, md, nullptr);
        if (rc < 0) break;
        const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
        if (ov[0] > last) next.push_back({b + last, b + ov[0]});
        if (ov[1] > ov[0]) next.push_back({b + ov[0], b + ov[1]});
        last = ov[1];
        at = ov[1] > ov[0] ? ov[1] : ov[1] + 1;  // an empty match moves on one
      }
      if (last < len) next.push_back({b + last, e});
    }
    pieces = std::move(next);
  }
  pcre2_match_data_free(md);
  return pieces;
}

// The oracle's words in PreTokenizer::split's form: each byte as GPT-2's byte-level code point.
inline std::vector<std::string> oracle_words(const Oracle& o, const std::vector<uint32_t>& cpts) {
  std::vector<std::string> words;
  for (auto [b, e] : oracle_split(o, cpts)) {
    std::string utf8, word;
    for (size_t i = b; i < e; ++i) text::unicode::append_utf8(cpts[i], &utf8);
    for (unsigned char c : utf8) text::unicode::append_utf8(text::unicode::byte_to_cpt(c), &word);
    words.push_back(std::move(word));
  }
  return words;
}

}  // namespace ondo::testing
