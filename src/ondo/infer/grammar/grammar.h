// Grammar: a compiled context-free grammar over bytes, the input of the token masker
// (matcher.h). parse_gbnf() reads llama.cpp's GBNF notation. Layer: infer (uses core only);
// must not touch model/ or anything above infer.
//
// Ownership: a Grammar is immutable after parsing and shared as shared_ptr<const Grammar>.
// Thread contract: every const member may run concurrently; the per-vocabulary caches it
// hands to matchers are guarded by their own mutex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "ondo/core/result.h"

namespace ondo::infer::grammar {

struct GrammarIr;
class MaskAutomaton;
class TokenTable;

// Bounds on what a grammar may cost. Exceeding one is an error (TooLarge).
struct GrammarLimits {
  size_t max_text_bytes = 4u << 20;     // GBNF source size
  size_t max_elements = 2u << 20;       // lowered elements (bytes, rule references)
  uint32_t max_repeat = 100000;         // m and n of {m,n}
};

class Grammar {
 public:
  explicit Grammar(std::unique_ptr<GrammarIr> ir);
  ~Grammar();
  Grammar(const Grammar&) = delete;
  Grammar& operator=(const Grammar&) = delete;

  const GrammarIr& ir() const { return *ir_; }
  size_t n_rules() const;
  size_t n_elements() const;

  // The shared matching cache for (this grammar, table): one per pair, made on first use.
  // Internal to matcher.cpp; `self` must own this grammar.
  static std::shared_ptr<MaskAutomaton> automaton_for(const std::shared_ptr<const Grammar>& self,
                                            const std::shared_ptr<const TokenTable>& table);

  struct AutomatonSlot;

 private:
  std::unique_ptr<GrammarIr> ir_;
  std::unique_ptr<AutomatonSlot> automata_;
};

// Parses GBNF (llama.cpp's notation): `name ::= alternatives` rules; `|`; `( )`; literals
// "..." with escapes \n \r \t \" \\ \xNN \uNNNN \UNNNNNNNN; character classes [a-z] [^...];
// `.` (any code point); repetition * + ? {m} {m,} {m,n}; # comments. Rule names are
// [A-Za-z0-9_-]+. Newlines end a rule except inside ( ) and right after `::=` or `|`.
// Grammars work on Unicode code points, lowered to UTF-8 byte sequences.
// Errors (InvalidArgument, with "line L, column C"): syntax, undefined or twice-defined
// rules, a missing root rule, left recursion, a rule that can never finish, invalid code
// points or UTF-8; TooLarge past `limits`.
Result<std::shared_ptr<const Grammar>> parse_gbnf(std::string_view text, std::string_view root = "root",
                                                  const GrammarLimits& limits = {});

// Quotes `text` as a GBNF string literal (escaping ", \, control bytes).
std::string gbnf_quote(std::string_view text);

}  // namespace ondo::infer::grammar
