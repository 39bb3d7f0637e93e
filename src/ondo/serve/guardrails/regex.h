// A compiled PCRE2 pattern over UTF-8 text (8-bit code units, UTF and UCP on), with a match
// limit so a hostile pattern cannot spin for long. Layer: serve (guardrails; pure, no HTTP).
// Thread contract: a Regex is immutable after compile(); find_all() may run from many threads.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ondo/core/result.h"

namespace ondo::serve::guardrails {

// A byte range [begin, end) of a text.
struct Span {
  size_t begin = 0;
  size_t end = 0;
  bool operator==(const Span&) const = default;
};

// Whether `text` is well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
bool valid_utf8(std::string_view text);

class Regex {
 public:
  // Errors: InvalidArgument naming `what`, the offset and PCRE2's message.
  static Result<Regex> compile(std::string_view pattern, bool caseless, std::string_view what);

  // Every non-overlapping match, left to right (an empty match advances one character).
  // Errors: InvalidArgument when the match limit is hit (the pattern backtracks too much) or
  // the text is not valid UTF-8.
  Result<std::vector<Span>> find_all(std::string_view text) const;

 private:
  struct Code;
  std::shared_ptr<const Code> code_;
  std::string what_;
};

}  // namespace ondo::serve::guardrails
