// The gateway's limits (see limits.h). Layer: serve.
#include "ondo/serve/limits.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "ondo/serve/error_map.h"
#include "ondo/serve/routes/routes.h"
#include "ondo/serve/server_state.h"

namespace ondo::serve {
namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void put_header(httplib::Response& res, const std::string& name, const std::string& value) {
  res.headers.erase(name);
  res.set_header(name, value);
}

void set_headers(httplib::Response& res, const LimitTicket& t, int64_t now) {
  const store::LimitState& s = t.state;
  const std::string reset = format_reset(std::max<int64_t>(0, s.window_start_ms + store::kLimitWindowMs - now));
  if (t.rules.rpm) {
    put_header(res, "x-ratelimit-limit-requests", std::to_string(t.rules.rpm));
    put_header(res, "x-ratelimit-remaining-requests", std::to_string(std::max<int64_t>(0, t.rules.rpm - s.requests)));
    put_header(res, "x-ratelimit-reset-requests", reset);
  }
  if (t.rules.tpm) {
    put_header(res, "x-ratelimit-limit-tokens", std::to_string(t.rules.tpm));
    put_header(res, "x-ratelimit-remaining-tokens", std::to_string(std::max<int64_t>(0, t.rules.tpm - s.tokens)));
    put_header(res, "x-ratelimit-reset-tokens", reset);
  }
}

int64_t ceil_s(int64_t ms) { return std::max<int64_t>(1, (ms + 999) / 1000); }

// The 429 of a refusal.
ApiError refusal_error(const LimitTicket& t, store::LimitRefusal why, int64_t tokens, int64_t now) {
  const store::LimitRules& r = t.rules;
  const store::LimitState& s = t.state;
  const std::string key = "API key '" + t.key_id + "'";
  const int64_t window_left = s.window_start_ms + store::kLimitWindowMs - now;
  ApiError e;
  e.status = 429;
  e.type = "rate_limit_error";
  e.code = "rate_limit_exceeded";
  e.retry_after_s = ceil_s(window_left);
  switch (why) {
    case store::LimitRefusal::Requests:
      e.message = "rate limit: " + key + " reached its " + std::to_string(r.rpm) + " requests per minute; retry in " +
                  std::to_string(e.retry_after_s) + " s";
      break;
    case store::LimitRefusal::Tokens:
      e.message = tokens > r.tpm
                      ? "rate limit: this request reserves " + std::to_string(tokens) + " tokens (prompt + max_tokens), more than " +
                            key + "'s " + std::to_string(r.tpm) + " tokens per minute; lower max_tokens"
                      : "rate limit: " + key + " has " + std::to_string(std::max<int64_t>(0, r.tpm - s.tokens)) + " of its " +
                            std::to_string(r.tpm) + " tokens per minute left; this request reserves " + std::to_string(tokens) +
                            " (prompt + max_tokens); retry in " + std::to_string(e.retry_after_s) + " s";
      break;
    case store::LimitRefusal::Concurrent:
      e.retry_after_s = 1;
      e.message = "rate limit: " + key + " has " + std::to_string(r.max_concurrent) + " requests in flight, its limit";
      break;
    case store::LimitRefusal::BudgetTokens:
    case store::LimitRefusal::BudgetUsd: {
      e.type = "insufficient_quota";
      e.code = "insufficient_quota";
      const bool usd = why == store::LimitRefusal::BudgetUsd;
      const std::string period = r.budget_period == "total" ? "in total" : "per " + r.budget_period;
      e.message = "budget: " + key + " has spent " +
                  (usd ? format_usd(s.spent_nano_usd) + " of its " + format_usd(r.budget_nano_usd) + " USD "
                       : std::to_string(s.spent_tokens) + " of its " + std::to_string(r.budget_tokens) + " tokens ") +
                  period + " (in-flight requests counted at their max_tokens); this request could cost " +
                  (usd ? format_usd(t.reserved_nano_usd) + " USD" : std::to_string(tokens) + " tokens");
      const int64_t end = store::budget_period_end(r.budget_period, now / 1000);
      e.retry_after_s = r.budget_period == "total" ? 0 : int(std::max<int64_t>(1, end - now / 1000));
      break;
    }
    case store::LimitRefusal::None: break;
  }
  return e;
}

}  // namespace

store::LimitRules limit_rules(const store::ApiKey& k) {
  store::LimitRules r;
  r.rpm = k.rpm;
  r.tpm = k.tpm;
  r.max_concurrent = k.max_concurrent;
  r.budget_tokens = k.budget_tokens;
  r.budget_nano_usd = k.budget_nano_usd;
  r.budget_period = k.budget_period.empty() ? "total" : k.budget_period;
  return r;
}

std::string format_reset(int64_t ms) {
  if (ms < 1000) return std::to_string(std::max<int64_t>(0, ms)) + "ms";
  const int64_t s = (ms + 999) / 1000;
  if (s < 60) return std::to_string(s) + "s";
  return std::to_string(s / 60) + "m" + std::to_string(s % 60) + "s";
}

void start_limits(ServerState& state, RequestRecord& record, const store::ApiKey& key, httplib::Response& res) {
  store::Store* store = state.options().store;
  const store::LimitRules rules = limit_rules(key);
  if (!store || !rules.any()) return;
  auto t = std::make_shared<LimitTicket>();
  t->key_id = key.id;
  t->rules = rules;
  record.limits = t;
  if (!rules.rpm && !rules.tpm) return;
  const int64_t now = now_ms();
  auto st = store->peek_limits(key.id, rules, now);
  if (!st.ok()) return;  // headers only; admission fails closed on its own
  t->state = *st;
  set_headers(res, *t, now);
}

bool admit_limits(ServerState& state, RequestRecord& record, int64_t tokens, int64_t nano_usd, httplib::Response& res) {
  if (!record.limits || !state.options().store) return true;
  LimitTicket& t = *record.limits;
  const ErrorShape shape = error_shape_for_path(record.route);
  store::AdmitRequest a;
  a.key_id = t.key_id;
  a.lease_id = record.context.id;
  a.rules = t.rules;
  a.now_ms = now_ms();
  a.tokens = tokens;
  a.nano_usd = nano_usd;
  a.lease_ttl_ms = int64_t(state.options().request_timeout_s) * 1000 + 60000;  // a generation ends by then
  t.reserved_tokens = tokens;
  t.reserved_nano_usd = nano_usd;
  auto st = state.options().store->admit_request(a);
  if (!st.ok()) {  // fail closed: no unmetered traffic
    send_error(res, st.error().with_context("limits"), shape);
    return false;
  }
  t.state = *st;
  t.admitted = st->admitted;
  set_headers(res, t, a.now_ms);
  if (t.admitted) return true;
  send_error(res, refusal_error(t, st->refused, tokens, a.now_ms), shape);
  return false;
}

void settle_limits(ServerState& state, const RequestRecord& record) {
  if (!record.limits || !record.limits->admitted || !state.options().store) return;
  const LimitTicket& t = *record.limits;
  store::Settlement s;
  s.key_id = t.key_id;
  s.lease_id = record.context.id;
  s.lease = t.rules.max_concurrent > 0;
  s.budgeted = t.rules.budgeted();
  s.window_start_ms = t.state.window_start_ms;
  s.period_start = t.state.period_start;
  s.reserved_tokens = t.reserved_tokens;
  s.reserved_nano_usd = t.reserved_nano_usd;
  s.used_tokens = int64_t(record.prompt_tokens) + record.completion_tokens;
  if (const auto& prices = state.options().prices) {
    s.used_nano_usd = cost_nano_usd(prices->of(record.context.model), record.prompt_tokens, record.cached_tokens,
                                    record.completion_tokens);
  }
  if (!s.lease && !s.budgeted && s.used_tokens == s.reserved_tokens) return;  // nothing to correct
  if (Status st = state.options().store->settle_request(s); !st.ok()) {
    std::fprintf(stderr, "ondo serve: limits: settling request %s failed: %s\n", record.context.id.c_str(),
                 st.error().message.c_str());
  }
}

}  // namespace ondo::serve
