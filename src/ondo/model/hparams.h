// HParams: a decoder model's hyperparameters, read from GGUF metadata and validated.
// Layer: model. Plain data, shared read-only.
#pragma once

#include <cstdint>
#include <string>

#include "ondo/core/kernels/ops.h"
#include "ondo/core/result.h"
#include "ondo/gguf/reader.h"

namespace ondo::model {

struct HParams {
  std::string arch;          // GGUF architecture name ("llama", "qwen2")
  int32_t n_vocab = 0;       // V
  int32_t n_embd = 0;        // C
  int32_t n_layer = 0;
  int32_t n_head = 0;        // H
  int32_t n_head_kv = 0;     // Hkv
  int32_t head_dim = 0;      // D
  int32_t n_ff = 0;          // F
  int32_t n_ctx_train = 0;
  float rms_eps = 1e-5f;
  float rope_base = 10000.0f;
  int32_t rope_dims = 0;     // rotated dims per head
  core::RopeStyle rope_style = core::RopeStyle::Normal;

  int32_t q_dim() const { return n_head * head_dim; }      // H*D
  int32_t kv_dim() const { return n_head_kv * head_dim; }  // Hkv*D
};

// Reads "<arch>.*" keys. Missing required keys and inconsistent values are errors naming
// the key (e.g. "llama.attention.head_count_kv = 3 does not divide head_count = 8").
// `rope_style` comes from the architecture's registry row.
Result<HParams> read_hparams(const gguf::GgufFile& file, const std::string& arch,
                             core::RopeStyle rope_style);

}  // namespace ondo::model
