// Random LoRA adapters for a base model, in llama.cpp's adapter GGUF format (lora/adapter.h),
// so tests and benchmarks get adapters of any shape without training one. Layer: model.
// Not a training output: the trainer's adapter writer lives in train/lora/.
//
// Entries are N(0, std) from a seeded std::mt19937 in file order (reproducible for a seed).
// Errors: InvalidArgument (rank < 1, no targets, a layer or weight the base lacks, a type
// other than F32/F16); gguf::Writer's errors when the bytes cannot be produced.
#pragma once

#include <cstdint>
#include <vector>

#include "ondo/core/dtype.h"
#include "ondo/gguf/reader.h"
#include "ondo/model/lora/adapter.h"

namespace ondo::model::gen {

struct LoraGenSpec {
  std::vector<LoraTarget> targets = {LoraTarget::Q, LoraTarget::V};
  int32_t rank = 8;
  float alpha = 16.0f;             // 0: written as absent-equivalent 0
  core::DType type = core::DType::F32;  // F32 or F16
  uint64_t seed = 1;
  float a_std = 0.0f;              // 0: 1/sqrt(n_in)
  float b_std = 0.01f;
};

// The adapter file's bytes for every layer of `base` (a llama-style decoder GGUF).
Result<std::vector<uint8_t>> random_lora_bytes(const gguf::GgufFile& base, const LoraGenSpec& spec);

}  // namespace ondo::model::gen
