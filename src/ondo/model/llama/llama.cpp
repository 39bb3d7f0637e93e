// The llama unit: hyperparameters and weights; its network is the llama-style decoder recipe
// (blocks/decoder_forward.h), shared with qwen2. Layer: model.
#include "ondo/model/llama/llama.h"

#include "ondo/model/blocks/decoder_forward.h"
#include "ondo/model/blocks/decoder_weights.h"

namespace ondo::model::llama {
namespace {

Result<HParams> read_hparams(const gguf::GgufFile& f) {
  ONDO_ASSIGN_OR_RETURN(HParams hp, read_common_hparams(f, "llama"));
  ONDO_TRY(read_rms_eps(f, hp));
  ONDO_TRY(read_rope(f, core::RopeStyle::Normal, hp));
  return hp;
}

Result<std::unique_ptr<UnitWeights>> bind_weights(const gguf::GgufFile& f, const HParams& hp) {
  ONDO_ASSIGN_OR_RETURN(auto w, blocks::bind_decoder_weights(f, hp, {.qkv_bias = false}));
  return std::unique_ptr<UnitWeights>(std::move(w));
}

}  // namespace

const ArchUnit kUnit = {
    .name = "llama",
    .description = "Llama-family decoder (Llama 1/2/3, Mistral, TinyLlama)",
    .kind = ModelKind::Generate,
    .default_tokenizer = "llama",
    .read_hparams = read_hparams,
    .bind_weights = bind_weights,
    .forward = blocks::decoder_forward,
    .encode = blocks::decoder_encode,  // only when loaded with an embedding pooling
    .memory = blocks::decoder_memory,
};

}  // namespace ondo::model::llama
