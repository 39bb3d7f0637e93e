// HParams: a model's hyperparameters, read from GGUF metadata and validated. A common core
// every architecture has (widths, layers, heads, context) plus optional fields that only
// some families set (RMS vs LayerNorm epsilon, RoPE, causal or not, pooling).
// Layer: model. Plain data, shared read-only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ondo/core/kernels/ops.h"
#include "ondo/core/result.h"
#include "ondo/gguf/reader.h"

namespace ondo::model {

// How an encoder turns the hidden states of a sequence into one vector (GGUF
// "<arch>.pooling_type" numbering: 0 none, 1 mean, 2 cls, 3 last, 4 rank). Rank takes the
// first token's state through the model's classifier head: scores, not an embedding.
enum class Pooling { None = 0, Mean = 1, Cls = 2, Last = 3, Rank = 4 };

struct HParams {
  // -- common to every architecture --
  std::string arch;          // GGUF architecture name ("llama", "qwen2")
  int32_t n_vocab = 0;       // V (rows of token_embd.weight)
  int32_t n_embd = 0;        // C
  int32_t n_layer = 0;
  int32_t n_head = 0;        // H
  int32_t n_head_kv = 0;     // Hkv
  int32_t head_dim = 0;      // D
  int32_t n_ff = 0;          // F
  int32_t n_ctx_train = 0;

  // -- optional, per family (a unit sets what its family has) --
  std::optional<float> rms_eps;         // RMSNorm families (llama, qwen2)
  std::optional<float> layer_norm_eps;  // LayerNorm families (BERT)
  float rope_base = 10000.0f;           // RoPE families: rope_dims > 0
  int32_t rope_dims = 0;                // rotated dims per head; 0: no RoPE
  core::RopeStyle rope_style = core::RopeStyle::Normal;
  bool causal = true;                   // decoders; encoders attend both ways
  Pooling pooling = Pooling::None;      // encoders: how a sequence becomes one vector
  int32_t n_cls_out = 0;                // Rank pooling: scores per sequence (classifier labels)

  int32_t q_dim() const { return n_head * head_dim; }      // H*D
  int32_t kv_dim() const { return n_head_kv * head_dim; }  // Hkv*D
  // Floats per sequence an encoder returns: n_cls_out scores for Rank, else C.
  int32_t n_out() const { return pooling == Pooling::Rank ? n_cls_out : n_embd; }
};

// Reads the common core from "<arch>.*" keys (not n_vocab: the model takes it from the
// embedding matrix). Missing required keys and inconsistent values are errors naming the
// key (e.g. "llama.attention.head_count_kv = 3 does not divide head_count = 8").
Result<HParams> read_common_hparams(const gguf::GgufFile& file, const std::string& arch);

// "<arch>.attention.layer_norm_rms_epsilon" (required), into hp.rms_eps.
Status read_rms_eps(const gguf::GgufFile& file, HParams& hp);
// "<arch>.attention.layer_norm_epsilon" (required), into hp.layer_norm_eps.
Status read_layer_norm_eps(const gguf::GgufFile& file, HParams& hp);
// "<arch>.rope.freq_base", "<arch>.rope.dimension_count" (optional, defaults 10000 and D) and
// the style the unit uses; refuses "<arch>.rope.scaling.type" other than none or llama3
// (Llama 3.1 scaling comes as the rope_freqs tensor).
Status read_rope(const gguf::GgufFile& file, core::RopeStyle style, HParams& hp);
// "<arch>.pooling_type" (optional, default `fallback`), into hp.pooling.
Status read_pooling(const gguf::GgufFile& file, Pooling fallback, HParams& hp);

}  // namespace ondo::model
