// Usage in the server: the usage row of a finished request (its cost from --prices), and the
// usage API's queries and answers (JSON and CSV), shared by GET /v1/usage, GET
// /v1/usage/requests and `ondo admin usage`. Layer: serve. Pure functions; no HTTP types.
// Thread contract: safe from any thread.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/serve/prices.h"
#include "ondo/serve/request_context.h"
#include "ondo/store/usage.h"

namespace ondo::serve {

// The row of a request that reached a model (record.generated) or was answered by the response
// cache (record.cache_hit: cost 0), finished at `now_ms` (Unix ms); nullopt for any other
// request. Its cost comes from `prices` (null: free).
std::optional<store::UsageRow> usage_row(const RequestRecord& record, const PriceTable* prices, int64_t now_ms);

// The usage key of a caller: the store key's id for "key:<id>", else the caller itself.
std::string usage_key_of(std::string_view caller);

// Query parameters, as HTTP gives them (one value per name; a repeated name is an error).
using QueryParams = std::multimap<std::string, std::string>;

// GET /v1/usage: from, to (YYYY-MM-DD, UTC days, both included; default: the 30 days up to
// `today`), group_by (key, model, day, prompt, comma separated), key, format.
// Errors: InvalidArgument naming the parameter (unknown, repeated, malformed, from after to).
Result<store::UsageQuery> parse_usage_query(const QueryParams& params, int64_t today);
// GET /v1/usage/requests: from, to (days as above), key, model, after (a row's seq), limit
// (1 to 1000, default 100), format. The store query asks for limit + 1 rows (has_more).
Result<store::UsageRowsQuery> parse_usage_rows_query(const QueryParams& params, int64_t today);

// Whether the answer is CSV: format=csv, or an Accept header naming text/csv (format=json wins).
bool wants_csv(const QueryParams& params, std::string_view accept);

nlohmann::json usage_totals_json(const store::UsageQuery& q, const std::vector<store::UsageTotals>& groups);
std::string usage_totals_csv(const store::UsageQuery& q, const std::vector<store::UsageTotals>& groups);
// `rows` as read (up to limit + 1); the extra one only sets has_more.
nlohmann::json usage_rows_json(const std::vector<store::UsageRow>& rows, int64_t limit);
std::string usage_rows_csv(const std::vector<store::UsageRow>& rows, int64_t limit);

}  // namespace ondo::serve
