// LoRA adapter files in llama.cpp's GGUF format: general.architecture of the base,
// general.type "adapter", adapter.type "lora", adapter.lora.alpha (F32), and per adapted
// weight "<base weight name>.lora_a" (ggml ne {n_in, rank}) and ".lora_b" (ne {rank, n_out}),
// F32 or F16. llama.cpp applies y = W x + scale * alpha / rank * B (A x), rank = ne[0] of
// lora_b. Layer: train (the writer; reading here is for round trips and `ondo lora merge`).
//
// One alpha per file: when adapter groups were trained with different alpha / rank ratios,
// to_adapter_file writes alpha of the first group present and folds each other group's
// ratio into its B (B' = B * (alpha_g / alpha_file)), so every weight gets its trained scale.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "ondo/core/dtype.h"
#include "ondo/core/env.h"
#include "ondo/core/result.h"
#include "ondo/gguf/writer.h"

namespace ondo::train::lora {

struct AdapterPair {
  std::string weight;    // base weight name ("blk.0.attn_q.weight")
  int64_t n_in = 0, n_out = 0, rank = 0;
  std::vector<float> a;  // [rank][n_in] (row r holds ne[0] = n_in values)
  std::vector<float> b;  // [n_out][rank]
};

struct AdapterFile {
  std::string architecture;  // the base's general.architecture
  float alpha = 0;
  core::DType type = core::DType::F32;  // tensor type on disk: F32 or F16
  std::vector<AdapterPair> pairs;       // in file order (lora_a then lora_b of each)
  // Other metadata kept as is (general.name, general.quantization_version, ...), written
  // after the required keys.
  std::vector<std::pair<std::string, gguf::MetaValue>> extra;
};

// Writes durably and atomically (gguf::Writer::write). Errors: pairs with inconsistent
// sizes, a type other than F32/F16 (InvalidArgument), I/O failures naming the path.
Status write_adapter_file(const AdapterFile& a, const std::filesystem::path& path,
                          core::Env& env = core::Env::posix());
Result<std::vector<uint8_t>> adapter_file_bytes(const AdapterFile& a);

// Reads an adapter (F32 or F16 tensors). Errors name the file and what is wrong: not an
// adapter, a lora_a without its lora_b, shapes that disagree.
Result<AdapterFile> read_adapter_file(const std::filesystem::path& path);

}  // namespace ondo::train::lora
