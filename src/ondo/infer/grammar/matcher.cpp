// Matcher: per-sequence state over the shared MaskAutomaton. Layer: infer (grammar/).
#include "ondo/infer/grammar/matcher.h"

#include <algorithm>
#include <string>

namespace ondo::infer::grammar {

Matcher::Matcher(std::shared_ptr<const Grammar> grammar, std::shared_ptr<const TokenTable> table)
    : grammar_(grammar), automaton_(Grammar::automaton_for(grammar, table)), state_(automaton_->initial()) {}

void Matcher::fill_mask(std::span<uint64_t> bits) {
  const size_t n = std::min(bits.size(), automaton_->table().n_words());
  if (finished_) {
    std::fill(bits.begin(), bits.begin() + long(n), 0);
    return;
  }
  automaton_->fill_mask(state_, bits.first(n));
}

Status Matcher::accept(int32_t token) {
  const TokenTable& table = automaton_->table();
  if (token < 0 || token >= table.n_vocab()) {
    return make_error(ErrorCode::InvalidArgument, "grammar: token " + std::to_string(token) + " is out of range");
  }
  auto refuse = [&](const char* why) {
    return make_error(ErrorCode::InvalidArgument, "grammar: token " + std::to_string(token) + " is not allowed (" + why + ")");
  };
  if (finished_) return refuse("generation already ended");
  if (table.kind(token) == TokenTable::Kind::EndOfGeneration) {
    if (!automaton_->accepting(state_)) return refuse("end of generation before the grammar is complete");
    finished_ = true;
    return ok_status();
  }
  if (!table.matchable(token)) return refuse("control or empty token");
  if (!automaton_->advance(state_, table.bytes(token))) return refuse("the grammar does not allow its bytes here");
  return ok_status();
}

Status Matcher::accept_bytes(std::string_view bytes) {
  if (finished_) return make_error(ErrorCode::InvalidArgument, "grammar: generation already ended");
  if (!automaton_->advance(state_, bytes)) {
    return make_error(ErrorCode::InvalidArgument, "grammar: the grammar does not allow these bytes here");
  }
  return ok_status();
}

bool Matcher::is_complete() { return finished_ || automaton_->complete(state_); }

bool Matcher::can_stop() { return finished_ || automaton_->accepting(state_); }

}  // namespace ondo::infer::grammar
