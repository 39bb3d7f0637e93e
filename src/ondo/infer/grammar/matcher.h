// Matcher: one sequence's position in a grammar, and the token mask for its next step.
// Layer: infer (grammar/). Used by the sampler's caller: fill_mask() before sampling,
// accept() with the sampled token.
//
// Ownership: shares the Grammar and TokenTable; all matchers of one (grammar, table) pair
// share one cache of grammar states and masks (mask_automaton.h), so a mask computed for one
// sequence serves every other sequence that reaches the same state.
// Thread contract: a Matcher is one sequence's (not shared); copies are independent forks
// and may run on different threads.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "ondo/core/result.h"
#include "ondo/infer/grammar/grammar.h"
#include "ondo/infer/grammar/mask_automaton.h"
#include "ondo/infer/grammar/token_table.h"

namespace ondo::infer::grammar {

class Matcher {
 public:
  // Requires: grammar and table non-null.
  Matcher(std::shared_ptr<const Grammar> grammar, std::shared_ptr<const TokenTable> table);

  // Sets bit i of `bits` exactly when token i may come next: a normal token whose bytes
  // keep the text a prefix of some sentence of the grammar (multi-byte characters may
  // split across tokens), or an end-of-generation token when the text so far is a whole
  // sentence. Control tokens never. After an accepted end-of-generation token: none.
  // Requires: bits.size() >= table.n_words(). Cost: a cached copy when this grammar state
  // was seen before (by any matcher of the pair), else one walk of the vocabulary trie.
  void fill_mask(std::span<uint64_t> bits);
  // Advances over `token`. Error (InvalidArgument) when the mask would not allow it; the
  // matcher is then unchanged.
  Status accept(int32_t token);
  // Advances over raw bytes (no token boundaries). Error as accept().
  Status accept_bytes(std::string_view bytes);

  // The text so far is a whole sentence and nothing may follow: generation should end.
  bool is_complete();
  // The text so far is a whole sentence (more may still follow).
  bool can_stop();
  // An end-of-generation token was accepted.
  bool finished() const { return finished_; }

 private:
  std::shared_ptr<const Grammar> grammar_;  // keeps the automaton's grammar alive
  std::shared_ptr<MaskAutomaton> automaton_;
  AutomatonHandle state_;
  bool finished_ = false;
};

}  // namespace ondo::infer::grammar
