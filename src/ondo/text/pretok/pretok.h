// Pre-tokenizers for byte-level BPE: the registry of tokenizer.ggml.pre names, the regex
// sets llama.cpp (upstream 34af94cd, llm_tokenizer_bpe) applies for each, and the
// splitter that runs them. Layer: text. Internal to text/.
// Thread contract: a PreTokenizer is immutable after create(); split() is thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ondo/core/result.h"

namespace ondo::text {

// One row per regex set; names map onto these in pretok/registry.cpp.
enum class PreTok {
  Default, Llama3, Dbrx, DeepseekLlm, DeepseekCoder, Deepseek3, Falcon, Starcoder, Gpt2,
  Mpt, Qwen2, Poro, ChatGlm4, Viking, Count
};

struct PreTokSpec {
  PreTok id;
  std::string_view label;                 // one of its tokenizer.ggml.pre names, for messages
  std::vector<std::string_view> regexes;  // applied in order, each splitting every piece
  bool ignore_merges = false;             // a word that is a token is emitted whole
  bool add_bos = false;                   // llama.cpp turns add_bos on for this set
};

// The set for a tokenizer.ggml.pre value ("" -> Default); nullptr when unknown.
const PreTokSpec* find_pre_tokenizer(std::string_view name);
const PreTokSpec& pre_tokenizer_spec(PreTok id);

class PreTokenizer {
 public:
  // Compiles the spec's regexes. Errors (Internal): a regex PCRE2 rejects.
  static Result<std::unique_ptr<PreTokenizer>> create(const PreTokSpec& spec);
  ~PreTokenizer();

  // Splits `text` into words and maps each word's bytes to GPT-2's byte-level code
  // points (invalid UTF-8 first becomes U+FFFD per bad byte, as in llama.cpp).
  std::vector<std::string> split(std::string_view text) const;

  struct Step;

 private:
  PreTokenizer() = default;
  std::vector<std::unique_ptr<Step>> steps_;
};

// Splitters with hand-written matching, used where llama.cpp uses its custom code.
// Each takes code points and segment lengths and returns the refined segment lengths.
std::vector<size_t> split_gpt2(const std::vector<uint32_t>& cpts, const std::vector<size_t>& segs);
std::vector<size_t> split_llama3(const std::vector<uint32_t>& cpts, const std::vector<size_t>& segs);

}  // namespace ondo::text
