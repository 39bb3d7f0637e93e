// Helpers for the grammar tests: a small hand-made vocabulary and byte-level matching.
// Layer: tests of infer/grammar.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ondo/infer/grammar/grammar.h"
#include "ondo/infer/grammar/matcher.h"
#include "ondo/infer/grammar/token_table.h"

namespace ondo::infer::grammar::testing {

// Tokens: 0 = EOG, 1 = control, 2 = empty normal, then every single byte 0x00-0xFF
// (ids 3..258), then the multi-byte strings given.
inline std::shared_ptr<const TokenTable> small_table(const std::vector<std::string>& extra = {}) {
  std::vector<TokenTable::Entry> e;
  e.push_back({"", TokenTable::Kind::EndOfGeneration});
  e.push_back({"<ctl>", TokenTable::Kind::Control});
  e.push_back({"", TokenTable::Kind::Normal});
  for (int b = 0; b < 256; ++b) e.push_back({std::string(1, char(b)), TokenTable::Kind::Normal});
  for (const auto& s : extra) e.push_back({s, TokenTable::Kind::Normal});
  return TokenTable::from_entries(std::move(e));
}

inline int32_t byte_token(uint8_t b) { return 3 + b; }

// Whether the grammar accepts exactly `text` (fed byte by byte through the token API).
inline bool accepts(const std::shared_ptr<const Grammar>& g, std::string_view text) {
  static const auto table = small_table();
  Matcher m(g, table);
  for (const char c : text) {
    if (!m.accept(byte_token(uint8_t(c))).ok()) return false;
  }
  return m.can_stop();
}

inline std::shared_ptr<const Grammar> gbnf(std::string_view text) {
  auto g = parse_gbnf(text);
  EXPECT_TRUE(g.ok()) << g.error().message;
  return g.ok() ? *g : nullptr;
}

inline bool bit(const std::vector<uint64_t>& m, int32_t id) { return (m[size_t(id) >> 6] >> (id & 63)) & 1; }

}  // namespace ondo::infer::grammar::testing
