// SentencePiece-style BPE by scores ("llama" tokenizer model), as llama.cpp's
// llm_tokenizer_spm_session runs it (upstream 34af94cd). Layer: text. Internal to text/.
// Thread contract: stateless; safe to call concurrently on a shared Vocab.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "ondo/text/vocab.h"

namespace ondo::text {

// Encodes one raw-text fragment, whose spaces the caller has already turned into U+2581
// (and prefixed with one when the dummy prefix applies). Starts from UTF-8 characters,
// repeatedly merges the adjacent pair whose concatenation is a token with the highest
// score (ties: leftmost), then emits each final piece as its token or, when it is not
// one, as byte tokens (<0xNN>); bytes without a token become `vocab.unk` (skipped if -1).
void spm_encode(const Vocab& vocab, std::string_view text, std::vector<int32_t>* out);

}  // namespace ondo::text
