// MemoryLimiter (see limits_memory.h). Layer: store.
#include "ondo/store/limits_memory.h"

namespace ondo::store {

Result<LimitState> MemoryLimiter::current(KeyState& k, const std::string& key_id, const LimitRules& rules,
                                          int64_t now_ms) {
  const int64_t window = limit_window_start(now_ms);
  if (k.window_start != window) {
    k.window_start = window;
    k.requests = 0;
    k.tokens = 0;
  }
  for (auto it = k.leases.begin(); it != k.leases.end();) {
    it = it->second <= now_ms ? k.leases.erase(it) : std::next(it);
  }
  LimitState st;
  st.window_start_ms = window;
  st.requests = k.requests;
  st.tokens = k.tokens;
  st.in_flight = int64_t(k.leases.size());
  if (!rules.budgeted()) return st;
  st.period_start = budget_period_start(rules.budget_period, now_ms / 1000);
  k.spend.erase(k.spend.begin(), k.spend.lower_bound(st.period_start));  // past periods
  auto it = k.spend.find(st.period_start);
  if (it == k.spend.end()) {
    ONDO_ASSIGN_OR_RETURN(Spend loaded, load_(key_id, st.period_start));
    it = k.spend.emplace(st.period_start, loaded).first;
  }
  st.spent_tokens = it->second.tokens;
  st.spent_nano_usd = it->second.nano_usd;
  return st;
}

Result<LimitState> MemoryLimiter::admit(const AdmitRequest& r) {
  std::lock_guard<std::mutex> lock(mu_);
  KeyState& k = keys_[r.key_id];
  ONDO_ASSIGN_OR_RETURN(LimitState st, current(k, r.key_id, r.rules, r.now_ms));
  const LimitRules& rules = r.rules;
  if (rules.budget_tokens && st.spent_tokens + r.tokens > rules.budget_tokens) st.refused = LimitRefusal::BudgetTokens;
  else if (rules.budget_nano_usd && st.spent_nano_usd + r.nano_usd > rules.budget_nano_usd) st.refused = LimitRefusal::BudgetUsd;
  else if (rules.rpm && st.requests + 1 > rules.rpm) st.refused = LimitRefusal::Requests;
  else if (rules.tpm && st.tokens + r.tokens > rules.tpm) st.refused = LimitRefusal::Tokens;
  else if (rules.max_concurrent && st.in_flight >= rules.max_concurrent) st.refused = LimitRefusal::Concurrent;
  if (st.refused != LimitRefusal::None) return st;
  st.admitted = true;
  st.requests = ++k.requests;
  st.tokens = (k.tokens += r.tokens);
  if (rules.max_concurrent) {
    k.leases[r.lease_id] = r.now_ms + r.lease_ttl_ms;
    st.in_flight = int64_t(k.leases.size());
  }
  if (rules.budgeted()) {
    Spend& s = k.spend[st.period_start];
    st.spent_tokens = (s.tokens += r.tokens);
    st.spent_nano_usd = (s.nano_usd += r.nano_usd);
  }
  return st;
}

void MemoryLimiter::settle(const Settlement& s) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = keys_.find(s.key_id);
  if (it == keys_.end()) return;
  KeyState& k = it->second;
  if (k.window_start == s.window_start_ms) k.tokens = std::max<int64_t>(0, k.tokens + s.used_tokens - s.reserved_tokens);
  if (s.lease) k.leases.erase(s.lease_id);
  if (!s.budgeted) return;
  if (auto sp = k.spend.find(s.period_start); sp != k.spend.end()) {
    sp->second.tokens += s.used_tokens - s.reserved_tokens;
    sp->second.nano_usd += s.used_nano_usd - s.reserved_nano_usd;
  }
}

Result<LimitState> MemoryLimiter::peek(const std::string& key_id, const LimitRules& rules, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  return current(keys_[key_id], key_id, rules, now_ms);
}

}  // namespace ondo::store
