// Tokenizer: text <-> token ids for a GGUF model's vocabulary, bit-compatible with
// llama.cpp (upstream 34af94cd) for the families "llama" (SentencePiece-style, SPM),
// "gpt2" (byte-level BPE with the pre-tokenizer named by tokenizer.ggml.pre) and "bert"
// (WordPiece). Layer: text (uses gguf, core); must not touch model/ or infer/.
//
// Ownership: a Tokenizer copies what it needs out of the GgufFile; the file may be closed
// afterwards. Thread contract: immutable after construction; every const member
// (encode, decode, piece, ...) may run concurrently from any number of threads.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ondo/core/result.h"

namespace ondo::gguf {
class GgufFile;
}

namespace ondo::text {

struct Vocab;

struct EncodeOptions {
  bool add_special = true;     // add BOS/EOS (or CLS/SEP) as the vocabulary's metadata says
  bool parse_special = false;  // treat special/control-token text in the input as those tokens
  // With parse_special: byte ranges [first, second) of the input (user text inside a rendered
  // chat prompt) where control and unknown tokens are never recognized; sorted, disjoint.
  std::span<const std::pair<size_t, size_t>> plain_ranges;
};

class Tokenizer {
 public:
  // Reads tokenizer.* metadata. Errors: missing/mistyped keys (InvalidFile), an unknown
  // tokenizer.ggml.model or tokenizer.ggml.pre (Unsupported); each names the file and key.
  static Result<std::unique_ptr<Tokenizer>> from_gguf(const gguf::GgufFile& file);
  // For tests and tools that build a vocabulary by hand (see vocab.h).
  static Result<std::unique_ptr<Tokenizer>> from_vocab(Vocab vocab);
  ~Tokenizer();
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  // Any bytes are accepted: SPM keeps invalid UTF-8 as byte tokens; BPE and WordPiece
  // read each invalid byte as U+FFFD, as llama.cpp does. Errors: none today (the Result
  // leaves room for limits).
  Result<std::vector<int32_t>> encode(std::string_view text, const EncodeOptions& opts = {}) const;

  int32_t n_vocab() const;
  std::string_view token_text(int32_t id) const;  // the raw vocabulary entry; Requires: valid id

  // The bytes token `id` contributes to detokenized text (SentencePiece's U+2581 -> space,
  // <0xNN> byte tokens -> that byte, byte-level BPE mapping undone). Control (and unknown)
  // tokens give "" unless `render_special`. Requires: 0 <= id < n_vocab().
  std::string piece(int32_t id, bool render_special = false) const;
  // The concatenated pieces. No clean-up is applied: SPM's dummy-prefix space stays, and
  // llama.cpp's "clean_spaces" rewriting (" ." -> ".") is not done. Ids out of range
  // contribute nothing.
  std::string decode(std::span<const int32_t> ids, bool render_special = false) const;

  int32_t bos_id() const;  // -1 when the vocabulary has none (WordPiece: CLS)
  int32_t eos_id() const;  // (WordPiece: -1; see sep_id)
  int32_t sep_id() const;
  int32_t unk_id() const;
  bool add_bos() const;    // tokenizer.ggml.add_bos_token, else llama.cpp's default for the type (SPM: true)
  bool add_eos() const;
  bool add_sep() const;    // tokenizer.ggml.add_sep_token (WordPiece default true)
  bool is_end_of_generation(int32_t id) const;  // eos, eot, eom and the like (llama.cpp's "EOG" set)
  bool is_control(int32_t id) const;
  std::string_view model_name() const;  // "llama" (SPM), "gpt2" (BPE), "bert" (WordPiece)
  std::string_view pre_name() const;    // tokenizer.ggml.pre ("" when absent)

  struct Impl;

 private:
  explicit Tokenizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Streaming detokenization: returns only complete UTF-8; holds back a partial sequence.
// Borrows the Tokenizer (which must outlive it). Not thread-safe: one per stream.
class StreamDecoder {
 public:
  explicit StreamDecoder(const Tokenizer& tok, bool render_special = false);
  // The newly completed text. Bytes that can never become valid UTF-8 (a stray
  // continuation byte, an invalid lead, a sequence broken by a non-continuation byte) are
  // passed through unchanged as soon as they are known to be invalid, so no byte is lost.
  std::string push(int32_t id);
  // Whatever is held back (an incomplete sequence at the end), unchanged; then resets.
  std::string flush();

 private:
  const Tokenizer& tok_;
  bool render_special_;
  std::string pending_;
};

}  // namespace ondo::text
