// IrBuilder: lowering target of the GBNF parser, code point classes to UTF-8 byte
// sequences, and the whole-grammar checks (definitions, left recursion, productivity).
// Layer: infer (grammar/). Touches nothing outside grammar/ and core.
#include "ondo/infer/grammar/grammar_ir.h"

#include <algorithm>
#include <cstdint>

namespace ondo::infer::grammar {
namespace {

int utf8_len(uint32_t cp) { return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; }

std::array<uint8_t, 4> utf8_encode(uint32_t cp) {
  std::array<uint8_t, 4> b{};
  switch (utf8_len(cp)) {
    case 1: b[0] = uint8_t(cp); break;
    case 2: b = {uint8_t(0xC0 | (cp >> 6)), uint8_t(0x80 | (cp & 0x3F))}; break;
    case 3:
      b = {uint8_t(0xE0 | (cp >> 12)), uint8_t(0x80 | ((cp >> 6) & 0x3F)), uint8_t(0x80 | (cp & 0x3F))};
      break;
    default:
      b = {uint8_t(0xF0 | (cp >> 18)), uint8_t(0x80 | ((cp >> 12) & 0x3F)),
           uint8_t(0x80 | ((cp >> 6) & 0x3F)), uint8_t(0x80 | (cp & 0x3F))};
  }
  return b;
}

// [lo, hi] with equal encoded lengths -> byte-range sequences. Splits until every byte
// position after the first differing one spans its full continuation range, so that each
// sequence is a plain product of byte ranges (the classic UTF-8 range compilation).
void split_same_len(uint32_t lo, uint32_t hi, std::vector<ByteSeq>& out) {
  const int n = utf8_len(lo);
  if (n == 1) {
    out.push_back({{uint8_t(lo), uint8_t(hi)}});
    return;
  }
  for (int i = 1; i < n; ++i) {
    const uint32_t m = (1u << (6 * i)) - 1;
    if ((lo & ~m) == (hi & ~m)) continue;
    if ((lo & m) != 0) {
      split_same_len(lo, lo | m, out);
      split_same_len((lo | m) + 1, hi, out);
      return;
    }
    if ((hi & m) != m) {
      split_same_len(lo, (hi & ~m) - 1, out);
      split_same_len(hi & ~m, hi, out);
      return;
    }
  }
  const auto a = utf8_encode(lo), b = utf8_encode(hi);
  ByteSeq seq;
  for (int k = 0; k < n; ++k) seq.emplace_back(a[k], b[k]);
  out.push_back(std::move(seq));
}

}  // namespace

std::vector<CpRange> normalize_ranges(std::vector<CpRange> ranges, bool negate) {
  std::sort(ranges.begin(), ranges.end());
  std::vector<CpRange> merged;
  for (auto [lo, hi] : ranges) {
    if (lo > hi) continue;
    if (!merged.empty() && lo <= merged.back().second + 1) {
      merged.back().second = std::max(merged.back().second, hi);
    } else {
      merged.emplace_back(lo, hi);
    }
  }
  if (negate) {
    std::vector<CpRange> inv;
    uint32_t next = 0;
    for (auto [lo, hi] : merged) {
      if (lo > next) inv.emplace_back(next, lo - 1);
      next = hi + 1;
    }
    if (next <= kMaxCodePoint) inv.emplace_back(next, kMaxCodePoint);
    merged = std::move(inv);
  }
  std::vector<CpRange> out;  // drop surrogates D800-DFFF: they have no UTF-8 encoding
  for (auto [lo, hi] : merged) {
    hi = std::min(hi, kMaxCodePoint);
    if (lo > hi) continue;
    if (hi < 0xD800 || lo > 0xDFFF) {
      out.emplace_back(lo, hi);
      continue;
    }
    if (lo < 0xD800) out.emplace_back(lo, 0xD7FF);
    if (hi > 0xDFFF) out.emplace_back(0xE000, hi);
  }
  return out;
}

std::vector<ByteSeq> utf8_sequences(const std::vector<CpRange>& ranges) {
  static constexpr uint32_t kBounds[] = {0x7F, 0x7FF, 0xFFFF, kMaxCodePoint};
  std::vector<ByteSeq> out;
  for (auto [lo, hi] : ranges) {
    for (uint32_t bound : kBounds) {
      if (lo > hi) break;
      if (lo > bound) continue;
      const uint32_t top = std::min(hi, bound);
      split_same_len(lo, top, out);
      lo = top + 1;
    }
  }
  return out;
}

uint32_t IrBuilder::rule_id(std::string_view name) {
  auto it = by_name_.find(std::string(name));
  if (it != by_name_.end()) return it->second;
  by_name_.emplace(std::string(name), uint32_t(ir_.rule_names.size()));
  ir_.rule_names.emplace_back(name);
  ir_.alts.emplace_back();
  defined_.push_back(false);
  return uint32_t(ir_.rule_names.size() - 1);
}

uint32_t IrBuilder::helper_rule(std::string_view base) {
  ir_.rule_names.push_back(std::string(base) + "#" + std::to_string(++n_helpers_));
  ir_.alts.emplace_back();
  defined_.push_back(true);
  return uint32_t(ir_.rule_names.size() - 1);
}

Status IrBuilder::add_alt(uint32_t rule, const std::vector<Elem>& seq) {
  if (ir_.elems.size() + seq.size() + 1 > max_elements_) {
    return make_error(ErrorCode::TooLarge, "grammar: more than " + std::to_string(max_elements_) +
                                               " elements after expanding repetitions");
  }
  ir_.alts[rule].push_back(uint32_t(ir_.elems.size()));
  ir_.elems.insert(ir_.elems.end(), seq.begin(), seq.end());
  ir_.elems.push_back(Elem{ElemKind::End, 0});
  return ok_status();
}

Elem IrBuilder::bytes(uint8_t lo, uint8_t hi) {
  ByteSet s{};
  for (unsigned b = lo; b <= hi; ++b) s[b >> 6] |= uint64_t(1) << (b & 63);
  return byte_set(s);
}

size_t IrBuilder::ByteSetHash::operator()(const ByteSet& s) const {
  uint64_t h = 0x9E3779B97F4A7C15ull;
  for (const uint64_t w : s) h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
  return size_t(h ^ (h >> 31));
}

// Deduplicated through a hash index (a scan over the sets so far was quadratic in the
// number of distinct classes a grammar writes).
Elem IrBuilder::byte_set(const ByteSet& s) {
  const auto [it, added] = set_index_.emplace(s, uint32_t(ir_.byte_sets.size()));
  if (added) ir_.byte_sets.push_back(s);
  return Elem{ElemKind::Bytes, it->second};
}

// One code point of `ranges`. UTF-8 shapes share structure so that the matcher meets few
// distinct states inside a character: trailing runs of full continuation bytes (80-BF)
// become shared rules "tail k", and shapes that then differ only in their first byte
// merge into one alternative whose first element is the union of those bytes.
Status IrBuilder::append_class(std::vector<Elem>& seq, const std::vector<CpRange>& ranges) {
  const auto seqs = utf8_sequences(ranges);
  if (seqs.empty()) return make_error(ErrorCode::InvalidArgument, "grammar: character class matches nothing");
  std::vector<std::pair<std::vector<Elem>, ByteSet>> shapes;  // (elements after the first, first bytes)
  for (const auto& s : seqs) {
    size_t k = 0;
    while (k + 1 < s.size() && s[s.size() - 1 - k] == std::pair<uint8_t, uint8_t>{0x80, 0xBF}) ++k;
    std::vector<Elem> rest;
    for (size_t i = 1; i + k < s.size(); ++i) rest.push_back(bytes(s[i].first, s[i].second));
    if (k > 0) {
      for (size_t j = 1; j <= k; ++j) {
        if (tails_[j] != 0) continue;
        tails_[j] = helper_rule("utf8-tail");
        std::vector<Elem> alt{bytes(0x80, 0xBF)};
        if (j > 1) alt.push_back(Elem{ElemKind::Rule, tails_[j - 1]});
        ONDO_TRY(add_alt(tails_[j], alt));
      }
      rest.push_back(Elem{ElemKind::Rule, tails_[k]});
    }
    auto same = [&](const auto& sh) {
      return sh.first.size() == rest.size() && std::equal(rest.begin(), rest.end(), sh.first.begin(), [](Elem a, Elem b) {
               return a.kind == b.kind && a.arg == b.arg;
             });
    };
    auto it = std::find_if(shapes.begin(), shapes.end(), same);
    if (it == shapes.end()) it = shapes.insert(shapes.end(), {rest, ByteSet{}});
    for (unsigned b = s[0].first; b <= s[0].second; ++b) it->second[b >> 6] |= uint64_t(1) << (b & 63);
  }
  auto emit = [&](std::vector<Elem>& out, const auto& sh) {
    out.push_back(byte_set(sh.second));
    out.insert(out.end(), sh.first.begin(), sh.first.end());
  };
  if (shapes.size() == 1) {
    emit(seq, shapes[0]);
    return ok_status();
  }
  const uint32_t helper = helper_rule("class");
  for (const auto& sh : shapes) {
    std::vector<Elem> alt;
    emit(alt, sh);
    ONDO_TRY(add_alt(helper, alt));
  }
  seq.push_back(Elem{ElemKind::Rule, helper});
  return ok_status();
}

// Nullable (derives the empty string) and productive (derives some finite string) rules,
// by propagation from a worklist: each alternative counts the rule references it still
// waits for, so every element is visited a constant number of times (linear in the
// grammar; a fixpoint over all rules per round was quadratic on long chains).
void IrBuilder::nullable_productive(std::vector<bool>& nullable, std::vector<bool>& productive) const {
  const size_t n = ir_.alts.size();
  std::vector<uint32_t> alt_rule, wait_null, wait_prod;  // per alternative
  std::vector<std::vector<uint32_t>> used_in(n);         // rule -> alternatives referencing it
  std::vector<uint32_t> null_todo, prod_todo;
  for (uint32_t r = 0; r < n; ++r) {
    for (uint32_t p : ir_.alts[r]) {
      const auto a = uint32_t(alt_rule.size());
      uint32_t refs = 0;
      bool has_bytes = false;
      for (; ir_.elems[p].kind != ElemKind::End; ++p) {
        if (ir_.elems[p].kind == ElemKind::Bytes) {
          has_bytes = true;
          continue;
        }
        ++refs;
        used_in[ir_.elems[p].arg].push_back(a);
      }
      alt_rule.push_back(r);
      wait_null.push_back(has_bytes ? UINT32_MAX : refs);  // never nullable with a byte
      wait_prod.push_back(refs);
      if (refs == 0 && !has_bytes) null_todo.push_back(r);
      if (refs == 0) prod_todo.push_back(r);
    }
  }
  auto propagate = [&](std::vector<uint32_t>& todo, std::vector<uint32_t>& wait, std::vector<bool>& flag) {
    while (!todo.empty()) {
      const uint32_t r = todo.back();
      todo.pop_back();
      if (flag[r]) continue;
      flag[r] = true;
      for (uint32_t a : used_in[r]) {
        if (wait[a] != UINT32_MAX && --wait[a] == 0) todo.push_back(alt_rule[a]);
      }
    }
  };
  propagate(null_todo, wait_null, nullable);
  propagate(prod_todo, wait_prod, productive);
}

// Rules that may begin rule r without consuming input, with the nesting each costs: 1 when
// the reference leaves a continuation on the parse stack (elements follow it), else 0.
std::vector<std::vector<IrBuilder::LeftEdge>> IrBuilder::left_edges(const std::vector<bool>& nullable) const {
  std::vector<std::vector<LeftEdge>> left(ir_.alts.size());
  for (uint32_t r = 0; r < ir_.alts.size(); ++r) {
    for (uint32_t p : ir_.alts[r]) {
      for (; ir_.elems[p].kind == ElemKind::Rule; ++p) {
        left[r].push_back({ir_.elems[p].arg, ir_.elems[p + 1].kind != ElemKind::End});
        if (!nullable[ir_.elems[p].arg]) break;
      }
    }
  }
  return left;
}

// Depth-first over the left edges with an explicit stack (a chain of 100k rules must not
// recurse): reports left recursion as the first cycle met, and bounds the chains of rules
// entered before any input (the matcher follows them on every step).
Status IrBuilder::check_left_chains(const std::vector<bool>& nullable) const {
  const size_t n = ir_.alts.size();
  const auto left = left_edges(nullable);
  std::vector<uint8_t> color(n, 0);  // 0 new, 1 on the path, 2 done
  std::vector<uint32_t> chain(n, 0), nesting(n, 0), next_edge(n, 0);
  std::vector<uint32_t> path;
  for (uint32_t root = 0; root < n; ++root) {
    if (color[root] != 0) continue;
    color[root] = 1;
    path.push_back(root);
    while (!path.empty()) {
      const uint32_t r = path.back();
      if (next_edge[r] < left[r].size()) {
        const uint32_t s = left[r][next_edge[r]++].rule;
        if (color[s] == 1) return left_recursion_error(path, s);
        if (color[s] == 0) {
          color[s] = 1;
          path.push_back(s);
        }
        continue;
      }
      // Every rule r leads to is done: chain[r] = rules in the longest chain from r.
      uint32_t c = 1, d = 0;
      for (const LeftEdge& e : left[r]) {
        c = std::max(c, std::min<uint32_t>(chain[e.rule] + 1, kMaxLeftChain + 1));
        d = std::max(d, std::min<uint32_t>(nesting[e.rule] + e.nests, kMaxLeftNesting + 1));
      }
      chain[r] = c, nesting[r] = d;
      if (c > kMaxLeftChain || d > kMaxLeftNesting) {
        const bool long_chain = c > kMaxLeftChain;
        return make_error(ErrorCode::InvalidArgument,
                          "grammar: rule '" + ir_.rule_names[r] + "' starts a chain of " +
                              (long_chain ? "more than " + std::to_string(kMaxLeftChain) + " rules"
                                          : "rules nested more than " + std::to_string(kMaxLeftNesting) + " deep") +
                              " before any input (limit " +
                              std::to_string(long_chain ? kMaxLeftChain : kMaxLeftNesting) + ")");
      }
      color[r] = 2;
      path.pop_back();
    }
  }
  return ok_status();
}

Error IrBuilder::left_recursion_error(const std::vector<uint32_t>& path, uint32_t back_to) const {
  std::string msg = "grammar: left recursion is not supported (";
  const size_t start = size_t(std::find(path.begin(), path.end(), back_to) - path.begin());
  for (size_t i = start; i < path.size(); ++i) msg += (i > start ? " -> '" : "'") + ir_.rule_names[path[i]] + "'";
  return make_error(ErrorCode::InvalidArgument, msg + " -> '" + ir_.rule_names[back_to] + "')");
}

Result<std::unique_ptr<GrammarIr>> IrBuilder::finish(std::string_view root) {
  const size_t n = ir_.alts.size();
  for (uint32_t r = 0; r < n; ++r) {
    if (!defined_[r]) {
      return make_error(ErrorCode::InvalidArgument, "grammar: rule '" + ir_.rule_names[r] + "' is used but not defined");
    }
  }
  auto root_it = std::find(ir_.rule_names.begin(), ir_.rule_names.end(), root);
  if (root_it == ir_.rule_names.end()) {
    return make_error(ErrorCode::InvalidArgument, "grammar: no root rule '" + std::string(root) + "'");
  }
  ir_.root = uint32_t(root_it - ir_.rule_names.begin());
  std::vector<bool> nullable(n, false), productive(n, false);
  nullable_productive(nullable, productive);
  for (uint32_t r = 0; r < n; ++r) {
    if (!productive[r]) {
      return make_error(ErrorCode::InvalidArgument, "grammar: rule '" + ir_.rule_names[r] + "' can never finish (every alternative recurses forever)");
    }
  }
  ONDO_TRY(check_left_chains(nullable));
  return std::make_unique<GrammarIr>(std::move(ir_));
}

}  // namespace ondo::infer::grammar
