// What the Ollama API shows about a served model (GET /api/tags, POST /api/show, GET
// /api/ps): size, digest, family, parameter size, quantization and the GGUF metadata, read
// once from the model file when it is loaded. Layer: serve (reads gguf metadata only).
// Thread contract: a ModelCard is immutable once built; share it freely.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

#include "ondo/gguf/reader.h"

namespace ondo::serve {

struct ModelCard {
  std::string family;              // general.architecture ("llama")
  std::string parameter_size;      // "8.0B", "494.03M", "260K" (Ollama's spelling)
  std::string quantization_level;  // "Q4_0", "Q8_0", "F16" (general.file_type, else the weights' type)
  uint64_t size_bytes = 0;         // the GGUF file's size
  std::string digest;              // sha256 (hex) of the metadata and tensor table (not the file)
  std::string modified_at;         // the file's modification time, RFC 3339 UTC ("" when unknown)
  // The GGUF metadata as Ollama's model_info shows it: key -> value, arrays longer than
  // kMaxShownArray shown as [] (Ollama fills them only with "verbose").
  nlohmann::ordered_json model_info = nlohmann::ordered_json::object();
  std::string template_text;       // the chat template in use (Jinja source), "" when unknown
  uint64_t loaded_bytes = 0;       // weights mapped plus KV cache (GET /api/ps "size"); set by the loader
};

inline constexpr uint64_t kMaxShownArray = 64;

// The card of `file` (size, digest, metadata). modified_at is left to the caller (it knows the
// path); loaded_bytes and template_text too. Never fails: a missing key leaves its field empty.
ModelCard model_card_from_gguf(const gguf::GgufFile& file);

// Ollama's spelling of a parameter count: "8.0B", "494.03M", "260.00K", "12".
std::string parameter_size_text(uint64_t n);

// Unix seconds as RFC 3339 UTC ("2026-12-03T06:40:19Z").
std::string rfc3339_utc(int64_t unix_seconds);

}  // namespace ondo::serve
