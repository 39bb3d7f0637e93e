// The Ollama API's view of a model file (model_card.h): GGUF metadata as JSON, Ollama's
// spellings of parameter size and quantization, and a digest of the file's header. Layer:
// serve. Reads only the GgufFile it is given.
#include "ondo/serve/model_card.h"

#include <cstdio>
#include <ctime>
#include <map>

#include "ondo/core/sha256.h"
#include "ondo/gguf/keys.h"
#include "ondo/model/quantize/preset.h"

namespace ondo::serve {
namespace {

using json = nlohmann::ordered_json;

json scalar_json(const gguf::Value& v) {
  using gguf::ValueType;
  switch (v.type()) {
    case ValueType::Bool: return v.as_bool().value_or(false);
    case ValueType::String: return std::string(v.as_string().value_or(""));
    case ValueType::Float32:
    case ValueType::Float64: return v.as_float().value_or(0.0);
    case ValueType::UInt64:
      if (auto u = v.as_uint()) return *u;
      return nullptr;
    default:
      if (auto i = v.as_int()) return *i;
      return nullptr;
  }
}

json value_json(const gguf::Value& v, int depth = 0) {
  if (v.type() != gguf::ValueType::Array) return scalar_json(v);
  json out = json::array();
  if (v.size() > kMaxShownArray || depth > 4) return out;
  for (uint64_t i = 0; i < v.size(); ++i) out.push_back(value_json(v.at(i), depth + 1));
  return out;
}

uint64_t parameter_count(const gguf::GgufFile& file) {
  if (const gguf::Value* v = file.find("general.parameter_count")) {
    if (auto n = v->as_uint(); n && *n > 0) return *n;
  }
  uint64_t n = 0;
  for (const auto& t : file.tensors()) n += uint64_t(t.n_elements());
  return n;
}

// general.file_type's preset name, else the type holding most of the 2-D weights' bytes.
std::string quantization_level(const gguf::GgufFile& file) {
  if (const gguf::Value* v = file.find(gguf::keys::kFileType)) {
    if (auto ft = v->as_uint()) {
      for (const auto& p : model::quantize::presets()) {
        if (uint64_t(p.file_type) == *ft) return std::string(p.name);
      }
    }
  }
  std::map<std::string, uint64_t> bytes;
  for (const auto& t : file.tensors()) {
    if (t.shape.size() >= 2) bytes[std::string(core::dtype_name(t.type))] += t.nbytes;
  }
  std::string best;
  uint64_t most = 0;
  for (const auto& [name, n] : bytes) {
    if (n > most) {
      most = n;
      best = name;
    }
  }
  return best;
}

// sha256 over the metadata keys and values and the tensor table: names a model's content
// without reading gigabytes of weights.
std::string header_digest(const gguf::GgufFile& file, const json& info) {
  core::Sha256 h;
  h.update(info.dump(-1, ' ', false, json::error_handler_t::replace));
  for (const auto& t : file.tensors()) {
    h.update(t.name);
    const std::string row = ":" + std::string(core::dtype_name(t.type)) + ":" + std::to_string(t.offset) + ":" +
                            std::to_string(t.nbytes) + ";";
    h.update(row);
  }
  h.update(std::to_string(file.file_size()));
  return core::to_hex(h.finish());
}

}  // namespace

std::string parameter_size_text(uint64_t n) {
  char buf[32];
  if (n >= 1000000000ull) std::snprintf(buf, sizeof buf, "%.1fB", double(n) / 1e9);
  else if (n >= 1000000ull) std::snprintf(buf, sizeof buf, "%.2fM", double(n) / 1e6);
  else if (n >= 1000ull) std::snprintf(buf, sizeof buf, "%.2fK", double(n) / 1e3);
  else std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(n));
  return buf;
}

std::string rfc3339_utc(int64_t unix_seconds) {
  const std::time_t t = std::time_t(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

ModelCard model_card_from_gguf(const gguf::GgufFile& file) {
  ModelCard c;
  if (const gguf::Value* a = file.find(gguf::keys::kArchitecture)) c.family = std::string(a->as_string().value_or(""));
  const uint64_t n_params = parameter_count(file);
  c.parameter_size = parameter_size_text(n_params);
  c.quantization_level = quantization_level(file);
  c.size_bytes = file.file_size();
  bool has_count = false;
  for (const auto& kv : file.metadata()) {
    if (kv.key == "tokenizer.chat_template") continue;  // shown as "template"
    has_count = has_count || kv.key == "general.parameter_count";
    c.model_info[std::string(kv.key)] = value_json(kv.value);
  }
  if (!has_count) c.model_info["general.parameter_count"] = n_params;
  c.digest = header_digest(file, c.model_info);
  return c;
}

}  // namespace ondo::serve
