// The lowered form of a grammar: rules whose alternatives are flat sequences of byte sets
// and rule references, each ended by an End element; plus the builder that the GBNF parser
// lowers into (code point classes become UTF-8 byte sequences here). Layer: infer.
// Internal to grammar/: the public surface is grammar.h and matcher.h.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/infer/grammar/grammar.h"

namespace ondo::infer::grammar {

enum class ElemKind : uint8_t { Bytes, Rule, End };

struct Elem {
  ElemKind kind = ElemKind::End;
  uint32_t arg = 0;  // Bytes: index into byte_sets; Rule: rule id
};

using ByteSet = std::array<uint64_t, 4>;  // bit b set = byte b allowed

inline bool byteset_has(const ByteSet& s, uint8_t b) { return (s[b >> 6] >> (b & 63)) & 1; }

struct GrammarIr {
  std::vector<Elem> elems;                  // every alternative, End-terminated
  std::vector<ByteSet> byte_sets;           // deduplicated
  std::vector<std::vector<uint32_t>> alts;  // per rule: start positions in elems
  std::vector<std::string> rule_names;
  uint32_t root = 0;
};

// Bounds on the rules a parse enters before it consumes input (checked by finish(); the
// matcher follows such chains on every step). Chain: rules in the longest such chain.
// Nesting: continuations such a chain leaves on the parse stack (Engine::kMaxStackDepth
// bounds the stack; this leaves half of it to nesting that consumes input).
inline constexpr uint32_t kMaxLeftChain = 4096;
inline constexpr uint32_t kMaxLeftNesting = 256;

// An inclusive code point range.
using CpRange = std::pair<uint32_t, uint32_t>;
inline constexpr uint32_t kMaxCodePoint = 0x10FFFF;

// Sorts, merges and removes surrogates; `negate` takes the complement over all code points.
std::vector<CpRange> normalize_ranges(std::vector<CpRange> ranges, bool negate);

// A sequence of byte ranges: one UTF-8 encoding shape.
using ByteSeq = std::vector<std::pair<uint8_t, uint8_t>>;
// The UTF-8 byte sequences that encode exactly the code points in `ranges`.
std::vector<ByteSeq> utf8_sequences(const std::vector<CpRange>& ranges);

class IrBuilder {
 public:
  explicit IrBuilder(size_t max_elements) : max_elements_(max_elements) {}

  // The id of rule `name`, created (undefined) on first use.
  uint32_t rule_id(std::string_view name);
  // A fresh helper rule named "<base>#<n>" (no GBNF name contains '#').
  uint32_t helper_rule(std::string_view base);
  bool is_defined(uint32_t rule) const { return defined_[rule]; }
  void mark_defined(uint32_t rule) { defined_[rule] = true; }
  // Appends one alternative to `rule`. Error (TooLarge) past the element limit.
  Status add_alt(uint32_t rule, const std::vector<Elem>& seq);
  Elem bytes(uint8_t lo, uint8_t hi);
  Elem byte_set(const ByteSet& set);
  // Appends the elements matching one code point of `ranges` to `seq` (a helper rule
  // when several UTF-8 shapes are needed). Empty ranges: error.
  Status append_class(std::vector<Elem>& seq, const std::vector<CpRange>& ranges);
  size_t n_rules() const { return ir_.alts.size(); }
  size_t n_elements() const { return ir_.elems.size(); }
  const std::string& rule_name(uint32_t r) const { return ir_.rule_names[r]; }

  // Checks definitions, productivity, left recursion and the left-chain bounds above
  // (errors InvalidArgument); returns the finished IR. Linear in the grammar's size.
  Result<std::unique_ptr<GrammarIr>> finish(std::string_view root);

 private:
  struct LeftEdge {
    uint32_t rule;
    bool nests;
  };
  void nullable_productive(std::vector<bool>& nullable, std::vector<bool>& productive) const;
  std::vector<std::vector<LeftEdge>> left_edges(const std::vector<bool>& nullable) const;
  Status check_left_chains(const std::vector<bool>& nullable) const;
  Error left_recursion_error(const std::vector<uint32_t>& path, uint32_t back_to) const;
  GrammarIr ir_;
  std::vector<bool> defined_;
  std::unordered_map<std::string, uint32_t> by_name_;
  struct ByteSetHash {
    size_t operator()(const ByteSet& s) const;
  };
  std::unordered_map<ByteSet, uint32_t, ByteSetHash> set_index_;  // byte set -> index
  size_t max_elements_;
  uint32_t n_helpers_ = 0;
  uint32_t tails_[4] = {0, 0, 0, 0};  // tails_[k]: rule of k continuation bytes (0: none yet)
};

}  // namespace ondo::infer::grammar
