// The dtype traits table: one row per DType. Names, sizes, partner types, reference ops,
// SIMD ops, GEMM / decode kernels and repacked layouts all derive from it. Layer: core.
#include "ondo/core/dtype.h"

#include <array>
#include <cctype>
#include <limits>
#include <string>

#include "ondo/core/check.h"
#include "ondo/core/kernels/dtype_kernels.h"
#include "ondo/core/quant/blocks.h"
#include "ondo/core/quant/reference.h"

namespace ondo::core {
namespace {

namespace q = quant;
namespace k = kernels;

#define OPS(t, dot) QuantOps{q::dequantize_row_##t, q::quantize_row_##t, dot}
#if defined(__x86_64__)
// SIMD ops only
#define SIMD(t) DTypeKernels{.avx2_ops = k::avx2_ops_##t, .avx512_ops = k::avx512_ops_##t}
// SIMD ops, GEMM at every level and the AVX-512 decode kernel
#define GEMM(t, T)                                                                                        \
  DTypeKernels{.avx2_ops = k::avx2_ops_##t, .avx512_ops = k::avx512_ops_##t,                              \
               .gemm_scalar = k::gemm_scalar_of<DType::T>, .gemm_avx2 = k::gemm_avx2_of<DType::T>,         \
               .gemm_avx512 = k::gemm_avx512_of<DType::T>, .decode_avx512 = k::decode_avx512_##t}
// ... and a row-interleaved layout with its GEMM kernel
#define REPACKED(t, T)                                                                                    \
  DTypeKernels{.avx2_ops = k::avx2_ops_##t, .avx512_ops = k::avx512_ops_##t,                              \
               .gemm_scalar = k::gemm_scalar_of<DType::T>, .gemm_avx2 = k::gemm_avx2_of<DType::T>,         \
               .gemm_avx512 = k::gemm_avx512_of<DType::T>, .decode_avx512 = k::decode_avx512_##t,         \
               .repack = &kRepackLayout_##t, .gemm_repacked_avx512 = k::gemm_repacked_avx512_##t}
#else
// Not x86-64 (the aarch64 cross build): the x86 kernel files are not compiled; scalar GEMM only.
#define SIMD(t) DTypeKernels{}
#define GEMM(t, T) DTypeKernels{.gemm_scalar = k::gemm_scalar_of<DType::T>}
#define REPACKED(t, T) DTypeKernels{.gemm_scalar = k::gemm_scalar_of<DType::T>, .repack = &kRepackLayout_##t}
#endif

constexpr std::array<DTypeInfo, 20> kDTypes = {{
    {DType::F32, "F32", 1, 4, true, DType::F32, OPS(f32, q::vec_dot_f32_f32), SIMD(f32)},
    {DType::F16, "F16", 1, 2, true, DType::F16, OPS(f16, q::vec_dot_f16_f16), SIMD(f16)},
    {DType::Q4_0, "Q4_0", kQK4_0, sizeof(BlockQ4_0), true, DType::Q8_0, OPS(q4_0, q::vec_dot_q4_0_q8_0), GEMM(q4_0, Q4_0)},
    {DType::Q4_1, "Q4_1", kQK4_1, sizeof(BlockQ4_1), true, DType::Q8_1, OPS(q4_1, q::vec_dot_q4_1_q8_1), SIMD(q4_1)},
    {DType::Q5_0, "Q5_0", kQK5_0, sizeof(BlockQ5_0), true, DType::Q8_0, OPS(q5_0, q::vec_dot_q5_0_q8_0), GEMM(q5_0, Q5_0)},
    {DType::Q5_1, "Q5_1", kQK5_1, sizeof(BlockQ5_1), true, DType::Q8_1, OPS(q5_1, q::vec_dot_q5_1_q8_1), SIMD(q5_1)},
    {DType::Q8_0, "Q8_0", kQK8_0, sizeof(BlockQ8_0), true, DType::Q8_0, OPS(q8_0, q::vec_dot_q8_0_q8_0), GEMM(q8_0, Q8_0)},
    {DType::Q8_1, "Q8_1", kQK8_1, sizeof(BlockQ8_1), false, DType::Q8_1, OPS(q8_1, nullptr), SIMD(q8_1)},
    {DType::Q2_K, "Q2_K", kQK_K, sizeof(BlockQ2_K), true, DType::Q8_K, OPS(q2_K, q::vec_dot_q2_K_q8_K), GEMM(q2_K, Q2_K)},
    {DType::Q3_K, "Q3_K", kQK_K, sizeof(BlockQ3_K), true, DType::Q8_K, OPS(q3_K, q::vec_dot_q3_K_q8_K), GEMM(q3_K, Q3_K)},
    {DType::Q4_K, "Q4_K", kQK_K, sizeof(BlockQ4_K), true, DType::Q8_K, OPS(q4_K, q::vec_dot_q4_K_q8_K), REPACKED(q4_K, Q4_K)},
    {DType::Q5_K, "Q5_K", kQK_K, sizeof(BlockQ5_K), true, DType::Q8_K, OPS(q5_K, q::vec_dot_q5_K_q8_K), GEMM(q5_K, Q5_K)},
    {DType::Q6_K, "Q6_K", kQK_K, sizeof(BlockQ6_K), true, DType::Q8_K, OPS(q6_K, q::vec_dot_q6_K_q8_K), REPACKED(q6_K, Q6_K)},
    {DType::Q8_K, "Q8_K", kQK_K, sizeof(BlockQ8_K), false, DType::Q8_K, OPS(q8_K, nullptr), SIMD(q8_K)},
    {DType::I8, "I8", 1, 1, false, DType::I8, {}, {}},
    {DType::I16, "I16", 1, 2, false, DType::I16, {}, {}},
    {DType::I32, "I32", 1, 4, false, DType::I32, {}, {}},
    {DType::I64, "I64", 1, 8, false, DType::I64, {}, {}},
    {DType::F64, "F64", 1, 8, false, DType::F64, {}, {}},
    {DType::BF16, "BF16", 1, 2, true, DType::BF16, OPS(bf16, q::vec_dot_bf16_bf16), SIMD(bf16)},
}};
#undef OPS
#undef SIMD
#undef GEMM
#undef REPACKED

// Whether `id` is a DType enumerator. -Wswitch flags an enumerator missing here; the
// static_assert below then demands its row.
constexpr bool is_enumerator(uint32_t id) {
  switch (static_cast<DType>(id)) {
    case DType::F32: case DType::F16: case DType::Q4_0: case DType::Q4_1: case DType::Q5_0:
    case DType::Q5_1: case DType::Q8_0: case DType::Q8_1: case DType::Q2_K: case DType::Q3_K:
    case DType::Q4_K: case DType::Q5_K: case DType::Q6_K: case DType::Q8_K: case DType::I8:
    case DType::I16: case DType::I32: case DType::I64: case DType::F64: case DType::BF16:
      return true;
  }
  return false;
}

// Every enumerator has exactly one row, and every row is an enumerator.
constexpr bool covers_every_dtype() {
  for (uint32_t id = 0; id < 64; ++id) {
    int rows = 0;
    for (const DTypeInfo& d : kDTypes) rows += static_cast<uint32_t>(d.type) == id;
    if (rows != (is_enumerator(id) ? 1 : 0)) return false;
  }
  return true;
}
static_assert(covers_every_dtype(), "every DType needs exactly one traits row");

struct KnownName { uint32_t id; std::string_view name; };
// ggml type ids that exist in GGUF files but that ondo does not run.
constexpr KnownName kUnsupported[] = {
    {4, "Q4_2 (removed)"}, {5, "Q4_3 (removed)"}, {16, "IQ2_XXS"}, {17, "IQ2_XS"},
    {18, "IQ3_XXS"}, {19, "IQ1_S"}, {20, "IQ4_NL"}, {21, "IQ3_S"}, {22, "IQ2_S"},
    {23, "IQ4_XS"}, {29, "IQ1_M"}, {34, "TQ1_0"}, {35, "TQ2_0"}, {39, "MXFP4"},
};

}  // namespace

const DTypeInfo* find_dtype(uint32_t gguf_id) {
  for (const DTypeInfo& d : kDTypes) {
    if (static_cast<uint32_t>(d.type) == gguf_id) return &d;
  }
  return nullptr;
}

const DTypeInfo& dtype_info(DType t) {
  const DTypeInfo* d = find_dtype(static_cast<uint32_t>(t));
  ONDO_CHECK_MSG(d != nullptr, "DType value outside the registry");
  return *d;
}

std::string_view dtype_name(DType t) { return dtype_info(t).name; }

std::optional<DType> dtype_from_name(std::string_view name) {
  for (const DTypeInfo& d : kDTypes) {
    if (d.name.size() != name.size()) continue;
    bool eq = true;
    for (size_t i = 0; i < name.size() && eq; ++i) {
      eq = std::toupper(static_cast<unsigned char>(name[i])) == d.name[i];
    }
    if (eq) return d.type;
  }
  return std::nullopt;
}

std::string_view known_unsupported_dtype_name(uint32_t gguf_id) {
  for (const KnownName& k : kUnsupported) {
    if (k.id == gguf_id) return k.name;
  }
  return {};
}

Result<uint64_t> row_bytes(DType t, int64_t n) {
  const DTypeInfo& d = dtype_info(t);
  if (n < 0 || n % d.block_size != 0) {
    return make_error(ErrorCode::InvalidArgument,
                      std::string(d.name) + " row of " + std::to_string(n) +
                          " elements is not a whole number of blocks of " +
                          std::to_string(d.block_size));
  }
  const uint64_t blocks = uint64_t(n) / uint64_t(d.block_size);
  if (blocks > std::numeric_limits<uint64_t>::max() / uint64_t(d.block_bytes)) {
    return make_error(ErrorCode::InvalidArgument, "row size overflows");
  }
  return blocks * uint64_t(d.block_bytes);
}

}  // namespace ondo::core
