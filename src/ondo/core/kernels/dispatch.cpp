// Builds the table behind best_ops() once, from the CPU's features. Layer: core.
#include "ondo/core/kernels/dispatch.h"

#include <array>

#include "ondo/core/check.h"
#include "ondo/core/cpu_features.h"

namespace ondo::core::kernels {

bool level_supported(SimdLevel level) {
  const CpuFeatures& f = cpu_features();
  switch (level) {
    case SimdLevel::Scalar: return true;
    case SimdLevel::Avx2: return f.avx2;
    case SimdLevel::Avx512: return f.avx512 && f.avx512_vnni;
  }
  return false;
}

QuantOps ops_at_level(DType t, SimdLevel level) {
  const DTypeInfo& info = dtype_info(t);
  QuantOps ops = info.scalar;
  if (level >= SimdLevel::Avx2 && info.kernels.avx2_ops) info.kernels.avx2_ops(ops);
  if (level >= SimdLevel::Avx512 && info.kernels.avx512_ops) info.kernels.avx512_ops(ops);
  return ops;
}

namespace {

constexpr int kMaxTypeId = 32;

struct Table {
  std::array<QuantOps, kMaxTypeId> ops{};
  SimdLevel level = SimdLevel::Scalar;
};

const Table& table() {
  static const Table t = [] {
    Table tb;
    if (level_supported(SimdLevel::Avx512)) tb.level = SimdLevel::Avx512;
    else if (level_supported(SimdLevel::Avx2)) tb.level = SimdLevel::Avx2;
    for (uint32_t id = 0; id < kMaxTypeId; ++id) {
      const DTypeInfo* d = find_dtype(id);
      if (d && d->scalar.to_float) tb.ops[id] = ops_at_level(d->type, tb.level);
    }
    return tb;
  }();
  return t;
}

}  // namespace
}  // namespace ondo::core::kernels

namespace ondo::core {

const QuantOps& best_ops(DType t) {
  const uint32_t id = static_cast<uint32_t>(t);
  ONDO_CHECK(id < 32 && dtype_info(t).scalar.to_float != nullptr);
  return kernels::table().ops[id];
}

std::string_view simd_level_name() {
  switch (kernels::table().level) {
    case kernels::SimdLevel::Scalar: return "scalar";
    case kernels::SimdLevel::Avx2: return "avx2";
    case kernels::SimdLevel::Avx512: return "avx512";
  }
  return "scalar";
}

}  // namespace ondo::core
