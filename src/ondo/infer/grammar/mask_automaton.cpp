// MaskAutomaton: lazily built DFA over canonical parse-stack sets, the vocabulary trie walk that
// turns a state into a token mask, and the Grammar members that hand automata out.
// Layer: infer (grammar/).
#include "ondo/infer/grammar/mask_automaton.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

namespace ondo::infer::grammar {

// The automata of one grammar, by table serial, most recently used last. Strong references:
// a mask computed for one sequence serves later sequences too. At most kMaxEngines.
struct Grammar::AutomatonSlot {
  static constexpr size_t kMaxEngines = 4;
  std::mutex mu;
  std::vector<std::pair<uint64_t, std::shared_ptr<MaskAutomaton>>> automata;
};

Grammar::Grammar(std::unique_ptr<GrammarIr> ir) : ir_(std::move(ir)), automata_(std::make_unique<AutomatonSlot>()) {}
Grammar::~Grammar() = default;
size_t Grammar::n_rules() const { return ir_->alts.size(); }
size_t Grammar::n_elements() const { return ir_->elems.size(); }

std::shared_ptr<MaskAutomaton> Grammar::automaton_for(const std::shared_ptr<const Grammar>& self,
                                            const std::shared_ptr<const TokenTable>& table) {
  AutomatonSlot& slot = *self->automata_;
  std::lock_guard lock(slot.mu);
  for (size_t i = 0; i < slot.automata.size(); ++i) {
    if (slot.automata[i].first != table->serial()) continue;
    auto found = slot.automata[i];
    slot.automata.erase(slot.automata.begin() + long(i));
    slot.automata.push_back(found);
    return found.second;
  }
  if (slot.automata.size() >= AutomatonSlot::kMaxEngines) slot.automata.erase(slot.automata.begin());
  auto automaton = std::make_shared<MaskAutomaton>(self->ir(), table);
  slot.automata.emplace_back(table->serial(), automaton);
  return automaton;
}

namespace {
constexpr size_t kBudgetPerStep = 1u << 20;
}  // namespace

// A grammar that finish() accepts never needs more pending rules or stack entries before
// its first byte than expand() allows.
static_assert(kMaxLeftChain <= MaskAutomaton::kMaxPending);
static_assert(2 * kMaxLeftNesting <= MaskAutomaton::kMaxStackDepth);

size_t MaskAutomaton::KeyHash::operator()(const Key* k) const {
  uint64_t h = 1469598103934665603ull;
  for (uint32_t v : *k) h = (h ^ v) * 1099511628211ull;
  return size_t(h);
}

MaskAutomaton::~MaskAutomaton() = default;
MaskAutomaton::MaskAutomaton(const GrammarIr& ir, std::shared_ptr<const TokenTable> table) : ir_(ir), table_(std::move(table)) {
  // Byte classes: bytes that belong to exactly the same byte sets lead to the same state
  // from every state, so each class's transition is computed once.
  std::vector<std::vector<uint64_t>> sig(256, std::vector<uint64_t>((ir_.byte_sets.size() + 63) / 64, 0));
  for (size_t k = 0; k < ir_.byte_sets.size(); ++k) {
    for (int b = 0; b < 256; ++b) {
      if (byteset_has(ir_.byte_sets[k], uint8_t(b))) sig[size_t(b)][k >> 6] |= uint64_t(1) << (k & 63);
    }
  }
  std::map<std::vector<uint64_t>, uint8_t> reps;
  for (int b = 0; b < 256; ++b) class_rep_[b] = reps.emplace(sig[size_t(b)], uint8_t(b)).first->second;
  maybe_flush();
}

// Drops every cached state (on construction and when the caches outgrow their bounds).
void MaskAutomaton::maybe_flush() {
  if (!states_.empty() && states_.size() < kMaxStates) return;
  ++epoch_;
  states_.clear();
  trans_.clear();
  index_.clear();
  masks_.clear();
  std::vector<std::vector<uint32_t>> none;
  intern(none);  // id 0: the dead state
  std::fill(trans_.begin(), trans_.begin() + 256, 0);
}

// Follows rule references and rule ends until every stack's top is a byte set (or the
// stack is empty: the root is complete). A reference whose next element is End replaces
// its frame (tail call), so right-recursive repetition does not grow stacks. Depth first
// with an explicit list of pending alternatives (no recursion): a rule with one alternative
// costs no pending entry, so chains of unit rules are followed at any length; a parse that
// would need more than kMaxPending pending rules or kMaxStackDepth stack entries is dropped
// (IrBuilder::finish refuses grammars whose rule chains before any input get near either).
void MaskAutomaton::expand(std::vector<uint32_t>& start, std::vector<std::vector<uint32_t>>& out) {
  std::vector<Pending>& pending = pending_;
  pending.clear();
  std::vector<uint32_t> stack = std::move(start);
  while (true) {
    while (true) {  // runs `stack` until it reads a byte, ends or is dropped
      if (budget_ == 0 || out.size() >= kMaxStacks) return;
      --budget_;
      if (stack.empty()) {
        out.push_back(stack);
        break;
      }
      const uint32_t p = stack.back();
      const Elem e = ir_.elems[p];
      if (e.kind == ElemKind::Bytes) {
        out.push_back(stack);
        break;
      }
      if (e.kind == ElemKind::End) {
        stack.pop_back();
        continue;
      }
      if (ir_.elems[p + 1].kind == ElemKind::End) {
        stack.pop_back();
      } else {
        stack.back() = p + 1;
      }
      const std::vector<uint32_t>& alts = ir_.alts[e.arg];
      if (stack.size() >= kMaxStackDepth || alts.empty()) break;
      if (alts.size() > 1) {
        if (pending.size() >= kMaxPending) break;
        pending.push_back(Pending{stack, e.arg, 1});
      }
      stack.push_back(alts[0]);
    }
    while (!pending.empty() && pending.back().next_alt >= ir_.alts[pending.back().rule].size()) pending.pop_back();
    if (pending.empty()) return;
    Pending& next = pending.back();
    stack = next.stack;
    stack.push_back(ir_.alts[next.rule][next.next_alt++]);
  }
}

int32_t MaskAutomaton::intern(std::vector<std::vector<uint32_t>>& stacks) {
  std::sort(stacks.begin(), stacks.end());
  stacks.erase(std::unique(stacks.begin(), stacks.end()), stacks.end());
  Key key;
  for (const auto& s : stacks) {
    key.push_back(uint32_t(s.size()));
    key.insert(key.end(), s.begin(), s.end());
  }
  return intern_key(key);
}

int32_t MaskAutomaton::intern_key(const Key& key) {
  auto it = index_.find(&key);
  if (it != index_.end()) return it->second;
  State st;
  st.key = std::make_shared<const Key>(key);
  for (size_t i = 0; i < key.size(); i += key[i] + 1) {
    if (key[i] == 0) st.accepting = true;
  }
  st.complete = st.accepting && key.size() == 1;
  const auto id = int32_t(states_.size());
  index_.emplace(st.key.get(), id);
  states_.push_back(std::move(st));
  trans_.resize(trans_.size() + 256, -1);
  return id;
}

int32_t MaskAutomaton::step_slow(int32_t s, uint8_t b) {
  const uint8_t rep = class_rep_[b];
  const int32_t t = rep == b ? compute_step(s, b) : step(s, rep);
  trans_[size_t(s) * 256 + b] = t;
  return t;
}

int32_t MaskAutomaton::compute_step(int32_t s, uint8_t b) {
  const std::shared_ptr<const Key> key = states_[size_t(s)].key;
  std::vector<std::vector<uint32_t>> out;
  budget_ = kBudgetPerStep;
  for (size_t i = 0; i < key->size(); i += (*key)[i] + 1) {
    const uint32_t len = (*key)[i];
    if (len == 0) continue;
    const uint32_t top = (*key)[i + len];
    if (!byteset_has(ir_.byte_sets[ir_.elems[top].arg], b)) continue;
    std::vector<uint32_t> stack(key->begin() + long(i) + 1, key->begin() + long(i + len) + 1);
    stack.back() = top + 1;
    expand(stack, out);
  }
  const int32_t t = intern(out);
  trans_[size_t(s) * 256 + b] = t;
  return t;
}

// The one state that every well-formed non-ASCII UTF-8 character read from s leads to,
// through live states; -1 when there is none (explores pairs of DFA state and UTF-8
// decoder state). Cached per state.
int32_t MaskAutomaton::utf8_successor(int32_t s) {
  if (states_[size_t(s)].utf8_next != -2) return states_[size_t(s)].utf8_next;
  std::vector<std::pair<int32_t, int>> todo{{s, 0}};
  std::set<std::pair<int32_t, int>> seen;
  int32_t target = -1;
  bool ok = true;
  while (ok && !todo.empty()) {
    const auto [t, q] = todo.back();
    todo.pop_back();
    for (int b = 0x80; b <= 0xFF && ok; ++b) {
      const int q2 = utf8_step(q, uint8_t(b));
      if (q2 < 0) continue;
      const int32_t t2 = step(t, uint8_t(b));
      if (t2 == 0) {
        ok = false;
      } else if (q2 == 0) {
        ok = target < 0 || target == t2;
        target = t2;
      } else if (seen.insert({t2, q2}).second) {
        ok = seen.size() <= 4096;
        todo.emplace_back(t2, q2);
      }
    }
  }
  states_[size_t(s)].utf8_next = ok ? target : -1;
  return states_[size_t(s)].utf8_next;
}

// Whether every byte of `bytes` (an ASCII set) leads from s back to s; tests each byte once
// per state and remembers the answers.
bool MaskAutomaton::loops_on_ascii(int32_t s, const uint64_t bytes[2]) {
  for (int w = 0; w < 2; ++w) {
    for (uint64_t todo = bytes[w] & ~states_[size_t(s)].loop_checked[w]; todo; todo &= todo - 1) {
      const int b = w * 64 + __builtin_ctzll(todo);
      const bool loops = step(s, uint8_t(b)) == s;
      State& st = states_[size_t(s)];
      st.loop_checked[w] |= uint64_t(1) << (b & 63);
      if (!loops) return false;
      st.loop_ascii[w] |= uint64_t(1) << (b & 63);
    }
    if (bytes[w] & ~states_[size_t(s)].loop_ascii[w]) return false;
  }
  return true;
}

// A subtree whose every path keeps returning to s (its ASCII bytes loop, its non-ASCII bytes
// form whole UTF-8 characters that loop) is accepted whole.
bool MaskAutomaton::skippable(int32_t s, const TokenTable::Node& nd) {
  if (!loops_on_ascii(s, nd.ascii_below)) return false;
  if (!(nd.flags & TokenTable::kNonAsciiBelow)) return true;
  return (nd.flags & TokenTable::kUtf8Below) && utf8_successor(s) == s;
}

// Counted repetition (x{0,60}) has no self-loop; instead every character below may move
// s0 -> s1 -> ... in lockstep: all ASCII bytes below, and every non-ASCII character when the
// subtree has any, lead from s_i to one live s_{i+1}, for as many steps as the subtree is
// deep (in bytes, at least its depth in characters). Tried only where cheaper than the walk.
bool MaskAutomaton::chain_skippable(int32_t s, const TokenTable::Node& nd, size_t subtree_nodes) {
  const bool non_ascii = nd.flags & TokenTable::kNonAsciiBelow;
  if (non_ascii && !(nd.flags & TokenTable::kUtf8Below)) return false;
  const int n_bytes = __builtin_popcountll(nd.ascii_below[0]) + __builtin_popcountll(nd.ascii_below[1]);
  if (n_bytes == 0 || size_t(n_bytes) * nd.height > subtree_nodes) return false;
  int32_t t = s;
  for (uint32_t d = 0; d < nd.height; ++d) {
    int32_t next = -1;
    for (int w = 0; w < 2; ++w) {
      for (uint64_t bits = nd.ascii_below[w]; bits; bits &= bits - 1) {
        const int32_t u = step(t, uint8_t(w * 64 + __builtin_ctzll(bits)));
        if (u == 0 || (next >= 0 && u != next)) return false;
        next = u;
      }
    }
    if (non_ascii) {
      const int32_t u = utf8_successor(t);
      if (u <= 0 || (next >= 0 && u != next)) return false;
      next = u;
    }
    t = next;
  }
  return true;
}

namespace {
void set_bit_range(std::vector<uint64_t>& bits, uint32_t a, uint32_t b) {
  for (; a < b && (a & 63); ++a) bits[a >> 6] |= uint64_t(1) << (a & 63);
  for (; a + 64 <= b; a += 64) bits[a >> 6] = ~uint64_t(0);
  for (; a < b; ++a) bits[a >> 6] |= uint64_t(1) << (a & 63);
}
}  // namespace

// Depth-first walk of the vocabulary trie from state s. A dead state prunes its subtree;
// a subtree whose every path keeps returning to the same looping state (its ASCII bytes
// loop, and its non-ASCII bytes form whole UTF-8 characters that loop) is accepted whole.
void MaskAutomaton::compute_mask(int32_t s, std::vector<uint64_t>& out) {
  const auto nodes = table_->nodes();
  const auto ranks = table_->rank_to_id();
  rank_bits_.assign((ranks.size() + 63) / 64, 0);
  walk_states_.assign(table_->max_depth() + 1, 0);
  walk_states_[0] = s;
  if (nodes.size() > 1 && skippable(s, nodes[0])) {
    set_bit_range(rank_bits_, 0, uint32_t(ranks.size()));
  } else {
    for (size_t i = 1; i < nodes.size();) {
      const TokenTable::Node& nd = nodes[i];
      const int32_t t = step(walk_states_[nd.depth - 1], nd.byte);
      if (t == 0) {
        i = nd.end;
        continue;
      }
      if (nd.end > i + 1 && (skippable(t, nd) || (nd.end > i + 32 && chain_skippable(t, nd, nd.end - i)))) {
        set_bit_range(rank_bits_, nd.tok_begin, nd.tok_end);
        i = nd.end;
        continue;
      }
      set_bit_range(rank_bits_, nd.tok_begin, nd.tok_self_end);
      walk_states_[nd.depth] = t;
      ++i;
    }
  }
  out.assign(table_->n_words(), 0);
  for (size_t w = 0; w < rank_bits_.size(); ++w) {
    for (uint64_t bits = rank_bits_[w]; bits; bits &= bits - 1) {
      const int32_t id = ranks[w * 64 + size_t(__builtin_ctzll(bits))];
      out[size_t(id) >> 6] |= uint64_t(1) << (id & 63);
    }
  }
  if (states_[size_t(s)].accepting) {
    for (int32_t id : table_->eog_ids()) out[size_t(id) >> 6] |= uint64_t(1) << (id & 63);
  }
}

int32_t MaskAutomaton::resolve(AutomatonHandle& h) {
  maybe_flush();
  if (h.epoch != epoch_) {
    h.id = intern_key(*h.key);
    h.epoch = epoch_;
  }
  return h.id;
}

AutomatonHandle MaskAutomaton::initial() {
  std::lock_guard lock(mu_);
  maybe_flush();
  std::vector<std::vector<uint32_t>> out;
  budget_ = kBudgetPerStep;
  for (uint32_t alt : ir_.alts[ir_.root]) {
    std::vector<uint32_t> stack{alt};
    expand(stack, out);
  }
  const int32_t id = intern(out);
  return AutomatonHandle{states_[size_t(id)].key, id, epoch_};
}

void MaskAutomaton::fill_mask(AutomatonHandle& h, std::span<uint64_t> bits) {
  std::lock_guard lock(mu_);
  const int32_t s = resolve(h);
  if (masks_.size() >= kMaxMasks) {
    masks_.clear();
    for (State& st : states_) st.mask = -1;
  }
  if (states_[size_t(s)].mask < 0) {
    std::vector<uint64_t> m;
    compute_mask(s, m);
    states_[size_t(s)].mask = int32_t(masks_.size());
    masks_.push_back(std::move(m));
  }
  const auto& m = masks_[size_t(states_[size_t(s)].mask)];
  std::memcpy(bits.data(), m.data(), std::min(bits.size(), m.size()) * sizeof(uint64_t));
}

bool MaskAutomaton::advance(AutomatonHandle& h, std::string_view bytes) {
  std::lock_guard lock(mu_);
  int32_t s = resolve(h);
  for (const char c : bytes) {
    s = step(s, uint8_t(c));
    if (s == 0) return false;
  }
  h = AutomatonHandle{states_[size_t(s)].key, s, epoch_};
  return true;
}

bool MaskAutomaton::accepting(AutomatonHandle& h) {
  std::lock_guard lock(mu_);
  return states_[size_t(resolve(h))].accepting;
}

bool MaskAutomaton::complete(AutomatonHandle& h) {
  std::lock_guard lock(mu_);
  return states_[size_t(resolve(h))].complete;
}

}  // namespace ondo::infer::grammar
