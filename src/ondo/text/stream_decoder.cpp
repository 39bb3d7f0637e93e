// StreamDecoder: detokenization for streaming output that never splits a UTF-8
// sequence across two chunks (see tokenizer.h). Layer: text.
#include "ondo/text/tokenizer.h"

namespace ondo::text {
namespace {

// Bytes a lead byte announces; 0 for bytes that cannot start a sequence.
size_t sequence_length(uint8_t b) {
  if (b < 0x80) return 1;
  if (b >= 0xC0 && b < 0xE0) return 2;
  if (b >= 0xE0 && b < 0xF0) return 3;
  if (b >= 0xF0 && b < 0xF8) return 4;
  return 0;
}

bool is_continuation(uint8_t b) { return (b & 0xC0) == 0x80; }

// The length of the prefix of `s` that can be released: everything except a trailing
// sequence that is still incomplete but could yet become valid.
size_t releasable(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const size_t len = sequence_length(uint8_t(s[i]));
    if (len <= 1) { ++i; continue; }  // ASCII, or an invalid byte passed through
    size_t k = 1;
    while (k < len && i + k < s.size() && is_continuation(uint8_t(s[i + k]))) ++k;
    if (k == len) { i += len; continue; }
    if (i + k == s.size()) return i;  // incomplete at the end: hold back
    ++i;                              // broken by a non-continuation byte: pass the lead through
  }
  return s.size();
}

}  // namespace

StreamDecoder::StreamDecoder(const Tokenizer& tok, bool render_special)
    : tok_(tok), render_special_(render_special) {}

std::string StreamDecoder::push(int32_t id) {
  pending_ += tok_.piece(id, render_special_);
  const size_t n = releasable(pending_);
  std::string out = pending_.substr(0, n);
  pending_.erase(0, n);
  return out;
}

std::string StreamDecoder::flush() {
  std::string out;
  out.swap(pending_);
  return out;
}

}  // namespace ondo::text
