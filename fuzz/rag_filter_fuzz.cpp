// libFuzzer target for vector-store search filters and file attributes: parses arbitrary
// bytes as JSON, then as a filter (evaluated against fixed attributes and printed back) and
// as attributes. Layer: fuzz (links every ondo layer). A crash, hang or sanitizer report is a
// bug in rag/filter or rag/attributes; errors are expected and ignored.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ondo/rag/attributes.h"
#include "ondo/rag/filter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  static const ondo::rag::Attributes attrs = {
      {"author", std::string("ann")}, {"year", 2021.0}, {"draft", false}, {"", std::string()}};
  auto f = ondo::rag::parse_filter(j);
  if (f.ok()) {
    (void)ondo::rag::matches(*f, attrs);
    auto again = ondo::rag::parse_filter(ondo::rag::filter_to_json(*f));
    if (!again.ok()) __builtin_trap();  // printing must give back a valid filter
  }
  auto a = ondo::rag::parse_attributes(j);
  if (a.ok()) (void)ondo::rag::attributes_to_json(*a);
  return 0;
}
