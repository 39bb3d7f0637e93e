// Private helpers shared by the GGUF reader and writer: on-disk sizes of value types and
// type labels for messages. Layer: gguf. Not part of the public API.
#pragma once

#include <cstdint>
#include <string>

#include "ondo/gguf/reader.h"

namespace ondo::gguf::detail {

// Bytes of one scalar of `t` on disk; 0 for String and Array (variable size).
uint64_t scalar_size(ValueType t);

// "uint32", "string", "array of string", ... for messages about a value.
std::string type_label(const Value& v);

}  // namespace ondo::gguf::detail
