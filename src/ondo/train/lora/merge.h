// `ondo lora merge`: a base GGUF with LoRA adapters added into its weights,
// W' = W + scale * alpha / rank * B A (llama.cpp's formula), written as a new GGUF with the
// base's metadata and tensor order. F32, F16 and BF16 weights are updated in their type;
// a quantized weight is dequantized row by row, updated and re-quantized to its own type
// with the model quantizer (model/quantize: convert_rows), which costs that type's rounding
// once more. Layer: train. Memory: one output tensor at a time beside the mapped base.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "ondo/core/compute_pool.h"
#include "ondo/core/result.h"
#include "ondo/gguf/reader.h"
#include "ondo/gguf/writer.h"
#include "ondo/train/lora/adapter_file.h"

namespace ondo::train::lora {

struct ScaledAdapter {
  AdapterFile adapter;
  float scale = 1.0f;
};

// "FILE" or "FILE:SCALE" (scale a finite number). InvalidArgument names the bad scale.
Result<std::pair<std::filesystem::path, float>> parse_adapter_arg(const std::string& arg);

struct MergeReport {
  int64_t merged_tensors = 0;
  int64_t requantized_tensors = 0;  // quantized weights that went through F32 and back
};

// Adds every adapter into a copy of the base's tensors, written to `w` (tensors added owned
// or borrowed from `base`; `base` must outlive w's write). Errors: an adapter for another
// architecture, a weight the base lacks, shapes that differ, a weight type without a quantizer.
Result<MergeReport> merge_into_writer(const gguf::GgufFile& base, const std::vector<ScaledAdapter>& adapters,
                                      gguf::Writer& w, core::ComputePool& pool);

// merge_into_writer, then the file written atomically to `out`.
Result<MergeReport> merge_lora(const std::filesystem::path& base, const std::vector<ScaledAdapter>& adapters,
                               const std::filesystem::path& out, core::ComputePool& pool);

}  // namespace ondo::train::lora
