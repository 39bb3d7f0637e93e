// WordPiece ("bert" tokenizer model) as llama.cpp's llm_tokenizer_wpm_session runs it
// (upstream 34af94cd). GGUF BERT vocabularies spell word-initial pieces with a leading
// U+2581 and continuation pieces bare (the converter drops "##"). Layer: text.
// Internal to text/. Thread contract: stateless; safe to call concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ondo/text/vocab.h"

namespace ondo::text {

// BERT basic tokenization: with `strip_accents`, every code point becomes the first code
// point of its NFD and marks (\p{M}) are dropped; whitespace splits words; NUL, U+FFFD
// and \p{C} are dropped; with `lowercase`, simple lower-casing; punctuation, ASCII
// symbols and CJK ideographs become one-character words.
std::vector<std::string> wordpiece_words(const Vocab& vocab, std::string_view text);

// Greedy longest-match of U+2581 + word over the vocabulary (by bytes); a word that cannot
// be covered completely becomes one unknown token.
void wordpiece_encode(const Vocab& vocab, std::string_view text, std::vector<int32_t>* out);

}  // namespace ondo::text
