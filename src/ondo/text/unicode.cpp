// Unicode helpers for the tokenizers (see unicode.h). Classes, case and decomposition
// come from utf8proc (Debian libutf8proc, Unicode 15). Layer: text.
#include "ondo/text/unicode.h"

#include <utf8proc.h>

#include <array>

namespace ondo::text::unicode {
namespace {

uint16_t category_class(utf8proc_category_t c) {
  switch (c) {
    case UTF8PROC_CATEGORY_CN: return kUndefined;
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: return kLetter;
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME: return kMark;
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO: return kNumber;
    case UTF8PROC_CATEGORY_PC: case UTF8PROC_CATEGORY_PD: case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE: case UTF8PROC_CATEGORY_PI: case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO: return kPunctuation;
    case UTF8PROC_CATEGORY_SM: case UTF8PROC_CATEGORY_SC: case UTF8PROC_CATEGORY_SK:
    case UTF8PROC_CATEGORY_SO: return kSymbol;
    case UTF8PROC_CATEGORY_ZS: case UTF8PROC_CATEGORY_ZL: case UTF8PROC_CATEGORY_ZP: return kSeparator;
    case UTF8PROC_CATEGORY_CC: case UTF8PROC_CATEGORY_CF: case UTF8PROC_CATEGORY_CS:
    case UTF8PROC_CATEGORY_CO: return kControl;
  }
  return kUndefined;
}

bool is_white_space(uint32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

// The 256-entry GPT-2 byte table and its inverse over code points 0..323.
struct ByteTables {
  std::array<uint32_t, 256> to_cpt{};
  std::array<int16_t, 324> from_cpt{};
  ByteTables() {
    from_cpt.fill(-1);
    auto printable = [](int b) {
      return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    };
    uint32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      to_cpt[b] = printable(b) ? uint32_t(b) : next++;
      from_cpt[to_cpt[b]] = int16_t(b);
    }
  }
};

const ByteTables& byte_tables() {
  static const ByteTables tables;
  return tables;
}

}  // namespace

uint16_t classes(uint32_t cpt) {
  if (cpt > 0x10FFFF) return cpt == kOutOfRange ? 0 : kUndefined;
  uint16_t c = category_class(utf8proc_category(int32_t(cpt)));
  if (is_white_space(cpt)) c |= kWhitespace;
  return c;
}

size_t utf8_len(uint8_t lead) {
  static constexpr uint8_t kLen[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
  return kLen[lead >> 4];
}

std::vector<uint32_t> decode_utf8(std::string_view text) {
  std::vector<uint32_t> out;
  out.reserve(text.size());
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const size_t n = text.size();
  auto cont = [&](size_t i) { return i < n && (s[i] & 0xC0) == 0x80; };
  size_t i = 0;
  while (i < n) {
    const uint8_t b = s[i];
    if (b < 0x80) { out.push_back(b); ++i; continue; }
    size_t len = 0;
    uint32_t cpt = 0;
    if ((b & 0xE0) == 0xC0) { len = 2; cpt = b & 0x1F; }
    else if ((b & 0xF0) == 0xE0) { len = 3; cpt = b & 0x0F; }
    else if ((b & 0xF8) == 0xF0) { len = 4; cpt = b & 0x07; }
    bool ok = len != 0;
    for (size_t k = 1; ok && k < len; ++k) {
      ok = cont(i + k);
      if (ok) cpt = (cpt << 6) | (s[i + k] & 0x3F);
    }
    if (!ok || cpt > 0x10FFFF) { out.push_back(0xFFFD); ++i; continue; }
    out.push_back(cpt);
    i += len;
  }
  return out;
}

void append_utf8(uint32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(char(c));
  } else if (c < 0x800) {
    out->push_back(char(0xC0 | (c >> 6)));
    out->push_back(char(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(char(0xE0 | (c >> 12)));
    out->push_back(char(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(char(0x80 | (c & 0x3F)));
  } else {
    out->push_back(char(0xF0 | (c >> 18)));
    out->push_back(char(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(char(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(char(0x80 | (c & 0x3F)));
  }
}

std::string to_utf8(const std::vector<uint32_t>& cpts, size_t begin, size_t end) {
  std::string out;
  out.reserve(end - begin);
  for (size_t i = begin; i < end; ++i) append_utf8(cpts[i], &out);
  return out;
}

uint32_t to_lower(uint32_t cpt) {
  if (cpt > 0x10FFFF) return cpt;
  return uint32_t(utf8proc_tolower(int32_t(cpt)));
}

uint32_t nfd_first(uint32_t cpt) {
  if (cpt < 0xC0 || cpt > 0x10FFFF) return cpt;
  utf8proc_int32_t buf[8];
  int last_boundclass = 0;
  utf8proc_ssize_t n = utf8proc_decompose_char(int32_t(cpt), buf, 8, UTF8PROC_DECOMPOSE,
                                               &last_boundclass);
  return n >= 1 ? uint32_t(buf[0]) : cpt;
}

uint32_t byte_to_cpt(uint8_t byte) { return byte_tables().to_cpt[byte]; }

int byte_from_cpt(uint32_t cpt) {
  return cpt < 324 ? byte_tables().from_cpt[cpt] : -1;
}

}  // namespace ondo::text::unicode
