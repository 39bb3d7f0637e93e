// Random-weight models with the exact shape of real ones (`ondo gen-model`), so benchmarks
// need no downloads: Llama-3.2-1B, TinyLlama-1.1B, all-MiniLM-L6-v2 (a BERT encoder) and tiny
// shapes for tests. Layer: model
// (uses gguf/ and core/ only).
//
// Weights are reproducible from the seed (a counter-based generator: element i of a tensor
// depends only on the seed, the tensor's name and i, not on the thread count), N(0, std)-like
// with the shape's std, norms 1.0. The file is streamed tensor by tensor through gguf::Writer.
// Errors: InvalidArgument for a bad type; NotFound/InvalidFile for a vocabulary file that is
// missing or does not fit the shape (vocabulary size); InvalidFile when the output cannot be
// written.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ondo/core/compute_pool.h"
#include "ondo/core/dtype.h"
#include "ondo/core/result.h"

namespace ondo::model::gen {

// Llama 3.1 rope scaling (rope_type "llama3"); factor 0 means none.
struct Llama3RopeScaling {
  float factor = 0.0f;
  float low_freq_factor = 1.0f;
  float high_freq_factor = 4.0f;
  int32_t original_context = 8192;
};

struct ModelShape {
  std::string_view name;         // --shape value: "llama-3.2-1b"
  std::string_view model_name;   // general.name: "Llama-3.2-1B"
  int32_t n_layer, n_embd, n_head, n_head_kv, n_ff, n_vocab, n_ctx;
  float rope_base;
  float rms_eps;
  bool tied_output;                 // no output.weight
  Llama3RopeScaling rope_scaling;   // written as a rope_freqs.weight tensor
  std::string_view vocab_file;      // under the testdata folder; empty = a synthetic SPM vocab
  float init_std;                   // std of the matrices' entries
  // "llama" (a decoder; rms_eps is its RMSNorm epsilon) or "bert" (an encoder as llama.cpp's
  // converter writes BERT: learned positions, 2 token types, LayerNorm with bias (rms_eps is
  // its epsilon), biases everywhere, mean pooling; rope and tied_output unused).
  std::string_view arch = "llama";

  int32_t head_dim() const { return n_embd / n_head; }
};

std::span<const ModelShape> model_shapes();
const ModelShape* find_shape(std::string_view name);  // nullptr when unknown
std::string shapes_list();                             // "llama-3.2-1b, tinyllama-1.1b, ..."

struct GenOptions {
  const ModelShape* shape = nullptr;  // Requires: non-null
  core::DType type = core::DType::F16;  // F32, F16 or BF16 (matrices; norms stay F32)
  uint64_t seed = 0;
  std::filesystem::path output;
  std::filesystem::path vocab;  // the vocabulary GGUF; required when shape->vocab_file is set
};

struct GenReport {
  size_t n_tensors = 0;
  uint64_t n_params = 0;
  uint64_t file_bytes = 0;
};

// Fills each matrix on `pool` under a Background lease (one tensor per lease).
Result<GenReport> generate_model(const GenOptions& options, core::ComputePool& pool);

// The rope_freqs factors llama.cpp's converter computes for Llama 3.1 scaling (float32 math,
// as convert_hf_to_gguf.py does with torch): 1 for short wavelengths, `factor` for long ones,
// smooth in between. One value per rotated pair (head_dim / 2).
std::vector<float> llama3_rope_factors(int32_t head_dim, float rope_base, const Llama3RopeScaling& s);

// Element i of the tensor `name`: std * z, z ~ N(0, 1) approximately (Irwin-Hall of four
// 16-bit uniforms from one splitmix64 draw).
float random_weight(uint64_t seed, std::string_view name, uint64_t i, float std);

}  // namespace ondo::model::gen
