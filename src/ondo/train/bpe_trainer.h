// Training a SentencePiece-style BPE vocabulary with byte fallback, written as the GGUF
// "llama" tokenizer (tokens, scores, token types) that text::Tokenizer reads. Layer: train.
//
// Vocabulary layout: 0 <unk>, 1 <s>, 2 </s>, then the extra control tokens (chat-template
// markers), then the 256 byte tokens <0x00>..<0xFF> (so any text encodes), then the
// characters seen, then one token per learned merge. Spaces become U+2581 with a dummy
// prefix, as SentencePiece does; a word is U+2581 followed by non-space characters and
// merges never cross words. Merge i gets score -i, so the SPM encoder (highest score
// first) replays the merges in the order they were learned.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/gguf/writer.h"

namespace ondo::train {

struct BpeTrainOptions {
  int32_t vocab_size = 4096;
  std::vector<std::string> control_tokens = {"<|im_start|>", "<|im_end|>"};
  int64_t min_char_count = 2;  // rarer characters are left to byte fallback
};

struct TrainedVocab {
  std::vector<std::string> tokens;
  std::vector<float> scores;
  std::vector<int32_t> types;  // GGUF token types: 1 normal, 2 unknown, 3 control, 6 byte
  int32_t n_merges = 0;
};

// Learns merges from `texts`. Errors (InvalidArgument): a vocabulary too small for the fixed
// tokens (3 + control + 256 + at least one character), or no text. Deterministic.
Result<TrainedVocab> train_bpe(std::span<const std::string> texts, const BpeTrainOptions& options);

// Sets tokenizer.ggml.* (model "llama", tokens, scores, token types, bos/eos/unk ids,
// add_bos, add_space_prefix) on `w`.
void write_tokenizer_metadata(const TrainedVocab& v, gguf::Writer& w);

}  // namespace ondo::train
