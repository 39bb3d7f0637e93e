// Malformed request bodies for the parsers' mutation tests: one of the seed bodies with 1 to 4
// random edits (a byte replaced, bytes erased, a byte inserted, or the tail of another seed
// spliced in). Deterministic for a given generator state. Test support only.
#pragma once

#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace ondo::testing {

// JSON's punctuation, digits, the letters of its literals, an escape start and a byte that is
// never UTF-8.
inline constexpr std::string_view kJsonMutationBytes = "{}[]\":,0123456789-.eE truefalsnul\\u\xff";
// The same with a NUL byte.
inline constexpr std::string_view kJsonMutationBytesWithNul{"{}[]\":,0123456789-.eE truefalsnul\\u\xff\0", 37};

inline std::string mutate_body(const std::vector<std::string>& seeds, std::mt19937& rng, std::string_view alphabet) {
  std::string s = seeds[rng() % seeds.size()];
  const int edits = 1 + int(rng() % 4);
  for (int e = 0; e < edits && !s.empty(); ++e) {
    const size_t pos = rng() % s.size();
    switch (rng() % 4) {
      case 0: s[pos] = alphabet[rng() % alphabet.size()]; break;
      case 1: s.erase(pos, 1 + rng() % 8); break;
      case 2: s.insert(pos, 1, alphabet[rng() % alphabet.size()]); break;
      default: s = s.substr(0, pos) + seeds[rng() % seeds.size()].substr(rng() % 20); break;
    }
  }
  return s;
}

}  // namespace ondo::testing
