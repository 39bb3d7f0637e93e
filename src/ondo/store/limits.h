// The gateway's limit counters (issue 15.3): what Store::admit_request, settle_request and
// peek_limits take and answer, and the pure arithmetic both engines share (minute windows,
// budget periods). Layer: store. Plain data and pure functions.
//
// Windows: fixed 60 s windows aligned to the Unix minute (every replica agrees on them with
// no coordination; they are what OpenAI's x-ratelimit-reset-* headers describe). A request
// counts once in the window it was admitted in; its token reservation is corrected there.
// Budgets: spend per period (day and week and month start at 00:00 UTC; a week on Monday;
// total: one period for ever). The worst case of a request (its token reservation and that
// reservation's cost) is charged at admission and corrected to what it used at settlement,
// so concurrent requests can never spend past a budget.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ondo/core/result.h"

namespace ondo::store {

inline constexpr int64_t kLimitWindowMs = 60000;

// A key's limits (from ApiKey); 0 means no limit.
struct LimitRules {
  int64_t rpm = 0;
  int64_t tpm = 0;
  int64_t max_concurrent = 0;
  int64_t budget_tokens = 0;
  int64_t budget_nano_usd = 0;
  std::string budget_period;  // "day", "week", "month", "total" ("" with no budget)

  bool any() const { return rpm || tpm || max_concurrent || budget_tokens || budget_nano_usd; }
  bool budgeted() const { return budget_tokens || budget_nano_usd; }
};

// What one request asks for at admission.
struct AdmitRequest {
  std::string key_id;
  std::string lease_id;        // names its in-flight lease (the request id); unique per request
  LimitRules rules;
  int64_t now_ms = 0;          // Unix milliseconds
  int64_t tokens = 0;          // reserved in the minute window and the budget: prompt + max_tokens
  int64_t nano_usd = 0;        // the reservation's worst-case cost, charged to the budget
  int64_t lease_ttl_ms = 0;    // an unsettled lease (a replica that died) frees itself after this
};

// Which limit refused a request.
enum class LimitRefusal { None, Requests, Tokens, Concurrent, BudgetTokens, BudgetUsd };

// The counters of one key as a decision left them (after admission: this request included;
// after a refusal: unchanged by it).
struct LimitState {
  bool admitted = false;
  LimitRefusal refused = LimitRefusal::None;
  int64_t window_start_ms = 0;  // the minute window
  int64_t requests = 0;         // admitted in the window
  int64_t tokens = 0;           // reserved or used in the window
  int64_t in_flight = 0;        // live leases
  int64_t period_start = 0;     // the budget period (Unix seconds); 0 for "total"
  int64_t spent_tokens = 0;     // in the period, open reservations included
  int64_t spent_nano_usd = 0;
};

// The end of an admitted request: its reservation corrected to what it used.
struct Settlement {
  std::string key_id;
  std::string lease_id;
  bool lease = false;            // it holds a lease (the key limits concurrency)
  bool budgeted = false;         // its reservation was charged to period_start
  int64_t window_start_ms = 0;   // where its tokens were reserved
  int64_t period_start = 0;
  int64_t reserved_tokens = 0;
  int64_t used_tokens = 0;
  int64_t reserved_nano_usd = 0;
  int64_t used_nano_usd = 0;
};

// The start of the minute window holding `now_ms`.
int64_t limit_window_start(int64_t now_ms);

// The start (Unix seconds, UTC) of the budget period holding `now_s`; 0 for "total" and "".
int64_t budget_period_start(std::string_view period, int64_t now_s);
// The end of that period (the next one's start); INT64_MAX for "total" and "".
int64_t budget_period_end(std::string_view period, int64_t now_s);

// Whether `period` is one the store knows ("", "day", "week", "month", "total").
bool is_budget_period(std::string_view period);

// "requests", "tokens", "concurrent requests", "budget tokens", "budget" (for messages).
const char* limit_refusal_name(LimitRefusal r);

}  // namespace ondo::store
