// Usage: one row per request that reached a model, and the daily rollups the usage queries
// read (per day x key x model x prompt x route: requests, errors, tokens, cost, a latency
// histogram). Both are written in one transaction, so a rollup always equals the sum of its
// rows. Plain data and pure helpers shared by both engines. Layer: store.
// Thread contract: pure functions; safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ondo/core/result.h"

namespace ondo::store {

// One finished request. Times are Unix milliseconds; durations microseconds.
struct UsageRow {
  int64_t seq = 0;             // assigned by the store when written (ignored on write)
  int64_t time_ms = 0;         // when the request finished
  std::string request_id;      // x-request-id
  std::string key_id;          // the store key's id, else the caller ("admin", "api-key", "local")
  std::string model;
  std::string adapter;         // "" none
  std::string prompt;          // "name@version" of a registry prompt; "" none
  std::string route;           // the route table's path template
  int32_t status = 0;          // the HTTP status sent
  int64_t prompt_tokens = 0;
  int64_t cached_tokens = 0;
  int64_t completion_tokens = 0;
  int64_t ttft_us = -1;        // time to first token; -1: no token came
  int64_t duration_us = 0;     // request start -> response body sent
  int64_t cost_nano_usd = 0;
  std::string finish_reason;   // "stop", "length", "disconnected", ...

  bool operator==(const UsageRow&) const = default;
};

// Latency histogram of the rollups: request durations in buckets with these upper bounds
// (ms, inclusive); the last bucket holds everything longer.
inline constexpr std::array<int64_t, 11> kLatencyBoundsMs = {50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 120000};
inline constexpr size_t kLatencyBuckets = kLatencyBoundsMs.size() + 1;
size_t latency_bucket(int64_t duration_us);

// Whether a row counts as an error in the rollups (status >= 400 or finish "error").
bool is_error(const UsageRow& row);

enum class UsageGroup { Day, Key, Model, Prompt };
// "day", "key", "model", "prompt".
std::string_view usage_group_name(UsageGroup g);
// Parses "key", "model,day", ... (comma separated, each at most once).
// Errors: InvalidArgument naming the unknown or repeated name.
Result<std::vector<UsageGroup>> parse_usage_groups(std::string_view text);

// Days are UTC day numbers (Unix seconds / 86400).
int64_t day_of_ms(int64_t unix_ms);
std::string format_day(int64_t day);  // "2026-12-03"
// "2026-12-03" -> its day number. Errors: InvalidArgument naming the text.
Result<int64_t> parse_day(std::string_view text);

// GET /v1/usage: sums of the rollups of days [from_day, to_day], grouped. Without a day group,
// the whole months inside the range are read from the monthly rollups and only the days at
// its edges from the daily ones (a year: 12 monthly rows per group instead of 365).
struct UsageQuery {
  int64_t from_day = 0;
  int64_t to_day = 0;
  std::vector<UsageGroup> group_by;      // empty: one total
  std::optional<std::string> key_id;     // only this key's rows
};

// One group of a usage query (or a rollup row when every field is set).
struct UsageTotals {
  // The group's values; only the grouped ones are meaningful (day -1 when not grouped).
  int64_t day = -1;
  std::string key_id;
  std::string model;
  std::string prompt;
  std::string route;  // rollup rows only
  int64_t requests = 0;
  int64_t errors = 0;
  int64_t prompt_tokens = 0;
  int64_t cached_tokens = 0;
  int64_t completion_tokens = 0;
  int64_t cost_nano_usd = 0;
  int64_t duration_us_sum = 0;
  int64_t ttft_us_sum = 0;   // over the requests that had a first token
  int64_t ttft_count = 0;
  int64_t max_duration_us = 0;
  std::array<int64_t, kLatencyBuckets> latency{};  // requests per bucket

  bool operator==(const UsageTotals&) const = default;
  // Adds `row` (or other totals) into these.
  void add(const UsageRow& row);
  void add(const UsageTotals& other);
};

// The duration (ms) at quantile q (0..1) from a histogram: interpolated linearly inside the
// bucket that holds it (the last bucket ends at max_duration_us). 0 when empty.
double latency_percentile_ms(const UsageTotals& t, double q);

// The rollup deltas of `rows`: one UsageTotals per (day, key, model, prompt, route), every
// field set, in key order.
std::vector<UsageTotals> rollup_deltas(std::span<const UsageRow> rows);
// The monthly rollups' deltas of daily ones: day becomes the first day of its month.
std::vector<UsageTotals> monthly_deltas(const std::vector<UsageTotals>& daily);
// The first day of the month of `day`, and of the month after it.
int64_t month_start(int64_t day);
int64_t next_month_start(int64_t day);
// The narrow rollup usage_daily_model (day x model; key_id, prompt and route always "")
// answers the totals that neither group by nor filter on key or prompt: a year grouped by day
// or by model and day reads ~365 x models rows instead of every day x key x model x prompt x
// route. Its deltas from daily ones: key_id, prompt and route become "".
std::vector<UsageTotals> model_day_deltas(const std::vector<UsageTotals>& daily);
// Whether usage_totals_select() reads usage_daily_model for `q` (no key filter, groups only
// day and/or model).
bool reads_model_day_rollup(const UsageQuery& q);

// GET /v1/usage/requests: raw rows with time in [from_ms, to_ms), seq > after_seq, oldest
// (lowest seq) first, at most `limit`.
struct UsageRowsQuery {
  int64_t from_ms = 0;
  int64_t to_ms = INT64_MAX;
  std::optional<std::string> key_id;
  std::optional<std::string> model;
  int64_t after_seq = 0;
  int64_t limit = 100;
};

// SQL shared by the engines (internal to store/). Placeholders are `placeholder` and a
// number ('?' for SQLite, '$' for PostgreSQL), numbered from 1 without gaps.
using SqlParam = std::variant<int64_t, std::string>;
struct Sql {
  std::string text;
  std::vector<SqlParam> params;
};
// "INSERT INTO usage_rows (...) VALUES (...), ..." for n rows, placeholders from `first`.
std::string usage_rows_insert(size_t n, char placeholder, size_t first);
// "INSERT INTO <table> (...) VALUES (...), ... ON CONFLICT ... DO UPDATE SET ..." adding n
// deltas to usage_daily or usage_monthly; `postgres` picks GREATEST over SQLite's max().
std::string usage_rollup_upsert(std::string_view table, size_t n, char placeholder, size_t first, bool postgres);
void append_row_params(const UsageRow& row, std::vector<SqlParam>& out);      // usage_rows_insert order
void append_delta_params(const UsageTotals& t, std::vector<SqlParam>& out);   // usage_daily_upsert order
// The SELECT of a totals query: one text column per group (q.group_by order), then
// kUsageFigureColumns integers.
Sql usage_totals_select(const UsageQuery& q, char placeholder);
inline constexpr size_t kUsageFigureColumns = 10 + kLatencyBuckets;
Result<UsageTotals> totals_from_result(const UsageQuery& q, const std::vector<std::string>& groups,
                                       const std::vector<int64_t>& figures);
// The SELECT of a rows query: seq, then the row columns in usage_rows_insert order.
// `day_seq_floor` (PostgreSQL) adds seq >= the least first seq of the days from q.from_ms's
// day on (table usage_day_seq): exact, since every row at or after from_ms is on such a day,
// and it lets a walk in seq order start near from_ms instead of at the oldest row.
Sql usage_rows_select(const UsageRowsQuery& q, char placeholder, bool day_seq_floor = false);
// A row from that SELECT's columns (column i as an integer / as text).
template <typename IntAt, typename TextAt>
UsageRow usage_row_from(IntAt int_at, TextAt text_at) {
  UsageRow r;
  r.seq = int_at(0);
  r.time_ms = int_at(1);
  r.request_id = text_at(2);
  r.key_id = text_at(3);
  r.model = text_at(4);
  r.adapter = text_at(5);
  r.prompt = text_at(6);
  r.route = text_at(7);
  r.status = int32_t(int_at(8));
  r.prompt_tokens = int_at(9);
  r.cached_tokens = int_at(10);
  r.completion_tokens = int_at(11);
  r.ttft_us = int_at(12);
  r.duration_us = int_at(13);
  r.cost_nano_usd = int_at(14);
  r.finish_reason = text_at(15);
  return r;
}

}  // namespace ondo::store
