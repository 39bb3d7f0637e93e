// Vocab: the token table of a GGUF file (texts, scores, attributes, special ids and the
// flags that steer encoding), loaded and validated once; plus the special-token
// partition that every tokenizer family runs first. Layer: text (uses gguf, core).
// Internal to text/: the public surface is tokenizer.h.
// Thread contract: immutable after load_vocab(); share freely.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ondo/core/result.h"

namespace ondo::gguf {
class GgufFile;
}

namespace ondo::text {

// Token attributes, bit for bit llama.cpp's llama_token_attr (upstream 34af94cd).
enum TokenAttr : uint32_t {
  kAttrUndefined = 0,
  kAttrUnknown = 1 << 0,
  kAttrUnused = 1 << 1,
  kAttrNormal = 1 << 2,
  kAttrControl = 1 << 3,
  kAttrUserDefined = 1 << 4,
  kAttrByte = 1 << 5,
  kAttrLstrip = 1 << 7,
  kAttrRstrip = 1 << 8,
};

// Tokenizer families (tokenizer.ggml.model); the registry lives in vocab.cpp.
enum class VocabKind { Spm, Bpe, WordPiece };

struct TokenData {
  std::string text;
  float score = 0.0f;
  uint32_t attr = kAttrNormal;
};

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct Vocab {
  VocabKind kind = VocabKind::Spm;
  std::string model_name;  // tokenizer.ggml.model: "llama", "gpt2", "bert"
  std::string pre_name;    // tokenizer.ggml.pre ("" when absent)
  std::vector<TokenData> tokens;
  std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>> text_to_id;

  int32_t bos = -1, eos = -1, eot = -1, eom = -1, unk = -1, sep = -1, pad = -1, mask = -1;
  bool add_bos = false, add_eos = false, add_sep = false;
  bool add_space_prefix = false;  // SPM dummy prefix
  bool ignore_merges = false;     // BPE: a word that is a token skips merging (llama3)
  bool lowercase = true, strip_accents = true;  // WordPiece normalizer
  size_t max_token_len = 0;       // bytes

  std::vector<std::string> merges;   // BPE: "left right", rank = index

  std::vector<int32_t> special_ids;  // control/user-defined/unknown, longest text first
  std::vector<uint8_t> eog;          // per id: 1 when it ends generation

  int32_t n() const { return int32_t(tokens.size()); }
  bool valid(int32_t id) const { return id >= 0 && id < n(); }
  // -1 when `text` is not a token.
  int32_t find(std::string_view text) const {
    auto it = text_to_id.find(text);
    return it == text_to_id.end() ? -1 : it->second;
  }
  // SPM byte fallback: "<0xNN>", else the single byte as a token, else -1.
  int32_t byte_token(uint8_t byte) const;

  // Derives everything that depends on texts and attributes (special_ids, eog,
  // max_token_len, text_to_id); load_vocab calls it, tests that build a Vocab by hand too.
  // Errors: duplicate token texts (InvalidFile).
  Status finish(std::string_view origin);
};

// Reads tokenizer.* metadata. Errors name the file and key: missing or mistyped
// tokens/scores/types, counts that disagree, an unknown tokenizer.ggml.model or
// tokenizer.ggml.pre (Unsupported), merges missing for BPE.
Result<Vocab> load_vocab(const gguf::GgufFile& file);

// The name of a family as tokenizer.ggml.model spells it.
std::string_view vocab_kind_name(VocabKind kind);

// One piece of input after the special-token partition: a token id, or raw text
// [offset, offset + length) of the input (token == -1).
struct Fragment {
  int32_t token = -1;
  size_t offset = 0;
  size_t length = 0;
};

// Splits `text` around special tokens as llama.cpp's tokenizer_st_partition does: user-
// defined tokens always, control and unknown tokens only when `parse_special`; longest
// token text first; lstrip/rstrip attributes eat ASCII whitespace beside the match.
// Control/unknown tokens are not recognized where they overlap one of `plain_ranges`
// (sorted, disjoint byte ranges of `text`).
std::vector<Fragment> partition_special(const Vocab& vocab, std::string_view text,
                                        bool parse_special,
                                        std::span<const std::pair<size_t, size_t>> plain_ranges = {});

}  // namespace ondo::text
