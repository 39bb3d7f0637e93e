// Engine: lazily built DFA over canonical parse-stack sets, the vocabulary trie walk that
// turns a state into a token mask, and the Grammar members that hand engines out.
// Layer: infer (grammar/).
#include "ondo/infer/grammar/engine.h"

#include <algorithm>
#include <cstring>
#include <set>

namespace ondo::infer::grammar {

struct Grammar::EngineSlot {
  std::mutex mu;
  std::vector<std::pair<uint64_t, std::weak_ptr<Engine>>> engines;  // by table serial
};

Grammar::Grammar(std::unique_ptr<GrammarIr> ir) : ir_(std::move(ir)), engines_(std::make_unique<EngineSlot>()) {}
Grammar::~Grammar() = default;
size_t Grammar::n_rules() const { return ir_->alts.size(); }
size_t Grammar::n_elements() const { return ir_->elems.size(); }

std::shared_ptr<Engine> Grammar::engine_for(const std::shared_ptr<const Grammar>& self,
                                            const std::shared_ptr<const TokenTable>& table) {
  EngineSlot& slot = *self->engines_;
  std::lock_guard lock(slot.mu);
  std::erase_if(slot.engines, [](const auto& e) { return e.second.expired(); });
  for (auto& [serial, weak] : slot.engines) {
    if (serial == table->serial()) return weak.lock();
  }
  auto engine = std::make_shared<Engine>(self, table);
  slot.engines.emplace_back(table->serial(), engine);
  return engine;
}

namespace {
constexpr size_t kBudgetPerStep = 1u << 20;
constexpr int kMaxExpandRecursion = 1024;
}  // namespace

size_t Engine::KeyHash::operator()(const Key* k) const {
  uint64_t h = 1469598103934665603ull;
  for (uint32_t v : *k) h = (h ^ v) * 1099511628211ull;
  return size_t(h);
}

Engine::Engine(std::shared_ptr<const Grammar> grammar, std::shared_ptr<const TokenTable> table)
    : grammar_(std::move(grammar)), ir_(grammar_->ir()), table_(std::move(table)) {
  maybe_flush();
}

// Drops every cached state (on construction and when the caches outgrow their bounds).
void Engine::maybe_flush() {
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
// its frame (tail call), so right-recursive repetition does not grow stacks.
void Engine::expand(std::vector<uint32_t>& stack, std::vector<std::vector<uint32_t>>& out, int depth) {
  while (true) {
    if (budget_ == 0 || out.size() >= kMaxStacks) return;
    --budget_;
    if (stack.empty()) {
      out.push_back(stack);
      return;
    }
    const uint32_t p = stack.back();
    const Elem e = ir_.elems[p];
    if (e.kind == ElemKind::Bytes) {
      out.push_back(stack);
      return;
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
    if (stack.size() >= kMaxStackDepth || depth >= kMaxExpandRecursion) return;
    for (uint32_t alt : ir_.alts[e.arg]) {
      std::vector<uint32_t> copy = stack;
      copy.push_back(alt);
      expand(copy, out, depth + 1);
    }
    return;
  }
}

int32_t Engine::intern(std::vector<std::vector<uint32_t>>& stacks) {
  std::sort(stacks.begin(), stacks.end());
  stacks.erase(std::unique(stacks.begin(), stacks.end()), stacks.end());
  Key key;
  for (const auto& s : stacks) {
    key.push_back(uint32_t(s.size()));
    key.insert(key.end(), s.begin(), s.end());
  }
  return intern_key(key);
}

int32_t Engine::intern_key(const Key& key) {
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

int32_t Engine::compute_step(int32_t s, uint8_t b) {
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
    expand(stack, out, 0);
  }
  const int32_t t = intern(out);
  trans_[size_t(s) * 256 + b] = t;
  return t;
}

// Whether every well-formed non-ASCII UTF-8 character read from s leads back to s through
// live states (explores pairs of DFA state and UTF-8 decoder state).
bool Engine::loops_on_utf8(int32_t s) {
  std::vector<std::pair<int32_t, int>> todo{{s, 0}};
  std::set<std::pair<int32_t, int>> seen;
  while (!todo.empty()) {
    const auto [t, q] = todo.back();
    todo.pop_back();
    for (int b = 0x80; b <= 0xFF; ++b) {
      const int q2 = utf8_step(q, uint8_t(b));
      if (q2 < 0) continue;
      const int32_t t2 = step(t, uint8_t(b));
      if (t2 == 0) return false;
      if (q2 == 0) {
        if (t2 != s) return false;
        continue;
      }
      if (seen.insert({t2, q2}).second) {
        if (seen.size() > 4096) return false;
        todo.emplace_back(t2, q2);
      }
    }
  }
  return true;
}

void Engine::ensure_loop(int32_t s) {
  if (states_[size_t(s)].loop_known) return;
  uint64_t ascii[2] = {0, 0};
  for (int b = 0; b < 128; ++b) {
    if (step(s, uint8_t(b)) == s) ascii[b >> 6] |= uint64_t(1) << (b & 63);
  }
  const bool utf8 = loops_on_utf8(s);
  State& st = states_[size_t(s)];
  st.loop_ascii[0] = ascii[0];
  st.loop_ascii[1] = ascii[1];
  st.loop_utf8 = utf8;
  st.loop_known = true;
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
void Engine::compute_mask(int32_t s, std::vector<uint64_t>& out) {
  const auto nodes = table_->nodes();
  const auto ranks = table_->rank_to_id();
  rank_bits_.assign((ranks.size() + 63) / 64, 0);
  walk_states_.assign(table_->max_depth() + 1, 0);
  walk_states_[0] = s;
  auto skippable = [&](int32_t t, const TokenTable::Node& nd) {
    ensure_loop(t);
    const State& st = states_[size_t(t)];
    if ((nd.ascii_below[0] & ~st.loop_ascii[0]) | (nd.ascii_below[1] & ~st.loop_ascii[1])) return false;
    if (!(nd.flags & TokenTable::kNonAsciiBelow)) return true;
    return (nd.flags & TokenTable::kUtf8Below) && st.loop_utf8;
  };
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
      if (nd.end > i + 1 && skippable(t, nd)) {
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

int32_t Engine::resolve(EngineHandle& h) {
  maybe_flush();
  if (h.epoch != epoch_) {
    h.id = intern_key(*h.key);
    h.epoch = epoch_;
  }
  return h.id;
}

EngineHandle Engine::initial() {
  std::lock_guard lock(mu_);
  maybe_flush();
  std::vector<std::vector<uint32_t>> out;
  budget_ = kBudgetPerStep;
  for (uint32_t alt : ir_.alts[ir_.root]) {
    std::vector<uint32_t> stack{alt};
    expand(stack, out, 0);
  }
  const int32_t id = intern(out);
  return EngineHandle{states_[size_t(id)].key, id, epoch_};
}

void Engine::fill_mask(EngineHandle& h, std::span<uint64_t> bits) {
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

bool Engine::advance(EngineHandle& h, std::string_view bytes) {
  std::lock_guard lock(mu_);
  int32_t s = resolve(h);
  for (const char c : bytes) {
    s = step(s, uint8_t(c));
    if (s == 0) return false;
  }
  h = EngineHandle{states_[size_t(s)].key, s, epoch_};
  return true;
}

bool Engine::accepting(EngineHandle& h) {
  std::lock_guard lock(mu_);
  return states_[size_t(resolve(h))].accepting;
}

bool Engine::complete(EngineHandle& h) {
  std::lock_guard lock(mu_);
  return states_[size_t(resolve(h))].complete;
}

}  // namespace ondo::infer::grammar
