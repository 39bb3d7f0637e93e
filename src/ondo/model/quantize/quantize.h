// Quantizing a GGUF model file to a preset (`ondo quantize`): F32/F16/BF16 weights in, each
// tensor converted to the type the preset chooses for it, metadata copied. Layer: model
// (uses gguf/ and core/ only).
//
// Memory: the input is mapped; the output is streamed tensor by tensor through gguf::Writer,
// so at most one output tensor is held in memory. Rows are quantized in parallel on the
// process's ComputePool, one Background lease per tensor. Thread contract: one call at a time per output path.
// Errors: NotFound/InvalidFile for an unreadable input; Unsupported for an architecture ondo
// does not know or a quantized tensor that would have to be requantized; InvalidFile for an
// output that cannot be written; InvalidArgument for an imatrix entry whose size is not the
// tensor's row length. Messages name the file and the tensor.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "ondo/core/dtype.h"
#include "ondo/core/result.h"
#include "ondo/core/compute_pool.h"
#include "ondo/model/quantize/imatrix_file.h"
#include "ondo/model/quantize/preset.h"

namespace ondo::model::quantize {

// One tensor as written, reported in output order while the file is written.
struct TensorReport {
  size_t index = 0;   // 0-based position in the output
  size_t count = 0;   // tensors in the output
  std::string name;
  std::vector<int64_t> shape;  // ggml order
  core::DType from = core::DType::F32;
  core::DType to = core::DType::F32;
  bool fallback = false;  // the preset's type did not fit the row length
  bool weighted = false;  // quantized with importance weights from the imatrix
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
};

struct QuantizeReport {
  uint64_t tensor_bytes_in = 0;
  uint64_t tensor_bytes_out = 0;
  uint64_t file_bytes_out = 0;
  size_t n_tensors = 0;
  size_t n_fallback = 0;
  size_t n_weighted = 0;  // tensors quantized with importance weights
};

struct QuantizeOptions {
  std::filesystem::path input;
  std::filesystem::path output;
  const Preset* preset = nullptr;  // Requires: non-null
  std::function<void(const TensorReport&)> on_tensor;  // optional progress, output order
  // Optional importance matrix (borrowed): tensors it names, going to a type with a weighted
  // quantizer (core/quant/weighted.h), are quantized as llama-quantize --imatrix does, and
  // the output gains llama.cpp's quantize.imatrix.* keys. Others are quantized as without.
  const Imatrix* imatrix = nullptr;
  std::string imatrix_file;  // for quantize.imatrix.file
};

// Writes `output` (atomically: a temporary file renamed at the end). The output's tensors are
// in llama.cpp's order (llama_tensor_order), general.file_type is the preset's LLAMA_FTYPE
// value and general.quantization_version is 2, as llama-quantize writes them.
Result<QuantizeReport> quantize_model(const QuantizeOptions& options, core::ComputePool& pool);

// Converts `n_rows` rows of `n_per_row` elements from `from` (F32, F16 or BF16) to `to`,
// the rows split over `pool`. Q8_0 uses the model-file quantizer (quantize_row_q8_0_model).
// Requires: n_per_row a multiple of both types' block sizes; `to` has a quantizer; `dst`
// holds n_rows rows of `to`.
void convert_rows(core::ThreadPool& pool, core::DType from, const uint8_t* src, core::DType to,
                  uint8_t* dst, int64_t n_rows, int64_t n_per_row);
// The same with importance weights `qw` (n_per_row floats, shared by every row) through the
// weighted quantizer. Requires: core::quant::has_weighted_quantizer(to).
void convert_rows_weighted(core::ThreadPool& pool, core::DType from, const uint8_t* src, core::DType to,
                           uint8_t* dst, int64_t n_rows, int64_t n_per_row, const float* qw);

}  // namespace ondo::model::quantize
