// Writing and reading llama.cpp LoRA adapter GGUFs (adapter_file.h). Layer: train.
#include "ondo/train/lora/adapter_file.h"

#include <cstring>
#include <map>

#include "ondo/core/fp16.h"
#include "ondo/gguf/reader.h"

namespace ondo::train::lora {
namespace {

std::vector<uint8_t> encode(const std::vector<float>& v, core::DType type) {
  std::vector<uint8_t> out;
  if (type == core::DType::F16) {
    out.resize(v.size() * 2);
    for (size_t i = 0; i < v.size(); ++i) {
      const uint16_t h = core::f32_to_fp16(v[i]);
      std::memcpy(out.data() + 2 * i, &h, 2);
    }
  } else {
    out.resize(v.size() * 4);
    std::memcpy(out.data(), v.data(), out.size());
  }
  return out;
}

Result<std::unique_ptr<gguf::Writer>> make_writer(const AdapterFile& a) {
  if (a.type != core::DType::F32 && a.type != core::DType::F16) {
    return make_error(ErrorCode::InvalidArgument, "adapter tensors must be F32 or F16");
  }
  auto w = std::make_unique<gguf::Writer>();
  w->set_string("general.architecture", a.architecture);
  w->set_string("general.type", "adapter");
  w->set_string("adapter.type", "lora");
  w->set_f32("adapter.lora.alpha", a.alpha);
  for (const auto& [k, v] : a.extra) w->set(k, v);
  for (const AdapterPair& p : a.pairs) {
    if (p.rank < 1 || p.n_in < 1 || p.n_out < 1 || p.a.size() != size_t(p.rank * p.n_in) ||
        p.b.size() != size_t(p.rank * p.n_out)) {
      return make_error(ErrorCode::InvalidArgument, "adapter pair '" + p.weight + "' has inconsistent sizes");
    }
    ONDO_TRY(w->add_tensor_owned(p.weight + ".lora_a", a.type, {p.n_in, p.rank}, encode(p.a, a.type)));
    ONDO_TRY(w->add_tensor_owned(p.weight + ".lora_b", a.type, {p.rank, p.n_out}, encode(p.b, a.type)));
  }
  return w;
}

Result<std::vector<float>> decode(const gguf::GgufFile& f, const gguf::TensorInfo& t) {
  std::vector<float> out(size_t(t.n_elements()));
  if (t.type == core::DType::F32) {
    std::memcpy(out.data(), t.data, out.size() * 4);
  } else if (t.type == core::DType::F16) {
    for (size_t i = 0; i < out.size(); ++i) {
      uint16_t h;
      std::memcpy(&h, t.data + 2 * i, 2);
      out[i] = core::fp16_to_f32(h);
    }
  } else {
    return make_error(ErrorCode::Unsupported,
                      f.name() + ": tensor '" + std::string(t.name) + "' is not F32 or F16 (adapters are read as such)");
  }
  return out;
}

}  // namespace

Status write_adapter_file(const AdapterFile& a, const std::filesystem::path& path, core::Env& env) {
  ONDO_ASSIGN_OR_RETURN(auto w, make_writer(a));
  return w->write(path, env);
}

Result<std::vector<uint8_t>> adapter_file_bytes(const AdapterFile& a) {
  ONDO_ASSIGN_OR_RETURN(auto w, make_writer(a));
  return w->to_bytes();
}

Result<AdapterFile> read_adapter_file(const std::filesystem::path& path) {
  ONDO_ASSIGN_OR_RETURN(auto f, gguf::GgufFile::open(path));
  AdapterFile out;
  ONDO_ASSIGN_OR_RETURN(std::string_view gtype, f->get_string("general.type"));
  ONDO_ASSIGN_OR_RETURN(std::string_view atype, f->get_string("adapter.type"));
  if (gtype != "adapter" || atype != "lora") {
    return make_error(ErrorCode::InvalidFile, f->name() + ": not a LoRA adapter (general.type '" + std::string(gtype) +
                                                  "', adapter.type '" + std::string(atype) + "')");
  }
  ONDO_ASSIGN_OR_RETURN(std::string_view arch, f->get_string("general.architecture"));
  out.architecture = std::string(arch);
  ONDO_ASSIGN_OR_RETURN(double alpha, f->get_float_or("adapter.lora.alpha", 0.0));
  out.alpha = float(alpha);
  for (const gguf::KeyValue& kv : f->metadata()) {
    if (kv.key == "general.architecture" || kv.key == "general.type" || kv.key == "adapter.type" ||
        kv.key == "adapter.lora.alpha" || kv.key == "general.alignment") {
      continue;
    }
    out.extra.emplace_back(std::string(kv.key), gguf::MetaValue::from(kv.value));
  }
  bool first = true;
  for (const gguf::TensorInfo& t : f->tensors()) {
    std::string_view name = t.name;
    if (!name.ends_with(".lora_a")) {
      if (name.ends_with(".lora_b")) continue;
      return make_error(ErrorCode::InvalidFile,
                        f->name() + ": tensor '" + std::string(name) + "' is neither .lora_a nor .lora_b");
    }
    if (first) out.type = t.type, first = false;
    const std::string weight(name.substr(0, name.size() - 7));
    const gguf::TensorInfo* tb = f->find_tensor(weight + ".lora_b");
    if (!tb) return make_error(ErrorCode::InvalidFile, f->name() + ": '" + weight + ".lora_a' has no .lora_b");
    if (t.shape.size() != 2 || tb->shape.size() != 2 || t.shape[1] != tb->shape[0]) {
      return make_error(ErrorCode::InvalidFile, f->name() + ": '" + weight +
                                                    "' lora_a ne {n_in, rank} and lora_b ne {rank, n_out} disagree");
    }
    AdapterPair p;
    p.weight = weight;
    p.n_in = t.shape[0], p.rank = t.shape[1], p.n_out = tb->shape[1];
    ONDO_ASSIGN_OR_RETURN(p.a, decode(*f, t));
    ONDO_ASSIGN_OR_RETURN(p.b, decode(*f, *tb));
    out.pairs.push_back(std::move(p));
  }
  for (const gguf::TensorInfo& t : f->tensors()) {
    std::string_view name = t.name;
    if (name.ends_with(".lora_b") && !f->find_tensor(std::string(name.substr(0, name.size() - 7)) + ".lora_a")) {
      return make_error(ErrorCode::InvalidFile, f->name() + ": '" + std::string(name) + "' has no .lora_a");
    }
  }
  if (out.pairs.empty()) return make_error(ErrorCode::InvalidFile, f->name() + ": adapter holds no lora tensors");
  return out;
}

}  // namespace ondo::train::lora
