// libFuzzer target for the GGUF reader: parses arbitrary bytes, touches every metadata value
// (nested arrays included) and every tensor byte range, then checks that a file the reader
// accepts survives a Writer round trip. Layer: fuzz (links every ondo layer). Any crash,
// sanitizer report or trap here is a validation bug in gguf/.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "ondo/gguf/reader.h"
#include "ondo/gguf/writer.h"

namespace {

using ondo::gguf::Value;
using ondo::gguf::ValueType;

volatile uint64_t sink;  // keeps the reads in touch() from being optimized away

// Folds every reachable byte of a value into `acc` so that out-of-bounds views are read.
void touch(const Value& v, uint64_t& acc) {
  acc += uint64_t(v.type());
  if (v.type() == ValueType::String) {
    const std::string_view s = *v.as_string();
    for (const char c : s) acc += uint8_t(c);
    return;
  }
  if (v.type() != ValueType::Array) {
    acc += v.as_uint().value_or(1) + uint64_t(v.as_int().value_or(2));
    acc += v.as_float() ? 3 : 0;
    acc += v.as_bool().value_or(false) ? 5 : 7;
    return;
  }
  for (uint64_t i = 0; i < v.size(); ++i) touch(v.at(i), acc);
  auto s = v.to_strings();
  auto f = v.to_floats();
  auto n = v.to_ints();
  acc += (s.ok() ? s->size() : 0) + (f.ok() ? f->size() : 0) + (n.ok() ? n->size() : 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parsed = ondo::gguf::GgufFile::from_memory(std::span<const uint8_t>(data, size), "fuzz");
  if (!parsed.ok()) {
    if (parsed.error().message.rfind("fuzz: ", 0) != 0) __builtin_trap();  // must name the file
    return 0;
  }
  const ondo::gguf::GgufFile& f = **parsed;
  uint64_t acc = 0;
  ondo::gguf::Writer w;
  w.copy_metadata(f);
  for (const ondo::gguf::KeyValue& kv : f.metadata()) {
    touch(kv.value, acc);
    if (f.find(kv.key) != &kv.value) __builtin_trap();
    acc += f.get_uint(kv.key).ok() + f.get_string(kv.key).ok() + f.get_float(kv.key).ok();
  }
  for (const ondo::gguf::TensorInfo& t : f.tensors()) {
    acc += uint64_t(t.n_elements());
    if (t.nbytes > 0) acc += t.data[0] + t.data[t.nbytes - 1];
    if (!w.add_tensor(t.name, t.type, t.shape, std::span<const uint8_t>(t.data, t.nbytes)).ok()) {
      __builtin_trap();  // the reader accepted a tensor the writer rejects
    }
  }
  // Whatever the reader accepts, the writer must reproduce in a form the reader accepts
  // (skipped where the copy would be far larger than the input: tensors may share bytes).
  uint64_t total = 0;
  for (const ondo::gguf::TensorInfo& t : f.tensors()) total += t.nbytes;
  sink = acc;
  if (total > 16 * uint64_t(size) + 4096 || f.alignment() > 4096) return 0;
  auto bytes = w.to_bytes();
  if (!bytes.ok()) return 0;  // e.g. a huge alignment value the writer refuses
  auto again = ondo::gguf::GgufFile::from_memory(*bytes, "fuzz-rt");
  if (!again.ok() || (*again)->metadata().size() != f.metadata().size() ||
      (*again)->tensors().size() != f.tensors().size()) {
    __builtin_trap();
  }
  return 0;
}
