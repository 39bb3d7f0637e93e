// Writing a random LoRA adapter for a base (gen_lora.h). Layer: model.
#include "ondo/model/gen/gen_lora.h"

#include <cmath>
#include <cstring>
#include <random>
#include <string>

#include "ondo/core/fp16.h"
#include "ondo/gguf/keys.h"
#include "ondo/gguf/writer.h"

namespace ondo::model::gen {
namespace {

std::vector<uint8_t> random_bytes(std::mt19937_64& rng, int64_t count, float std_dev, core::DType type) {
  std::normal_distribution<float> nd(0.0f, std_dev);
  const size_t width = type == core::DType::F16 ? 2 : 4;
  std::vector<uint8_t> out(size_t(count) * width);
  for (int64_t i = 0; i < count; ++i) {
    const float v = nd(rng);
    if (type == core::DType::F16) {
      const uint16_t h = core::f32_to_fp16(v);
      std::memcpy(out.data() + size_t(i) * 2, &h, 2);
    } else {
      std::memcpy(out.data() + size_t(i) * 4, &v, 4);
    }
  }
  return out;
}

}  // namespace

Result<std::vector<uint8_t>> random_lora_bytes(const gguf::GgufFile& base, const LoraGenSpec& spec) {
  auto invalid = [](const std::string& m) { return make_error(ErrorCode::InvalidArgument, "random adapter: " + m); };
  if (spec.rank < 1) return invalid("rank must be at least 1");
  if (spec.targets.empty()) return invalid("no target weights");
  if (spec.type != core::DType::F32 && spec.type != core::DType::F16) return invalid("type must be F32 or F16");
  ONDO_ASSIGN_OR_RETURN(std::string_view arch, base.get_string(gguf::keys::kArchitecture));
  ONDO_ASSIGN_OR_RETURN(uint64_t n_layer, base.get_uint(gguf::keys::arch_key(arch, "block_count")));
  gguf::Writer w;
  w.set_string(gguf::keys::kArchitecture, arch);
  w.set_string("general.type", "adapter");
  w.set_string("adapter.type", "lora");
  w.set_f32("adapter.lora.alpha", spec.alpha);
  std::mt19937_64 rng(spec.seed);
  for (uint64_t l = 0; l < n_layer; ++l) {
    for (LoraTarget t : spec.targets) {
      const std::string name = "blk." + std::to_string(l) + "." + std::string(lora_target_name(t)) + ".weight";
      const gguf::TensorInfo* ti = base.find_tensor(name);
      if (!ti || ti->shape.size() < 2) return invalid("the base has no matrix '" + name + "'");
      const int64_t n_in = ti->shape[0], n_out = ti->shape[1], r = spec.rank;
      const float a_std = spec.a_std > 0.0f ? spec.a_std : 1.0f / std::sqrt(float(n_in));
      ONDO_TRY(w.add_tensor_owned(name + ".lora_a", spec.type, {n_in, r}, random_bytes(rng, n_in * r, a_std, spec.type)));
      ONDO_TRY(w.add_tensor_owned(name + ".lora_b", spec.type, {r, n_out},
                                  random_bytes(rng, r * n_out, spec.b_std, spec.type)));
    }
  }
  return w.to_bytes();
}

}  // namespace ondo::model::gen
