// The pre-tokenizer registry: tokenizer.ggml.pre names -> regex sets. The regexes are
// the ones llama.cpp (upstream 34af94cd, src/llama-vocab.cpp) uses, including its
// rewrites of the published ones ((?i:...) spelled out as classes). Layer: text.
#include <array>

#include "ondo/core/check.h"
#include "ondo/text/pretok/pretok.h"

namespace ondo::text {
namespace {

constexpr std::string_view kGpt2 =
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
constexpr std::string_view kLlama3 =
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|"
    "\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
constexpr std::string_view kQwen2 =
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|"
    "\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
constexpr std::string_view kPoro = " ?[^(\\s|.,!?…。，、।۔،)]+";

const std::array<PreTokSpec, size_t(PreTok::Count)>& specs() {
  static const std::array<PreTokSpec, size_t(PreTok::Count)> kSpecs = {{
      {PreTok::Default, "default",
       {"[\\p{P}\\$\\+<=>\\^~\\|]+", kGpt2, "\\p{N}+", "[0-9][0-9][0-9]"}},
      {PreTok::Llama3, "llama3", {kLlama3}, /*ignore_merges=*/true, /*add_bos=*/true},
      {PreTok::Dbrx, "dbrx", {kLlama3}},
      // Code points that NFC would rewrite (U+1F7D, U+1FBE, U+1FD3, U+1FDB, U+2126, U+212A)
      // are spelled as escapes so that no editor or tool can normalize them away.
      {PreTok::DeepseekLlm, "deepseek-llm",
       {"[\r\n]",
        "\\s?[A-Za-zµÀ-ÖØ-öø-ƺƼ-ƿǄ-ʓʕ-ʯͰ-ͳͶͷͻ-ͽͿΆΈ-ΊΌΎ-ΡΣ-ϵϷ-ҁҊ-ԯԱ-ՖႠ-ჅᎠ-Ᏽᏸ-ᏽᲐ-ᲺᲽ-Ჿᴀ-ᴫᵫ-ᵷᵹ-ᶚḀ-ἕἘ-Ἕἠ-ὅὈ-Ὅὐ-ὗὙὛὝὟ-\u1F7Dᾀ-ᾴᾶ-ᾼ\u1FBEῂ-ῄῆ-ῌῐ-\u1FD3ῖ-\u1FDBῠ-Ῥῲ-ῴῶ-ῼℂℇℊ-ℓℕℙ-ℝℤ\u2126ℨ\u212A-ℭℯ-ℴℹℼ-ℿⅅ-ⅉⅎↃↄⰀ-ⱻⱾ-ⳤⳫ-ⳮⳲⳳꙀ-ꙭꚀ-ꚛꜢ-ꝯꝱ-ꞇꞋ-ꞎꭰ-ꮿﬀ-ﬆﬓ-ﬗＡ-Ｚａ-ｚ𐐀-𐑏𐒰-𐓓𐓘-𐓻𐲀-𐲲𐳀-𐳲𑢠-𑣟𞤀-𞥃]+",
        "\\s?[!-/:-~！-／：-～‘-‟　-。]+", "\\s+$", "[一-龥ࠀ-一가-퟿]+", "\\p{N}+"}},
      {PreTok::DeepseekCoder, "deepseek-coder",
       {"[\r\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", "[一-龥ࠀ-一가-퟿]+", "\\p{N}"}},
      {PreTok::Deepseek3, "deepseek-v3",
       {"\\p{N}{1,3}", "[一-龥぀-ゟ゠-ヿ]+",
        "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?"
        "[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+"}},
      {PreTok::Falcon, "falcon", {"[\\p{P}\\$\\+<=>\\^~\\|`]+", kGpt2, "[0-9][0-9][0-9]"}},
      {PreTok::Starcoder, "starcoder", {"\\p{N}", kGpt2}},
      {PreTok::Gpt2, "gpt-2", {kGpt2}},
      {PreTok::Mpt, "mpt", {kGpt2}},
      {PreTok::Qwen2, "qwen2", {kQwen2}},
      {PreTok::Poro, "poro-chat", {kPoro}},
      {PreTok::ChatGlm4, "chatglm-bpe", {kLlama3}},
      {PreTok::Viking, "viking", {kPoro, "\\p{N}"}},
  }};
  return kSpecs;
}

struct NameRow {
  std::string_view name;
  PreTok id;
};

// tokenizer.ggml.pre spellings, as llama.cpp's llama_vocab::impl::load maps them.
constexpr NameRow kNames[] = {
    {"default", PreTok::Default},
    {"llama3", PreTok::Llama3}, {"llama-v3", PreTok::Llama3}, {"llama-bpe", PreTok::Llama3},
    {"falcon3", PreTok::Llama3}, {"falcon-h1", PreTok::Llama3}, {"pixtral", PreTok::Llama3},
    {"midm-2.0", PreTok::Llama3}, {"lfm2", PreTok::Llama3},
    {"dbrx", PreTok::Dbrx}, {"smaug-bpe", PreTok::Dbrx},
    {"deepseek-llm", PreTok::DeepseekLlm}, {"deepseek-coder", PreTok::DeepseekCoder},
    {"deepseek-v3", PreTok::Deepseek3},
    {"falcon", PreTok::Falcon}, {"mpt", PreTok::Mpt},
    {"starcoder", PreTok::Starcoder}, {"refact", PreTok::Starcoder},
    {"command-r", PreTok::Starcoder}, {"smollm", PreTok::Starcoder},
    {"codeshell", PreTok::Starcoder}, {"exaone", PreTok::Starcoder},
    {"minerva-7b", PreTok::Starcoder},
    {"gpt-2", PreTok::Gpt2}, {"phi-2", PreTok::Gpt2}, {"jina-es", PreTok::Gpt2},
    {"jina-de", PreTok::Gpt2}, {"gigachat", PreTok::Gpt2}, {"jina-v2-es", PreTok::Gpt2},
    {"jina-v2-de", PreTok::Gpt2}, {"a.x-4.0", PreTok::Gpt2}, {"mellum", PreTok::Gpt2},
    {"olmo", PreTok::Gpt2}, {"jais", PreTok::Gpt2}, {"trillion", PreTok::Gpt2},
    {"granite-docling", PreTok::Gpt2}, {"exaone4", PreTok::Gpt2},
    {"qwen2", PreTok::Qwen2}, {"deepseek-r1-qwen", PreTok::Qwen2}, {"stablelm2", PreTok::Qwen2},
    {"hunyuan", PreTok::Qwen2}, {"megrez", PreTok::Qwen2}, {"kormo", PreTok::Qwen2},
    {"poro-chat", PreTok::Poro}, {"bloom", PreTok::Poro}, {"gpt3-finnish", PreTok::Poro},
    {"chatglm-bpe", PreTok::ChatGlm4}, {"glm4", PreTok::ChatGlm4},
    {"viking", PreTok::Viking},
};

}  // namespace

const PreTokSpec& pre_tokenizer_spec(PreTok id) {
  const auto& table = specs();
  ONDO_CHECK(id < PreTok::Count && table[size_t(id)].id == id);  // rows in enum order
  return table[size_t(id)];
}

const PreTokSpec* find_pre_tokenizer(std::string_view name) {
  if (name.empty()) return &pre_tokenizer_spec(PreTok::Default);
  for (const NameRow& row : kNames) {
    if (row.name == name) return &pre_tokenizer_spec(row.id);
  }
  return nullptr;
}

}  // namespace ondo::text
