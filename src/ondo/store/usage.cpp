// Usage rows and rollups: buckets, groups, days, percentiles and the SQL both engines share
// (see usage.h). Layer: store.
#include "ondo/store/usage.h"

#include "ondo/store/usage_rollups.h"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <map>
#include <tuple>

namespace ondo::store {
namespace {

constexpr int64_t kMsPerDay = 86400000;

// The five key columns of usage_daily and then its figures (the upsert and SELECT order).
constexpr const char* kDailyKeys[] = {"day", "key_id", "model", "prompt", "route"};
constexpr const char* kDailyFigures[] = {"requests",        "errors",      "prompt_tokens", "cached_tokens",
                                         "completion_tokens", "cost_nano_usd", "duration_us_sum", "ttft_us_sum",
                                         "ttft_count",      "max_duration_us"};

std::string lat_column(size_t i) { return "lat" + std::to_string(i); }

}  // namespace

size_t latency_bucket(int64_t duration_us) {
  for (size_t i = 0; i < kLatencyBoundsMs.size(); ++i) {
    if (duration_us <= kLatencyBoundsMs[i] * 1000) return i;
  }
  return kLatencyBoundsMs.size();
}

bool is_error(const UsageRow& row) { return row.status >= 400 || row.finish_reason == "error"; }

std::string_view usage_group_name(UsageGroup g) {
  switch (g) {
    case UsageGroup::Day: return "day";
    case UsageGroup::Key: return "key";
    case UsageGroup::Model: return "model";
    case UsageGroup::Prompt: return "prompt";
  }
  return "?";
}

Result<std::vector<UsageGroup>> parse_usage_groups(std::string_view text) {
  std::vector<UsageGroup> out;
  if (text.empty()) return out;
  size_t start = 0;
  for (;;) {
    const size_t comma = text.find(',', start);
    const std::string_view part = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    std::optional<UsageGroup> g;
    for (UsageGroup c : {UsageGroup::Day, UsageGroup::Key, UsageGroup::Model, UsageGroup::Prompt}) {
      if (part == usage_group_name(c)) g = c;
    }
    if (!g) {
      return field_error(ErrorCode::InvalidArgument, "group_by",
                         "unknown group '" + std::string(part.substr(0, 40)) + "' (expected key, model, day or prompt)");
    }
    if (std::find(out.begin(), out.end(), *g) != out.end()) {
      return field_error(ErrorCode::InvalidArgument, "group_by", "'" + std::string(part) + "' is given twice");
    }
    out.push_back(*g);
    if (comma == std::string_view::npos) return out;
    start = comma + 1;
  }
}

int64_t day_of_ms(int64_t unix_ms) {
  // Floor division (no negation: INT64_MIN has no positive counterpart).
  return unix_ms / kMsPerDay - (unix_ms % kMsPerDay < 0 ? 1 : 0);
}

std::string format_day(int64_t day) {
  const std::time_t t = std::time_t(day * 86400);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

Result<int64_t> parse_day(std::string_view text) {
  auto bad = [&] {
    return make_error(ErrorCode::InvalidArgument, "'" + std::string(text.substr(0, 40)) + "' is not a date (expected YYYY-MM-DD)");
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return bad();
  int y = 0, m = 0, d = 0;
  auto num = [&](size_t at, size_t n, int& out) {
    const char* b = text.data() + at;
    auto r = std::from_chars(b, b + n, out);
    return r.ec == std::errc() && r.ptr == b + n;
  };
  if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, d) || y < 1970 || m < 1 || m > 12 || d < 1 || d > 31) return bad();
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = m - 1;
  tm.tm_mday = d;
  const int64_t secs = int64_t(timegm(&tm));
  if (format_day(secs / 86400) != text) return bad();  // 2026-02-30 and the like
  return secs / 86400;
}

void UsageTotals::add(const UsageRow& r) {
  requests += 1;
  errors += is_error(r) ? 1 : 0;
  prompt_tokens += r.prompt_tokens;
  cached_tokens += r.cached_tokens;
  completion_tokens += r.completion_tokens;
  cost_nano_usd += r.cost_nano_usd;
  duration_us_sum += r.duration_us;
  if (r.ttft_us >= 0) {
    ttft_us_sum += r.ttft_us;
    ttft_count += 1;
  }
  max_duration_us = std::max(max_duration_us, r.duration_us);
  latency[latency_bucket(r.duration_us)] += 1;
}

void UsageTotals::add(const UsageTotals& o) {
  requests += o.requests;
  errors += o.errors;
  prompt_tokens += o.prompt_tokens;
  cached_tokens += o.cached_tokens;
  completion_tokens += o.completion_tokens;
  cost_nano_usd += o.cost_nano_usd;
  duration_us_sum += o.duration_us_sum;
  ttft_us_sum += o.ttft_us_sum;
  ttft_count += o.ttft_count;
  max_duration_us = std::max(max_duration_us, o.max_duration_us);
  for (size_t i = 0; i < kLatencyBuckets; ++i) latency[i] += o.latency[i];
}

double latency_percentile_ms(const UsageTotals& t, double q) {
  int64_t n = 0;
  for (int64_t c : t.latency) n += c;
  if (n == 0) return 0.0;
  const double want = std::clamp(q, 0.0, 1.0) * double(n);
  int64_t below = 0;
  for (size_t i = 0; i < kLatencyBuckets; ++i) {
    const int64_t c = t.latency[i];
    if (c > 0 && double(below + c) >= want) {
      const double lo = i == 0 ? 0.0 : double(kLatencyBoundsMs[i - 1]);
      double hi = i < kLatencyBoundsMs.size() ? double(kLatencyBoundsMs[i]) : double(t.max_duration_us) / 1000.0;
      hi = std::min(hi, double(t.max_duration_us) / 1000.0);  // no estimate past the longest request
      hi = std::max(hi, lo);
      return lo + (hi - lo) * std::clamp((want - double(below)) / double(c), 0.0, 1.0);
    }
    below += c;
  }
  return double(t.max_duration_us) / 1000.0;
}

std::vector<UsageTotals> rollup_deltas(std::span<const UsageRow> rows) {
  using Key = std::tuple<int64_t, std::string, std::string, std::string, std::string>;
  std::map<Key, UsageTotals> groups;
  for (const UsageRow& r : rows) {
    UsageTotals& t = groups[Key{day_of_ms(r.time_ms), r.key_id, r.model, r.prompt, r.route}];
    if (t.requests == 0) {
      t.day = day_of_ms(r.time_ms);
      t.key_id = r.key_id;
      t.model = r.model;
      t.prompt = r.prompt;
      t.route = r.route;
    }
    t.add(r);
  }
  std::vector<UsageTotals> out;
  out.reserve(groups.size());
  for (auto& [k, t] : groups) out.push_back(std::move(t));
  return out;
}

int64_t month_start(int64_t day) {
  const std::time_t t = std::time_t(day * 86400);
  std::tm tm{};
  gmtime_r(&t, &tm);
  tm.tm_mday = 1;
  return int64_t(timegm(&tm)) / 86400;
}

int64_t next_month_start(int64_t day) {
  const std::time_t t = std::time_t(day * 86400);
  std::tm tm{};
  gmtime_r(&t, &tm);
  tm.tm_mday = 1;
  tm.tm_mon += 1;  // timegm normalizes December + 1
  return int64_t(timegm(&tm)) / 86400;
}

namespace {

// Which of key, model, prompt and route a rollup keeps (the others become "").
struct Kept {
  bool key, model, prompt, route;
};
constexpr Kept kAll{true, true, true, true};

// Daily deltas re-grouped by (day_of(day), key, model, prompt, route), keeping `kept`.
template <typename DayOf>
std::vector<UsageTotals> regroup(const std::vector<UsageTotals>& daily, DayOf day_of, Kept kept) {
  using Key = std::tuple<int64_t, std::string, std::string, std::string, std::string>;
  std::map<Key, UsageTotals> groups;
  for (const UsageTotals& d : daily) {
    const int64_t day = day_of(d.day);
    Key k{day, kept.key ? d.key_id : "", kept.model ? d.model : "", kept.prompt ? d.prompt : "", kept.route ? d.route : ""};
    auto [it, fresh] = groups.try_emplace(k);
    UsageTotals& t = it->second;
    if (fresh) {
      t.day = day;
      t.key_id = std::get<1>(k);
      t.model = std::get<2>(k);
      t.prompt = std::get<3>(k);
      t.route = std::get<4>(k);
    }
    t.add(d);
  }
  std::vector<UsageTotals> out;
  out.reserve(groups.size());
  for (auto& [k, t] : groups) out.push_back(std::move(t));
  return out;
}

}  // namespace

std::vector<UsageTotals> monthly_deltas(const std::vector<UsageTotals>& daily) {
  return regroup(daily, [](int64_t d) { return month_start(d); }, kAll);
}

std::vector<UsageTotals> model_day_deltas(const std::vector<UsageTotals>& daily) {
  return regroup(daily, [](int64_t d) { return d; }, Kept{false, true, false, false});
}

std::vector<UsageTotals> key_model_day_deltas(const std::vector<UsageTotals>& daily) {
  return regroup(daily, [](int64_t d) { return d; }, Kept{true, true, false, false});
}

std::vector<UsageTotals> key_prompt_day_deltas(const std::vector<UsageTotals>& daily) {
  return regroup(daily, [](int64_t d) { return d; }, Kept{true, false, true, false});
}

std::string_view usage_daily_table(const UsageQuery& q) {
  if (reads_model_day_rollup(q)) return "usage_daily_model";
  auto grouped = [&](UsageGroup g) { return std::find(q.group_by.begin(), q.group_by.end(), g) != q.group_by.end(); };
  if (!grouped(UsageGroup::Prompt)) return "usage_daily_key_model";   // day, key, model (key filter too)
  if (!grouped(UsageGroup::Model)) return "usage_daily_key_prompt";   // day, key, prompt (key filter too)
  return "usage_daily";
}

bool reads_model_day_rollup(const UsageQuery& q) {
  if (q.key_id) return false;
  return std::all_of(q.group_by.begin(), q.group_by.end(),
                     [](UsageGroup g) { return g == UsageGroup::Day || g == UsageGroup::Model; });
}

namespace {

constexpr const char* kRowColumns[] = {"time_ms",       "request_id",    "key_id",            "model",   "adapter",
                                       "prompt",        "route",         "status",            "prompt_tokens",
                                       "cached_tokens", "completion_tokens", "ttft_us",       "duration_us",
                                       "cost_nano_usd", "finish_reason"};

std::vector<std::string> daily_columns() {
  std::vector<std::string> c(std::begin(kDailyKeys), std::end(kDailyKeys));
  c.insert(c.end(), std::begin(kDailyFigures), std::end(kDailyFigures));
  for (size_t i = 0; i < kLatencyBuckets; ++i) c.push_back(lat_column(i));
  return c;
}

template <typename Names>
std::string joined(const Names& names) {
  std::string s;
  for (const auto& n : names) {
    if (!s.empty()) s += ", ";
    s += n;
  }
  return s;
}

// "(P1, P2, ...), (...)" for n tuples of `cols` placeholders numbered from `first`.
std::string tuples(size_t n, size_t cols, char p, size_t first) {
  std::string s;
  s.reserve(n * cols * 6);
  size_t k = first;
  for (size_t i = 0; i < n; ++i) {
    s += i ? ", (" : "(";
    for (size_t c = 0; c < cols; ++c) {
      if (c) s += ", ";
      s += p;
      s += std::to_string(k++);
    }
    s += ')';
  }
  return s;
}

std::string group_column(UsageGroup g) {
  return g == UsageGroup::Day ? "day" : g == UsageGroup::Key ? "key_id" : g == UsageGroup::Model ? "model" : "prompt";
}

// The next placeholder: p followed by params.size() after `v` is added.
std::string param(std::vector<SqlParam>& params, char p, SqlParam v) {
  params.push_back(std::move(v));
  return std::string(1, p) + std::to_string(params.size());
}

}  // namespace

std::string usage_rows_insert(size_t n, char p, size_t first) {
  return "INSERT INTO usage_rows (" + joined(kRowColumns) + ") VALUES " + tuples(n, std::size(kRowColumns), p, first);
}

std::string usage_rollup_upsert(std::string_view table, size_t n, char p, size_t first, bool postgres) {
  const std::vector<std::string> cols = daily_columns();
  const std::string t(table);
  std::string s = "INSERT INTO " + t + " (" + joined(cols) + ") VALUES " + tuples(n, cols.size(), p, first) +
                  " ON CONFLICT (day, key_id, model, prompt, route) DO UPDATE SET ";
  for (size_t i = std::size(kDailyKeys); i < cols.size(); ++i) {
    const std::string& c = cols[i];
    if (i > std::size(kDailyKeys)) s += ", ";
    if (c == "max_duration_us") {
      s += c + " = " + (postgres ? "GREATEST" : "max") + "(" + t + "." + c + ", excluded." + c + ")";
    } else {
      s += c + " = " + t + "." + c + " + excluded." + c;
    }
  }
  return s;
}

void append_row_params(const UsageRow& r, std::vector<SqlParam>& out) {
  out.insert(out.end(), {r.time_ms, r.request_id, r.key_id, r.model, r.adapter, r.prompt, r.route, int64_t(r.status),
                         r.prompt_tokens, r.cached_tokens, r.completion_tokens, r.ttft_us, r.duration_us,
                         r.cost_nano_usd, r.finish_reason});
}

void append_delta_params(const UsageTotals& t, std::vector<SqlParam>& out) {
  out.insert(out.end(), {t.day, t.key_id, t.model, t.prompt, t.route, t.requests, t.errors, t.prompt_tokens,
                         t.cached_tokens, t.completion_tokens, t.cost_nano_usd, t.duration_us_sum, t.ttft_us_sum,
                         t.ttft_count, t.max_duration_us});
  out.insert(out.end(), t.latency.begin(), t.latency.end());
}

Sql usage_totals_select(const UsageQuery& q, char p) {
  std::vector<std::string> groups;
  for (UsageGroup g : q.group_by) groups.push_back(group_column(g));
  const std::vector<std::string> cols = daily_columns();
  std::string figures;  // the figure columns, as they are (inner) or summed (outer)
  std::string sums;
  for (size_t i = std::size(kDailyKeys); i < cols.size(); ++i) {
    if (i > std::size(kDailyKeys)) {
      figures += ", ";
      sums += ", ";
    }
    figures += cols[i];
    sums += cols[i] == "max_duration_us" ? "COALESCE(MAX(max_duration_us), 0)" : "COALESCE(SUM(" + cols[i] + "), 0)";
  }
  // Whole months inside [from, to] come from usage_monthly unless days are grouped.
  const int64_t first_month = month_start(q.from_day) == q.from_day ? q.from_day : next_month_start(q.from_day);
  int64_t end_month = first_month;  // one past the last whole month
  while (next_month_start(end_month) <= q.to_day + 1) end_month = next_month_start(end_month);
  const bool by_day = std::find(q.group_by.begin(), q.group_by.end(), UsageGroup::Day) != q.group_by.end();
  // The narrow day x model and day x key x model rollups hold a few rows a day: a year of
  // them is read whole (fewer rows than the wide monthly rollup's months).
  const std::string daily(usage_daily_table(q));
  const bool narrow = daily == "usage_daily_model" || daily == "usage_daily_key_model";
  const bool months = !by_day && !narrow && end_month > first_month;
  Sql out;
  std::string& s = out.text;
  const std::string inner = (groups.empty() ? "" : joined(groups) + ", ") + figures;
  std::string key;
  s = "SELECT ";
  for (const std::string& g : groups) s += (g == "day" ? "CAST(day AS TEXT)" : g) + ", ";
  s += sums + " FROM (SELECT " + inner + " FROM " + daily + " WHERE ";
  if (months) {
    s += "((day >= " + param(out.params, p, q.from_day) + " AND day < " + param(out.params, p, first_month) + ")";
    s += " OR (day >= " + param(out.params, p, end_month) + " AND day <= " + param(out.params, p, q.to_day) + "))";
  } else {
    s += "day >= " + param(out.params, p, q.from_day) + " AND day <= " + param(out.params, p, q.to_day);
  }
  if (q.key_id) {
    key = param(out.params, p, *q.key_id);
    s += " AND key_id = " + key;
  }
  if (months) {
    s += " UNION ALL SELECT " + inner + " FROM usage_monthly WHERE day >= " + param(out.params, p, first_month);
    s += " AND day < " + param(out.params, p, end_month);
    if (q.key_id) s += " AND key_id = " + key;
  }
  s += ") AS u";
  if (!groups.empty()) s += " GROUP BY " + joined(groups) + " ORDER BY " + joined(groups);
  return out;
}

Sql usage_rows_select(const UsageRowsQuery& q, char p, bool day_seq_floor) {
  Sql out;
  std::string& s = out.text;
  // SQLite ('?') needs the floor as its one lower bound on seq (the rowid) to seek to it, and,
  // without a key, the unary + to keep it off the time index (it would otherwise sort every
  // row after `from`, or walk seq order from the oldest row: 8 s at 10 M rows).
  const bool sqlite = p == '?';
  const std::string time = sqlite && day_seq_floor && !q.key_id ? "+time_ms" : "time_ms";
  s = "SELECT seq, " + joined(kRowColumns) + " FROM usage_rows WHERE " + time + " >= " + param(out.params, p, q.from_ms);
  s += " AND " + time + " < " + param(out.params, p, q.to_ms);
  const std::string after = param(out.params, p, q.after_seq);
  if (q.key_id) s += " AND key_id = " + param(out.params, p, *q.key_id);
  if (q.model) s += " AND model = " + param(out.params, p, *q.model);
  if (day_seq_floor) {
    // No day at or after from_ms's: no row matches, so any floor is exact; the largest ends the walk at once.
    const std::string floor = "COALESCE((SELECT MIN(min_seq) FROM usage_day_seq WHERE day >= " +
                              param(out.params, p, day_of_ms(q.from_ms)) + "), 9223372036854775807)";
    s += sqlite ? " AND seq > max(" + after + ", " + floor + " - 1)" : " AND seq > " + after + " AND seq >= " + floor;
  } else {
    s += " AND seq > " + after;
  }
  s += " ORDER BY seq LIMIT " + param(out.params, p, q.limit);
  return out;
}

Result<UsageTotals> totals_from_result(const UsageQuery& q, const std::vector<std::string>& groups,
                                       const std::vector<int64_t>& figures) {
  if (groups.size() != q.group_by.size() || figures.size() != kUsageFigureColumns) {
    return make_error(ErrorCode::Internal, "usage query: unexpected result shape");
  }
  UsageTotals t;
  for (size_t i = 0; i < groups.size(); ++i) {
    switch (q.group_by[i]) {
      case UsageGroup::Day: {
        int64_t d = 0;
        auto r = std::from_chars(groups[i].data(), groups[i].data() + groups[i].size(), d);
        if (r.ec != std::errc()) return make_error(ErrorCode::Internal, "usage query: bad day '" + groups[i] + "'");
        t.day = d;
        break;
      }
      case UsageGroup::Key: t.key_id = groups[i]; break;
      case UsageGroup::Model: t.model = groups[i]; break;
      case UsageGroup::Prompt: t.prompt = groups[i]; break;
    }
  }
  int64_t* const f[] = {&t.requests,     &t.errors,          &t.prompt_tokens, &t.cached_tokens, &t.completion_tokens,
                        &t.cost_nano_usd, &t.duration_us_sum, &t.ttft_us_sum,   &t.ttft_count,    &t.max_duration_us};
  for (size_t i = 0; i < std::size(f); ++i) *f[i] = figures[i];
  for (size_t i = 0; i < kLatencyBuckets; ++i) t.latency[i] = figures[std::size(f) + i];
  return t;
}

}  // namespace ondo::store
