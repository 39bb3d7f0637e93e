// libFuzzer target for compile_json_schema(): arbitrary bytes parsed as JSON (key order
// kept) and compiled under small limits; a schema that compiles is then masked once over a
// small vocabulary. Layer: fuzz (links every ondo layer). A crash, hang or sanitizer report
// here is a bug in infer/grammar.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ondo/infer/grammar/json_schema.h"
#include "ondo/infer/grammar/matcher.h"

namespace {

using namespace ondo::infer::grammar;

std::shared_ptr<const TokenTable> table() {
  static const auto t = [] {
    std::vector<TokenTable::Entry> e{{"", TokenTable::Kind::EndOfGeneration}};
    for (int b = 0; b < 256; ++b) e.push_back({std::string(1, char(b)), TokenTable::Kind::Normal});
    for (const char* s : {"{\"", "\":", "\",", "\"}", "[\"", "\"]", "null", "true", "12"}) e.push_back({s, TokenTable::Kind::Normal});
    return TokenTable::from_entries(std::move(e));
  }();
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto schema = nlohmann::ordered_json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (schema.is_discarded()) return 0;
  SchemaOptions opt;
  opt.max_repeat = 200;
  opt.max_depth = 16;
  opt.max_grammar_bytes = 1 << 16;
  auto g = compile_json_schema(schema, opt);
  if (!g.ok()) return 0;
  Matcher m(*g, table());
  std::vector<uint64_t> mask(table()->n_words());
  m.fill_mask(mask);
  return 0;
}
