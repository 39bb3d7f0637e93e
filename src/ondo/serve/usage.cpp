// Usage rows of finished requests and the usage API's queries and answers (see usage.h).
// Layer: serve.
#include "ondo/serve/usage.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "ondo/store/api_keys.h"

namespace ondo::serve {
namespace {

using json = nlohmann::json;
using store::UsageGroup;
using store::UsageRow;
using store::UsageTotals;

constexpr int64_t kDefaultDays = 30;
constexpr int64_t kMaxRowsLimit = 1000;

int64_t us(double seconds) { return seconds < 0 ? -1 : int64_t(std::llround(seconds * 1e6)); }

double ms(int64_t micros) { return double(micros) / 1000.0; }

// One value per name; `known` lists the names the route takes.
Result<std::map<std::string, std::string>> single_values(const QueryParams& params,
                                                         std::initializer_list<std::string_view> known) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : params) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      std::string list;
      for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      return field_error(ErrorCode::InvalidArgument, name.substr(0, 40), "unknown query parameter (known: " + list + ")");
    }
    if (!out.emplace(name, value).second) return field_error(ErrorCode::InvalidArgument, name, "given more than once");
  }
  if (auto f = out.find("format"); f != out.end() && f->second != "json" && f->second != "csv") {
    return field_error(ErrorCode::InvalidArgument, "format", "expected json or csv (seen '" + f->second.substr(0, 40) + "')");
  }
  return out;
}

Result<int64_t> day_param(const std::map<std::string, std::string>& v, const std::string& name, int64_t fallback) {
  auto it = v.find(name);
  if (it == v.end()) return fallback;
  auto d = store::parse_day(it->second);
  if (!d.ok()) return field_error(ErrorCode::InvalidArgument, name, d.error().message);
  return *d;
}

Result<std::pair<int64_t, int64_t>> day_range(const std::map<std::string, std::string>& v, int64_t today) {
  ONDO_ASSIGN_OR_RETURN(int64_t to, day_param(v, "to", today));
  ONDO_ASSIGN_OR_RETURN(int64_t from, day_param(v, "from", to - (kDefaultDays - 1)));
  if (from > to) {
    return field_error(ErrorCode::InvalidArgument, "from",
                       "is after to (" + store::format_day(from) + " > " + store::format_day(to) + ")");
  }
  return std::pair{from, to};
}

Result<int64_t> int_param(const std::map<std::string, std::string>& v, const std::string& name, int64_t fallback,
                          int64_t lo, int64_t hi) {
  auto it = v.find(name);
  if (it == v.end()) return fallback;
  const std::string& s = it->second;
  int64_t n = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), n);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || n < lo || n > hi) {
    return field_error(ErrorCode::InvalidArgument, name,
                       "expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi) + " (seen '" +
                           s.substr(0, 40) + "')");
  }
  return n;
}

json figures_json(const UsageTotals& t) {
  json lat = {{"mean", t.requests ? ms(t.duration_us_sum) / double(t.requests) : 0.0},
              {"p50", store::latency_percentile_ms(t, 0.50)},
              {"p95", store::latency_percentile_ms(t, 0.95)},
              {"p99", store::latency_percentile_ms(t, 0.99)},
              {"max", ms(t.max_duration_us)}};
  return {{"requests", t.requests},
          {"errors", t.errors},
          {"prompt_tokens", t.prompt_tokens},
          {"cached_tokens", t.cached_tokens},
          {"completion_tokens", t.completion_tokens},
          {"total_tokens", t.prompt_tokens + t.completion_tokens},
          {"cost_nano_usd", t.cost_nano_usd},
          {"cost_usd", format_usd(t.cost_nano_usd)},
          {"latency_ms", lat},
          {"ttft_ms_mean", t.ttft_count ? ms(t.ttft_us_sum) / double(t.ttft_count) : 0.0}};
}

std::string group_value(const UsageTotals& t, UsageGroup g) {
  switch (g) {
    case UsageGroup::Day: return store::format_day(t.day);
    case UsageGroup::Key: return t.key_id;
    case UsageGroup::Model: return t.model;
    case UsageGroup::Prompt: return t.prompt;
  }
  return "";
}

// RFC 4180 field: quoted when it holds a comma, quote or line break.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace

std::string usage_key_of(std::string_view caller) {
  constexpr std::string_view kKey = "key:";
  if (caller.substr(0, kKey.size()) == kKey) return std::string(caller.substr(kKey.size()));
  return std::string(caller);
}

std::optional<UsageRow> usage_row(const RequestRecord& r, const PriceTable* prices, int64_t now_ms) {
  if (!r.generated && !r.cache_hit) return std::nullopt;
  UsageRow u;
  u.time_ms = now_ms;
  u.request_id = r.context.id;
  u.key_id = usage_key_of(r.context.caller);
  u.model = r.context.model;
  u.adapter = r.context.adapter;
  u.prompt = r.prompt_ref;  // name@version of the registry prompt that served it; "" for none
  u.route = r.route;
  u.status = r.status;
  u.prompt_tokens = std::max(r.prompt_tokens, 0);
  u.cached_tokens = std::clamp(r.cached_tokens, 0, std::max(r.prompt_tokens, 0));
  u.completion_tokens = std::max(r.completion_tokens, 0);
  u.ttft_us = us(r.first_token_s);
  u.duration_us = std::max<int64_t>(us(r.total_s), 0);
  if (prices && !r.cache_hit) {  // a response cache hit ran no model: it costs nothing
    u.cost_nano_usd = cost_nano_usd(prices->of(u.model), u.prompt_tokens, u.cached_tokens, u.completion_tokens);
  }
  u.finish_reason = r.finish_reason;
  return u;
}

Result<store::UsageQuery> parse_usage_query(const QueryParams& params, int64_t today) {
  ONDO_ASSIGN_OR_RETURN(auto v, single_values(params, {"from", "to", "group_by", "key", "format"}));
  store::UsageQuery q;
  ONDO_ASSIGN_OR_RETURN(auto range, day_range(v, today));
  q.from_day = range.first;
  q.to_day = range.second;
  if (auto it = v.find("group_by"); it != v.end()) {
    ONDO_ASSIGN_OR_RETURN(q.group_by, store::parse_usage_groups(it->second));
  }
  if (auto it = v.find("key"); it != v.end()) q.key_id = it->second;
  return q;
}

Result<store::UsageRowsQuery> parse_usage_rows_query(const QueryParams& params, int64_t today) {
  ONDO_ASSIGN_OR_RETURN(auto v, single_values(params, {"from", "to", "key", "model", "after", "limit", "format"}));
  store::UsageRowsQuery q;
  ONDO_ASSIGN_OR_RETURN(auto range, day_range(v, today));
  q.from_ms = range.first * 86400000;
  q.to_ms = (range.second + 1) * 86400000;
  if (auto it = v.find("key"); it != v.end()) q.key_id = it->second;
  if (auto it = v.find("model"); it != v.end()) q.model = it->second;
  ONDO_ASSIGN_OR_RETURN(q.after_seq, int_param(v, "after", 0, 0, INT64_MAX));
  ONDO_ASSIGN_OR_RETURN(q.limit, int_param(v, "limit", 100, 1, kMaxRowsLimit));
  q.limit += 1;  // one more: has_more
  return q;
}

bool wants_csv(const QueryParams& params, std::string_view accept) {
  if (auto it = params.find("format"); it != params.end()) return it->second == "csv";
  return accept.find("text/csv") != std::string_view::npos;
}

json usage_totals_json(const store::UsageQuery& q, const std::vector<UsageTotals>& groups) {
  json data = json::array();
  UsageTotals total;
  json group_names = json::array();
  for (UsageGroup g : q.group_by) group_names.push_back(store::usage_group_name(g));
  for (const UsageTotals& t : groups) {
    total.add(t);
    if (q.group_by.empty()) continue;
    json item;
    for (UsageGroup g : q.group_by) item[std::string(store::usage_group_name(g))] = group_value(t, g);
    item.update(figures_json(t));
    data.push_back(std::move(item));
  }
  return {{"object", "usage"},
          {"from", store::format_day(q.from_day)},
          {"to", store::format_day(q.to_day)},
          {"group_by", group_names},
          {"key", q.key_id ? json(*q.key_id) : json(nullptr)},
          {"data", data},
          {"total", figures_json(total)}};
}

std::string usage_totals_csv(const store::UsageQuery& q, const std::vector<UsageTotals>& groups) {
  std::string out;
  for (UsageGroup g : q.group_by) out += std::string(store::usage_group_name(g)) + ",";
  out += "requests,errors,prompt_tokens,cached_tokens,completion_tokens,total_tokens,cost_usd,"
         "latency_p50_ms,latency_p95_ms,latency_p99_ms,latency_max_ms\r\n";
  for (const UsageTotals& t : groups) {
    if (q.group_by.empty() && t.requests == 0) continue;
    for (UsageGroup g : q.group_by) out += csv_field(group_value(t, g)) + ",";
    out += std::to_string(t.requests) + "," + std::to_string(t.errors) + "," + std::to_string(t.prompt_tokens) + "," +
           std::to_string(t.cached_tokens) + "," + std::to_string(t.completion_tokens) + "," +
           std::to_string(t.prompt_tokens + t.completion_tokens) + "," + format_usd(t.cost_nano_usd) + "," +
           fixed(store::latency_percentile_ms(t, 0.5), 1) + "," + fixed(store::latency_percentile_ms(t, 0.95), 1) +
           "," + fixed(store::latency_percentile_ms(t, 0.99), 1) + "," + fixed(ms(t.max_duration_us), 1) + "\r\n";
  }
  return out;
}

json usage_rows_json(const std::vector<UsageRow>& rows, int64_t limit) {
  json data = json::array();
  const size_t n = std::min(rows.size(), size_t(limit));
  for (size_t i = 0; i < n; ++i) {
    const UsageRow& r = rows[i];
    data.push_back({{"seq", r.seq},
                    {"request_id", r.request_id},
                    {"time", store::format_time(r.time_ms / 1000)},
                    {"time_ms", r.time_ms},
                    {"key", r.key_id},
                    {"model", r.model},
                    {"adapter", r.adapter},
                    {"prompt", r.prompt},
                    {"route", r.route},
                    {"status", r.status},
                    {"prompt_tokens", r.prompt_tokens},
                    {"cached_tokens", r.cached_tokens},
                    {"completion_tokens", r.completion_tokens},
                    {"ttft_ms", r.ttft_us < 0 ? json(nullptr) : json(ms(r.ttft_us))},
                    {"duration_ms", ms(r.duration_us)},
                    {"cost_nano_usd", r.cost_nano_usd},
                    {"cost_usd", format_usd(r.cost_nano_usd)},
                    {"finish_reason", r.finish_reason}});
  }
  const bool more = rows.size() > n;
  return {{"object", "list"},
          {"data", data},
          {"has_more", more},
          {"next_after", more && n > 0 ? json(rows[n - 1].seq) : json(nullptr)}};
}

std::string usage_rows_csv(const std::vector<UsageRow>& rows, int64_t limit) {
  std::string out =
      "seq,request_id,time,key,model,adapter,prompt,route,status,prompt_tokens,cached_tokens,completion_tokens,"
      "ttft_ms,duration_ms,cost_usd,finish_reason\r\n";
  const size_t n = std::min(rows.size(), size_t(limit));
  for (size_t i = 0; i < n; ++i) {
    const UsageRow& r = rows[i];
    out += std::to_string(r.seq) + "," + csv_field(r.request_id) + "," + store::format_time(r.time_ms / 1000) + "," +
           csv_field(r.key_id) + "," + csv_field(r.model) + "," + csv_field(r.adapter) + "," + csv_field(r.prompt) +
           "," + csv_field(r.route) + "," + std::to_string(r.status) + "," + std::to_string(r.prompt_tokens) + "," +
           std::to_string(r.cached_tokens) + "," + std::to_string(r.completion_tokens) + "," +
           (r.ttft_us < 0 ? std::string() : fixed(ms(r.ttft_us), 3)) + "," + fixed(ms(r.duration_us), 3) + "," +
           format_usd(r.cost_nano_usd) + "," + csv_field(r.finish_reason) + "\r\n";
  }
  return out;
}

}  // namespace ondo::serve
