// The regex oracle of the pre-tokenizer tests: a family's regexes run by PCRE2 in full
// Unicode mode (UTF + UCP: real \p{..} classes, no collapsing, no hand-written splitter),
// applied in order the way llama.cpp's unicode_regex_split applies them: each regex splits
// every piece the previous one left, with the piece alone as its subject; matches and the
// stretches between them are pieces. Test support only.
#pragma once

#define PCRE2_CODE_UNIT_WIDTH 32
#include <pcre2.h>

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <random>
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

// Building blocks of the generated strings.
inline const std::vector<std::string> kWhitespace = {
    " ", "  ", "   ", "\t", "\t\t", " \t", "\t ", "\n", "\n\n", "\n\n\n", "\r\n", "\r\n\r\n", "\r",
    " \n", "\n ", "\n\t", "\t\n", " \r\n ", "\n    ", "\n\t\t", "\v", "\f", "\xC2\xA0" /* U+00A0 */,
    "\xE2\x80\x83" /* U+2003 */, "\xE2\x80\xA8" /* U+2028 */, "\xE3\x80\x80" /* U+3000 */};
inline const std::vector<std::string> kCode = {
    "if", "(x)", "{", "}", "return", ";", "==", "foo_bar", "//", "#include", "<stdio.h>", "x1", "123",
    "4567", "3.14", "->", "<<", "\"str\"", "`", "$", "|", "^", "+=", "'s", "'ll", "'T", "'RE", "don't",
    "int", "main()", "[0]", "@", "%", "&&", "!", "?", ":", ",", ".", "-", "_", "=", "*", "/"};
inline const std::vector<std::string> kUnicode = {
    "\xC3\xA9" /* é */, "na\xC3\xAFve", "\xD0\x96" /* Ж */, "\xD0\xBC\xD0\xB8\xD1\x80" /* мир */,
    "\xE4\xB8\xAD\xE6\x96\x87" /* 中文 */, "\xE6\x97\xA5\xE6\x9C\xAC" /* 日本 */, "\xE3\x81\x8B\xE3\x81\xAA" /* かな */,
    "\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4" /* 한국어 */, "\xD9\xA1\xD9\xA2\xD9\xA3" /* ١٢٣ */,
    "\xC2\xBD" /* ½ */, "\xE2\x85\xAB" /* Ⅻ */, "\xE2\x80\xA6" /* … */, "\xE2\x80\x94" /* — */,
    "\xE3\x80\x81" /* 、 */, "\xE3\x80\x82" /* 。 */, "\xE2\x82\xAC" /* € */, "\xF0\x9F\x98\x80" /* 😀 */,
    "e\xCC\x81" /* e + U+0301 */, "\xC3\x9F" /* ß */, "\xC7\x85" /* ǅ (Lt) */, "\xCA\xB0" /* ʰ (Lm) */,
    "\xEF\xBC\x81" /* ！ */, "\xEF\xBC\x91" /* １ */, "\xC2\xA9" /* © */, "\xE2\x88\x91" /* ∑ */};

// `count` non-empty strings of 1 to 14 atoms (4 in 10 whitespace, 4 code, 2 Unicode), from a
// fixed seed; atoms `skip` names are left out.
inline std::vector<std::string> generated_strings(size_t count, uint32_t seed,
                                                  const std::function<bool(const std::string&)>& skip) {
  std::mt19937 rng(seed);
  std::vector<std::string> out;
  auto pick = [&](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
  while (out.size() < count) {
    const int atoms = 1 + int(rng() % 14);
    std::string s;
    for (int i = 0; i < atoms; ++i) {
      const uint32_t kind = rng() % 10;
      std::string a = kind < 4 ? pick(kWhitespace) : kind < 8 ? pick(kCode) : pick(kUnicode);
      if (skip && skip(a)) continue;
      s += a;
    }
    if (!s.empty()) out.push_back(std::move(s));
  }
  return out;
}

}  // namespace ondo::testing
