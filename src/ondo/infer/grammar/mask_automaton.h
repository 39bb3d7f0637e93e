// MaskAutomaton: the shared matching cache of one (grammar, token table) pair. A matcher state is
// the canonical set of parse stacks; the automaton interns each such set as a lazily built DFA
// state with byte transitions, the state's token mask, and "loop" facts that let the trie
// walk accept whole vocabulary subtrees at once. Layer: infer (grammar/). Internal to
// grammar/: matchers talk to it; nothing else should.
//
// Thread contract: every public member locks the automaton's mutex; any number of matchers
// on any threads may share one automaton. Memory is bounded: past kMaxStates states or
// kMaxMasks masks the caches are dropped (matchers keep their own state and re-intern).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ondo/infer/grammar/grammar_ir.h"
#include "ondo/infer/grammar/token_table.h"

namespace ondo::infer::grammar {

// A matcher's position: the canonical stack set (owned jointly with the automaton) and its
// id in the automaton's current epoch.
struct AutomatonHandle {
  std::shared_ptr<const std::vector<uint32_t>> key;
  int32_t id = 0;
  uint64_t epoch = 0;
};

class MaskAutomaton {
 public:
  static constexpr size_t kMaxStackDepth = 512;   // deeper parses are dropped (rejected)
  static constexpr size_t kMaxStacks = 4096;      // per state; extra ambiguity is dropped
  static constexpr size_t kMaxPending = 8192;     // rules with alternatives left, per expansion
  static constexpr size_t kMaxStates = 1u << 15;
  static constexpr size_t kMaxMasks = 1024;

  // Requires: `ir` outlives the automaton (the owning Grammar keeps both; see grammar.h).
  MaskAutomaton(const GrammarIr& ir, std::shared_ptr<const TokenTable> table);
  ~MaskAutomaton();

  AutomatonHandle initial();
  // Bits for every allowed token (EOG ones when accepting); `bits` has n_words() words.
  void fill_mask(AutomatonHandle& h, std::span<uint64_t> bits);
  // Advances over the bytes; false (h unchanged) when some byte is not allowed.
  bool advance(AutomatonHandle& h, std::string_view bytes);
  bool accepting(AutomatonHandle& h);
  bool complete(AutomatonHandle& h);
  const TokenTable& table() const { return *table_; }

 private:
  using Key = std::vector<uint32_t>;
  struct State {
    std::shared_ptr<const Key> key;
    bool accepting = false;
    bool complete = false;
    int32_t utf8_next = -2;               // state after any non-ASCII character; -1 none, -2 unknown
    uint64_t loop_checked[2] = {0, 0};    // ASCII bytes whose self-loop test is done
    uint64_t loop_ascii[2] = {0, 0};      // ... and those that loop back to this state
    int32_t mask = -1;
  };
  struct KeyHash {
    size_t operator()(const Key* k) const;
  };
  struct KeyEq {
    bool operator()(const Key* a, const Key* b) const { return *a == *b; }
  };

  int32_t resolve(AutomatonHandle& h);
  void maybe_flush();
  int32_t intern(std::vector<std::vector<uint32_t>>& stacks);
  int32_t intern_key(const Key& key);
  // A rule reference whose alternatives after the first are still to be expanded.
  struct Pending {
    std::vector<uint32_t> stack;  // the parse stack below the reference
    uint32_t rule;
    uint32_t next_alt;
  };
  void expand(std::vector<uint32_t>& start, std::vector<std::vector<uint32_t>>& out);
  int32_t step(int32_t s, uint8_t b) {
    const int32_t t = trans_[size_t(s) * 256 + b];
    return t >= 0 ? t : step_slow(s, b);
  }
  int32_t step_slow(int32_t s, uint8_t b);
  int32_t compute_step(int32_t s, uint8_t b);
  bool loops_on_ascii(int32_t s, const uint64_t bytes[2]);
  int32_t utf8_successor(int32_t s);
  bool skippable(int32_t s, const TokenTable::Node& nd);
  bool chain_skippable(int32_t s, const TokenTable::Node& nd, size_t subtree_nodes);
  void compute_mask(int32_t s, std::vector<uint64_t>& out);

  const GrammarIr& ir_;
  std::shared_ptr<const TokenTable> table_;
  std::mutex mu_;  // guards everything below
  uint64_t epoch_ = 1;
  uint8_t class_rep_[256];     // smallest byte that every byte set treats like this one
  std::vector<State> states_;  // states_[0] is the dead state (no stacks)
  std::vector<int32_t> trans_; // [state * 256 + byte] -> state, -1 not computed yet
  std::unordered_map<const Key*, int32_t, KeyHash, KeyEq> index_;
  std::vector<std::vector<uint64_t>> masks_;
  std::vector<uint64_t> rank_bits_;  // walk scratch
  std::vector<int32_t> walk_states_;
  size_t budget_ = 0;  // expansion steps left for the transition being computed
  std::vector<Pending> pending_;  // expand()'s scratch
};

}  // namespace ondo::infer::grammar
