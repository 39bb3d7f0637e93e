// libFuzzer target for the importance-matrix reader (model/quantize/imatrix_file.h): parses
// arbitrary bytes as a GGUF imatrix or a legacy .dat file, derives every entry's importance,
// and checks that an accepted file survives a write/read round trip. Layer: fuzz. Any crash,
// sanitizer report or trap here is a validation bug in model/quantize.
#include <cstddef>
#include <cstdint>
#include <span>

#include "ondo/model/quantize/imatrix_file.h"

namespace mq = ondo::model::quantize;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto m = mq::parse_imatrix(std::span<const uint8_t>(data, size), "fuzz.imatrix");
  if (!m.ok()) return 0;
  volatile float sink = 0;
  for (const auto& [name, e] : m->entries) {
    for (float v : e.importance()) sink = sink + v;
  }
  auto bytes = mq::imatrix_to_bytes(*m);
  if (!bytes.ok()) return 0;  // the writer may refuse what the reader took (its own limits); not a crash
  auto back = mq::parse_imatrix(*bytes, "round-trip");
  if (!back.ok() || back->entries.size() != m->entries.size()) __builtin_trap();
  return 0;
}
