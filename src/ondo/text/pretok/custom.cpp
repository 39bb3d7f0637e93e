// Hand-written splitters for the GPT-2 and Llama 3 pre-tokenizer regexes. They reproduce
// llama.cpp's unicode_regex_split_custom_gpt2/_llama3 (upstream 34af94cd), which differ
// from a regex engine in small ways that the reference vectors depend on: e.g. "\s+(?!\S)"
// leaves the last whitespace of a run for the next word only when the run is longer than
// one and does not end the segment. Layer: text.
#include "ondo/text/pretok/pretok.h"
#include "ondo/text/unicode.h"

namespace ondo::text {
namespace {

using unicode::classes;
using unicode::kOutOfRange;
constexpr uint16_t kL = unicode::kLetter;
constexpr uint16_t kN = unicode::kNumber;
constexpr uint16_t kWs = unicode::kWhitespace;

// One segment [ini, end) of the code points, with the cursor helpers both splitters use.
struct Segment {
  const std::vector<uint32_t>& cpts;
  size_t ini, end;
  std::vector<size_t>* out;
  size_t prev_end;

  uint32_t cpt(size_t p) const { return p >= ini && p < end ? cpts[p] : kOutOfRange; }
  uint16_t cls(size_t p) const { return p >= ini && p < end ? classes(cpts[p]) : 0; }
  // Emits [prev_end, e) as one word when non-empty; returns e.
  size_t emit(size_t e) {
    if (e > prev_end) out->push_back(e - prev_end);
    prev_end = e;
    return e;
  }
  // 's 't 'm 'd 're 've 'll at p (letters lower-cased first when `fold`); the length or 0.
  size_t contraction(size_t p, bool fold) const {
    if (cpt(p) != '\'' || p + 1 >= end) return 0;
    auto low = [&](size_t q) { return fold ? unicode::to_lower(cpt(q)) : cpt(q); };
    const uint32_t a = low(p + 1);
    if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
    if (p + 2 >= end) return 0;
    const uint32_t b = low(p + 2);
    if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
    return 0;
  }
  // Whitespace: "\s+(?!\S)" keeps the last one back when more follow; else "\s+".
  size_t whitespace_run(size_t pos) {
    size_t n = 0;
    while (cls(pos + n) & kWs) ++n;
    if (n > 1 && cpt(pos + n) != kOutOfRange) return emit(pos + n - 1);
    if (n > 0) return emit(pos + n);
    return emit(pos + 1);  // no alternative matched: the character stands alone
  }
};

// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
size_t gpt2_step(Segment& s, size_t pos) {
  if (size_t n = s.contraction(pos, false)) return s.emit(pos + n);
  const uint32_t c = s.cpt(pos);
  const uint16_t f = (c == ' ') ? s.cls(pos + 1) : s.cls(pos);
  const size_t start = pos + (c == ' ' ? 1 : 0);
  if (f & kL) {
    pos = start;
    while (s.cls(pos) & kL) ++pos;
    return s.emit(pos);
  }
  if (f & kN) {
    pos = start;
    while (s.cls(pos) & kN) ++pos;
    return s.emit(pos);
  }
  if (!(f & (kWs | kL | kN)) && f != 0) {
    pos = start;
    for (uint16_t g = s.cls(pos); !(g & (kWs | kL | kN)) && g != 0; g = s.cls(++pos)) {}
    return s.emit(pos);
  }
  return s.whitespace_run(pos);
}

// (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*
// |\s*[\r\n]+|\s+(?!\S)|\s+
size_t llama3_step(Segment& s, size_t pos) {
  if (size_t n = s.contraction(pos, true)) return s.emit(pos + n);
  const uint32_t c = s.cpt(pos);
  const uint16_t f = s.cls(pos);
  if (!(c == '\r' || c == '\n' || (f & kN)) && ((f & kL) || (s.cls(pos + 1) & kL))) {
    ++pos;
    while (s.cls(pos) & kL) ++pos;
    return s.emit(pos);
  }
  if (f & kN) {
    size_t ini = pos;
    while (s.cls(pos) & kN) {
      if (++pos - ini >= 3) ini = s.emit(pos);
    }
    return s.emit(pos);
  }
  // llama.cpp tests the first character's class here (not the one after the space).
  const uint16_t f2 = (c == ' ') ? s.cls(pos + 1) : f;
  if (!(f2 & (kWs | kL | kN)) && f != 0) {
    pos += (c == ' ');
    for (uint16_t g = f2; !(g & (kWs | kL | kN)) && g != 0; g = s.cls(++pos)) {}
    while (s.cpt(pos) == '\r' || s.cpt(pos) == '\n') ++pos;
    return s.emit(pos);
  }
  size_t n = 0, last_newline_end = 0;
  while (s.cls(pos + n) & kWs) {
    const uint32_t w = s.cpt(pos + n);
    if (w == '\r' || w == '\n') last_newline_end = pos + n + 1;
    ++n;
  }
  if (last_newline_end > 0) return s.emit(last_newline_end);  // \s*[\r\n]+
  return s.whitespace_run(pos);
}

template <class Step>
std::vector<size_t> split_with(const std::vector<uint32_t>& cpts, const std::vector<size_t>& segs, Step step) {
  std::vector<size_t> out;
  out.reserve(segs.size());
  size_t start = 0;
  for (size_t len : segs) {
    Segment s{cpts, start, start + len, &out, start};
    for (size_t pos = start; pos < start + len;) pos = step(s, pos);
    start += len;
  }
  return out;
}

}  // namespace

std::vector<size_t> split_gpt2(const std::vector<uint32_t>& cpts, const std::vector<size_t>& segs) {
  return split_with(cpts, segs, gpt2_step);
}

std::vector<size_t> split_llama3(const std::vector<uint32_t>& cpts, const std::vector<size_t>& segs) {
  return split_with(cpts, segs, llama3_step);
}

}  // namespace ondo::text
