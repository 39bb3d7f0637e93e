// GGUF metadata key names used across ondo (one place, so spelling lives once).
// Layer: gguf. Architecture-specific keys are built as "<arch>.<suffix>".
#pragma once

#include <string>
#include <string_view>

namespace ondo::gguf::keys {

inline constexpr std::string_view kArchitecture = "general.architecture";
inline constexpr std::string_view kName = "general.name";
inline constexpr std::string_view kAlignment = "general.alignment";
inline constexpr std::string_view kFileType = "general.file_type";

inline constexpr std::string_view kTokModel = "tokenizer.ggml.model";
inline constexpr std::string_view kTokPre = "tokenizer.ggml.pre";
inline constexpr std::string_view kTokTokens = "tokenizer.ggml.tokens";
inline constexpr std::string_view kTokScores = "tokenizer.ggml.scores";
inline constexpr std::string_view kTokTypes = "tokenizer.ggml.token_type";
inline constexpr std::string_view kTokMerges = "tokenizer.ggml.merges";
inline constexpr std::string_view kTokBos = "tokenizer.ggml.bos_token_id";
inline constexpr std::string_view kTokEos = "tokenizer.ggml.eos_token_id";
inline constexpr std::string_view kTokEot = "tokenizer.ggml.eot_token_id";
inline constexpr std::string_view kTokEom = "tokenizer.ggml.eom_token_id";
inline constexpr std::string_view kTokUnk = "tokenizer.ggml.unknown_token_id";
inline constexpr std::string_view kTokSep = "tokenizer.ggml.separator_token_id";
inline constexpr std::string_view kTokSepOld = "tokenizer.ggml.seperator_token_id";  // historical spelling
inline constexpr std::string_view kTokPad = "tokenizer.ggml.padding_token_id";
inline constexpr std::string_view kTokCls = "tokenizer.ggml.cls_token_id";
inline constexpr std::string_view kTokMask = "tokenizer.ggml.mask_token_id";
inline constexpr std::string_view kTokAddBos = "tokenizer.ggml.add_bos_token";
inline constexpr std::string_view kTokAddEos = "tokenizer.ggml.add_eos_token";
inline constexpr std::string_view kTokAddSpacePrefix = "tokenizer.ggml.add_space_prefix";
inline constexpr std::string_view kTokRemoveExtraWs = "tokenizer.ggml.remove_extra_whitespaces";
inline constexpr std::string_view kChatTemplate = "tokenizer.chat_template";

// "<arch>.<suffix>", e.g. arch_key("llama", "block_count").
inline std::string arch_key(std::string_view arch, std::string_view suffix) {
  std::string k(arch);
  k += '.';
  k += suffix;
  return k;
}

}  // namespace ondo::gguf::keys
