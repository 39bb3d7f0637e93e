// Minute windows and budget periods (see limits.h). Layer: store.
#include "ondo/store/limits.h"

#include <ctime>
#include <limits>

namespace ondo::store {
namespace {

constexpr int64_t kDay = 86400;

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// The first second of the month holding `now_s`, `months_ahead` months later.
int64_t month_start(int64_t now_s, int months_ahead) {
  const std::time_t t = std::time_t(now_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::tm first{};
  first.tm_year = tm.tm_year + (tm.tm_mon + months_ahead) / 12;
  first.tm_mon = (tm.tm_mon + months_ahead) % 12;
  first.tm_mday = 1;
  return int64_t(timegm(&first));
}

}  // namespace

int64_t limit_window_start(int64_t now_ms) { return floor_div(now_ms, kLimitWindowMs) * kLimitWindowMs; }

int64_t budget_period_start(std::string_view period, int64_t now_s) {
  const int64_t day = floor_div(now_s, kDay);
  if (period == "day") return day * kDay;
  if (period == "week") return (day - ((day + 3) % 7 + 7) % 7) * kDay;  // 1970-01-01 was a Thursday
  if (period == "month") return month_start(now_s, 0);
  return 0;
}

int64_t budget_period_end(std::string_view period, int64_t now_s) {
  if (period == "day") return budget_period_start(period, now_s) + kDay;
  if (period == "week") return budget_period_start(period, now_s) + 7 * kDay;
  if (period == "month") return month_start(now_s, 1);
  return std::numeric_limits<int64_t>::max();
}

bool is_budget_period(std::string_view p) {
  return p.empty() || p == "day" || p == "week" || p == "month" || p == "total";
}

const char* limit_refusal_name(LimitRefusal r) {
  switch (r) {
    case LimitRefusal::None: return "none";
    case LimitRefusal::Requests: return "requests";
    case LimitRefusal::Tokens: return "tokens";
    case LimitRefusal::Concurrent: return "concurrent requests";
    case LimitRefusal::BudgetTokens: return "budget tokens";
    case LimitRefusal::BudgetUsd: return "budget";
  }
  return "none";
}

}  // namespace ondo::store
