// The qwen2 unit: hyperparameters (NeoX RoPE) and weights (q/k/v biases); its network is the
// llama-style decoder recipe (blocks/decoder_forward.h), which applies the biases. Layer: model.
#include "ondo/model/qwen2/qwen2.h"

#include "ondo/model/blocks/decoder_forward.h"
#include "ondo/model/blocks/decoder_weights.h"

namespace ondo::model::qwen2 {
namespace {

Result<HParams> read_hparams(const gguf::GgufFile& f) {
  ONDO_ASSIGN_OR_RETURN(HParams hp, read_common_hparams(f, "qwen2"));
  ONDO_TRY(read_rms_eps(f, hp));
  ONDO_TRY(read_rope(f, core::RopeStyle::Neox, hp));
  return hp;
}

Result<std::unique_ptr<UnitWeights>> bind_weights(const gguf::GgufFile& f, const HParams& hp) {
  ONDO_ASSIGN_OR_RETURN(auto w, blocks::bind_decoder_weights(f, hp, {.qkv_bias = true}));
  return std::unique_ptr<UnitWeights>(std::move(w));
}

}  // namespace

const ArchUnit kUnit = {
    .name = "qwen2",
    .description = "Qwen2 decoder (q/k/v biases, NeoX RoPE)",
    .kind = ModelKind::Generate,
    .default_tokenizer = "gpt2",
    .read_hparams = read_hparams,
    .bind_weights = bind_weights,
    .forward = blocks::decoder_forward,
    .encode = blocks::decoder_encode,  // only when loaded with an embedding pooling
    .memory = blocks::decoder_memory,
};

}  // namespace ondo::model::qwen2
