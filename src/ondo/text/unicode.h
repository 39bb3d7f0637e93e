// Unicode helpers for the tokenizers: UTF-8 decoding with llama.cpp's error policy,
// code point classes (utf8proc's Unicode tables), case folding, the first code point of
// NFD, and GPT-2's byte <-> code point mapping. Layer: text (uses core only).
// Thread contract: every function is pure (tables are immutable) and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ondo::text::unicode {

// Code point classes, one bit each, as llama.cpp's unicode tables define them
// (upstream 34af94cd, src/unicode.h): the general category of UnicodeData.txt mapped
// to one class bit, plus White_Space (a fixed list, not \p{Z}).
enum CptClass : uint16_t {
  kUndefined = 1 << 0,    // Cn
  kNumber = 1 << 1,       // \p{N}
  kLetter = 1 << 2,       // \p{L}
  kSeparator = 1 << 3,    // \p{Z}
  kMark = 1 << 4,         // \p{M}
  kPunctuation = 1 << 5,  // \p{P}
  kSymbol = 1 << 6,       // \p{S}
  kControl = 1 << 7,      // \p{C} other than Cn
  kCategoryMask = 0xFF,
  kWhitespace = 1 << 8,   // 9-13, 32, 0x85, 0xA0, 0x1680, 0x2000-0x200A, 0x2028/9, 0x202F, 0x205F, 0x3000
};

// Class bits of `cpt`; 0 only for "no character" (kOutOfRange), so a caller can tell
// the end of a segment from an unassigned code point (kUndefined).
uint16_t classes(uint32_t cpt);
inline constexpr uint32_t kOutOfRange = 0xFFFFFFFF;

// Decodes UTF-8 like llama.cpp's unicode_cpts_from_utf8: each byte that does not start a
// well-formed sequence (bad lead, truncated, bad continuation) becomes one U+FFFD and
// decoding resumes at the next byte. Overlong forms and surrogates are accepted as
// llama.cpp accepts them; values above U+10FFFF become U+FFFD.
std::vector<uint32_t> decode_utf8(std::string_view text);
// Length of the sequence announced by a lead byte (1 for continuation and invalid bytes).
size_t utf8_len(uint8_t lead);
void append_utf8(uint32_t cpt, std::string* out);  // Requires: cpt <= 0x10FFFF
std::string to_utf8(const std::vector<uint32_t>& cpts, size_t begin, size_t end);

// Simple lower-case mapping (UnicodeData.txt field 13); cpt itself when there is none.
uint32_t to_lower(uint32_t cpt);
// The first code point of the canonical decomposition (NFD) of cpt, as llama.cpp's
// unicode_cpts_normalize_nfd maps it (e.g. U+00E9 -> 'e', U+D55C -> U+1112).
uint32_t nfd_first(uint32_t cpt);

// GPT-2 byte-level encoding: every byte maps to one printable code point
// (33-126, 161-172, 174-255 map to themselves; the other 68 to 256, 257, ...).
uint32_t byte_to_cpt(uint8_t byte);
// The byte for a code point of that mapping, or -1 when cpt is not one.
int byte_from_cpt(uint32_t cpt);

}  // namespace ondo::text::unicode
