// DType: the tensor element types ondo knows, with values equal to GGUF's ggml_type ids,
// and the one traits table (dtype.cpp) that names, sizes and dispatches them: one row per
// type carries its block size and bytes, its reference ops, its SIMD ops, its GEMM and decode
// kernels and its repacked layout. No other table or switch over DType decides these.
// Layer: core. Must not touch anything above core.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "ondo/core/result.h"

namespace ondo::core {

// Values are the GGUF/ggml type ids; never renumber.
enum class DType : uint32_t {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q5_0 = 6,
  Q5_1 = 7,
  Q8_0 = 8,
  Q8_1 = 9,
  Q2_K = 10,
  Q3_K = 11,
  Q4_K = 12,
  Q5_K = 13,
  Q6_K = 14,
  Q8_K = 15,
  I8 = 24,
  I16 = 25,
  I32 = 26,
  I64 = 27,
  F64 = 28,
  BF16 = 30,
};

// Converts a row of `n` values (n a multiple of block_size) between a type and F32.
using ToFloatFn = void (*)(const void* src, float* dst, int64_t n);
using FromFloatFn = void (*)(const float* src, void* dst, int64_t n);
// Dot product of a row of this type with a row of its vec_dot_type, `n` elements. matmul
// calls it only for types without GEMM kernels, so only those have SIMD overrides; the
// others keep the scalar reference as the oracle of their GEMM kernels.
using VecDotFn = float (*)(const void* w, const void* x, int64_t n);

struct QuantOps {
  ToFloatFn to_float = nullptr;      // dequantize
  FromFloatFn from_float = nullptr;  // quantize (reference quantizer for weights and activations)
  VecDotFn vec_dot = nullptr;        // this type x vec_dot_type
};

namespace kernels {
struct GemmKernel;
}
struct RepackLayout;  // a kernel-private block layout (quant/interleave.cpp)

// A SIMD level's overrides of a type's ops (entries it does not accelerate stay).
using InstallOpsFn = void (*)(QuantOps& ops);
using GemmKernelFn = const kernels::GemmKernel* (*)();
// The GemmFn of kernels/gemm.h (same signature).
using DecodeFn = void (*)(const void* w, size_t w_row_bytes, const void* xq, size_t x_row_bytes, int64_t K,
                          int64_t n0, int64_t n1, int64_t T, float* y, int64_t ldy);

// The kernels of one type beyond its scalar reference ops; nullptr where there is none. SIMD
// entries are called only where the CPU runs that level (kernels/dispatch.h, kernels/gemm.h).
struct DTypeKernels {
  InstallOpsFn avx2_ops = nullptr;    // applied on top of the scalar ops
  InstallOpsFn avx512_ops = nullptr;  // applied on top of the AVX2 ones
  GemmKernelFn gemm_scalar = nullptr;  // batch-invariant GEMM (kernels/gemm.h) per level
  GemmKernelFn gemm_avx2 = nullptr;
  GemmKernelFn gemm_avx512 = nullptr;
  DecodeFn decode_avx512 = nullptr;    // few-token kernel behind gemm_avx512 (kernels/gemm_decode.h)
  const RepackLayout* repack = nullptr;        // the row-interleaved layout (quant/interleave.h)
  GemmKernelFn gemm_repacked_avx512 = nullptr;  // GEMM over weights in that layout
};

struct DTypeInfo {
  DType type;
  std::string_view name;    // as GGUF tools print it: "F32", "Q4_K", ...
  int32_t block_size;       // elements per block (1 for plain types)
  int32_t block_bytes;      // bytes per block
  bool compute;             // ondo has kernels for it (a weight type ondo can run)
  DType vec_dot_type;       // the format activations are converted to for vec_dot
  QuantOps scalar;          // reference kernels (the oracle); empty when !compute
  DTypeKernels kernels;     // SIMD ops, GEMM, decode, repack
};

// Looks a GGUF type id up; nullptr for ids ondo does not know.
const DTypeInfo* find_dtype(uint32_t gguf_id);
// Requires: `t` is a DType enumerator.
const DTypeInfo& dtype_info(DType t);
std::string_view dtype_name(DType t);
std::optional<DType> dtype_from_name(std::string_view name);  // case-insensitive

// Name of a GGUF type id ondo recognizes but cannot run (IQ2_XXS, ...), for error
// messages; empty when the id is not a known ggml type at all.
std::string_view known_unsupported_dtype_name(uint32_t gguf_id);

// Bytes of `n` elements; error when n is not a multiple of the block size or overflows.
Result<uint64_t> row_bytes(DType t, int64_t n);

// The kernels chosen for this CPU at run time (SIMD where present, else scalar).
// Requires: t has kernels (a compute type or an activation format such as Q8_K).
const QuantOps& best_ops(DType t);
// Name of the SIMD level chosen at run time: "scalar", "avx2", "avx512".
std::string_view simd_level_name();

}  // namespace ondo::core
