// libFuzzer target for parse_gbnf(): arbitrary text as a grammar under small limits; a
// grammar that parses is then driven by a Matcher over a small vocabulary (mask, a few
// tokens). Layer: fuzz (links every ondo layer). A crash, hang or sanitizer report here is
// a bug in infer/grammar.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ondo/infer/grammar/grammar.h"
#include "ondo/infer/grammar/matcher.h"

namespace {

using namespace ondo::infer::grammar;

std::shared_ptr<const TokenTable> table() {
  static const auto t = [] {
    std::vector<TokenTable::Entry> e{{"", TokenTable::Kind::EndOfGeneration}, {"<c>", TokenTable::Kind::Control}};
    for (int b = 0; b < 256; ++b) e.push_back({std::string(1, char(b)), TokenTable::Kind::Normal});
    for (const char* s : {"ab", "\"}", "{\"", "\xE2\x82", "\xAC", "  ", "12", "true"}) e.push_back({s, TokenTable::Kind::Normal});
    return TokenTable::from_entries(std::move(e));
  }();
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  GrammarLimits limits;
  limits.max_text_bytes = 1 << 16;
  limits.max_elements = 1 << 16;
  limits.max_repeat = 1000;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto g = parse_gbnf(text, "root", limits);
  if (!g.ok()) return 0;
  Matcher m(*g, table());
  std::vector<uint64_t> mask(table()->n_words());
  for (size_t i = 0; i < 8; ++i) {
    m.fill_mask(mask);
    int32_t pick = -1;
    for (int32_t id = 0; id < table()->n_vocab() && pick < 0; ++id) {
      if ((mask[size_t(id) >> 6] >> (id & 63)) & 1 && (id + int32_t(i * 31 + size)) % 3 == 0) pick = id;
    }
    if (pick < 0) break;
    if (!m.accept(pick).ok()) __builtin_trap();  // the mask promised this token
  }
  (void)m.is_complete();
  return 0;
}
