// Export of a trained model to a llama GGUF. Layer: train.
#include "ondo/train/export.h"

#include "ondo/gguf/keys.h"

namespace ondo::train {

Status build_model_gguf(const ModelConfig& c, const ParamLayout& layout, const float* params,
                        const gguf::GgufFile& tokenizer, const ExportInfo& info, gguf::Writer& w) {
  namespace k = gguf::keys;
  const gguf::Value* toks = tokenizer.find(k::kTokTokens);
  if (!toks || toks->type() != gguf::ValueType::Array || toks->size() != uint64_t(c.n_vocab)) {
    return make_error(ErrorCode::InvalidArgument, tokenizer.name() + ": tokenizer has " +
                                                      std::to_string(toks ? toks->size() : 0) +
                                                      " tokens, expected the model's vocabulary of " +
                                                      std::to_string(c.n_vocab));
  }
  const std::string a = "llama";
  w.set_string(k::kArchitecture, a);
  w.set_string(k::kName, info.name);
  w.set_u32(k::kFileType, 0);  // all F32
  w.set_u32(k::arch_key(a, "context_length"), uint32_t(c.n_ctx));
  w.set_u32(k::arch_key(a, "embedding_length"), uint32_t(c.n_embd));
  w.set_u32(k::arch_key(a, "block_count"), uint32_t(c.n_layer));
  w.set_u32(k::arch_key(a, "feed_forward_length"), uint32_t(c.n_ff));
  w.set_u32(k::arch_key(a, "attention.head_count"), uint32_t(c.n_head));
  w.set_u32(k::arch_key(a, "attention.head_count_kv"), uint32_t(c.n_head_kv));
  w.set_f32(k::arch_key(a, "attention.layer_norm_rms_epsilon"), c.rms_eps);
  w.set_f32(k::arch_key(a, "rope.freq_base"), c.rope_base);
  w.set_u32(k::arch_key(a, "rope.dimension_count"), uint32_t(c.head_dim()));
  w.set_u32(k::arch_key(a, "vocab_size"), uint32_t(c.n_vocab));
  w.copy_metadata(tokenizer, [](std::string_view key) { return key.starts_with("tokenizer."); });
  if (!info.chat_template.empty()) w.set_string(k::kChatTemplate, info.chat_template);
  for (const ParamTensor& t : layout.tensors) {
    const auto* bytes = reinterpret_cast<const uint8_t*>(params + t.offset);
    ONDO_TRY(w.add_tensor(t.name, core::DType::F32, t.shape,
                          std::span<const uint8_t>(bytes, size_t(t.size()) * sizeof(float))));
  }
  return ok_status();
}

Status export_model(const ModelConfig& c, const ParamLayout& layout, const float* params,
                    const gguf::GgufFile& tokenizer, const ExportInfo& info, const std::filesystem::path& path) {
  gguf::Writer w;
  ONDO_TRY(build_model_gguf(c, layout, params, tokenizer, info, w));
  return w.write(path);
}

}  // namespace ondo::train
