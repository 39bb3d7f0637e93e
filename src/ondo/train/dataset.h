// Training data: examples read from .txt or .jsonl files, tokenized, with a per-token loss
// mask, and the batcher that packs them into rows of n_ctx+1 tokens in a seeded order.
// Layer: train (uses text's tokenizer and chat templates, infer's chat prompts).
//
// Formats: .txt is one token stream (BOS first) cut into n_ctx+1-token pieces, every token
// counted. .jsonl holds one object per line: {"text": ...} (BOS + text + EOS, all counted) or
// {"prompt": ..., "completion": ...}, rendered through the chat template as a user and an
// assistant message; only the assistant part (completion and its end marker) is counted.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/text/chat_template/chat_template.h"
#include "ondo/text/tokenizer.h"

namespace ondo::train {

struct Example {
  std::vector<int32_t> tokens;
  std::vector<uint8_t> mask;  // mask[i]: token i counts as a prediction target
};

// Errors name the file and line: unreadable file (NotFound), bad JSON or a line with neither
// "text" nor "prompt"/"completion" strings (InvalidFile), prompt/completion without a
// template (InvalidArgument). `tmpl` may be null when no prompt/completion lines occur.
Result<std::vector<Example>> load_examples(const std::filesystem::path& path, const text::Tokenizer& tok,
                                           const text::ChatTemplate* tmpl, int32_t n_ctx);

// Moves the last `fraction` of a seeded shuffle of `all` into the result (at least one
// example when fraction > 0 and there are two or more).
std::vector<Example> split_validation(std::vector<Example>& all, double fraction, uint64_t seed);

// Where the batcher stands: the epoch (its shuffle is seeded by seed and epoch) and the next
// example in it. Checkpointed, so a resumed run reads the same rows.
struct DataCursor {
  uint64_t epoch = 0;
  uint64_t index = 0;
};

// One batch: B rows of S = n_ctx inputs, targets (inputs shifted by one) and target mask.
struct Batch {
  std::vector<int32_t> tokens, targets;
  std::vector<uint8_t> mask;
  int64_t B = 0, S = 0;
};

class Batcher {
 public:
  // Borrows `examples` (non-empty). `pad` fills unused positions (mask 0).
  Batcher(const std::vector<Example>& examples, int64_t n_ctx, uint64_t seed, int32_t pad);
  // Fills B rows, each packing whole examples in shuffled order until the next one does not
  // fit (an example longer than a row is cut); advances `cur`.
  void next(int64_t B, DataCursor& cur, Batch& out);
  // Fills rows from examples in file order starting at *pos (evaluation); returns false when
  // no example was left.
  bool next_in_order(int64_t B, size_t* pos, Batch& out);

 private:
  // Packs examples get(i), get(i+1), ... into row r while they fit; returns how many it used.
  template <class Get>
  size_t fill_row(int64_t r, Get get, Batch& out) const;
  const std::vector<uint32_t>& order(uint64_t epoch);

  const std::vector<Example>& ex_;
  int64_t S_;
  uint64_t seed_;
  int32_t pad_;
  uint64_t order_epoch_ = UINT64_MAX;
  std::vector<uint32_t> order_;
};

}  // namespace ondo::train
