// The narrow daily usage rollups beside usage_daily_model (issue 19.4): day x key x model
// (usage_daily_key_model; prompt and route '') and day x key x prompt (usage_daily_key_prompt;
// model and route ''), written in the same transaction as the rows. The totals that group or
// filter only within one of them read it (usage_totals_select in usage.cpp): the Usage page's
// group-by key, prompt or key and model over 30 days reads ~2.4 k / ~9.6 k rows instead of the
// ~77 k of the wide rollup at 10 M rows. Layer: store (internal to it).
// Thread contract: pure functions; safe from any thread.
#pragma once

#include <string_view>
#include <vector>

#include "ondo/store/usage.h"

namespace ondo::store {

// The deltas of the two rollups from daily ones (the other columns become "").
std::vector<UsageTotals> key_model_day_deltas(const std::vector<UsageTotals>& daily);
std::vector<UsageTotals> key_prompt_day_deltas(const std::vector<UsageTotals>& daily);

// The daily table usage_totals_select() reads for `q`: "usage_daily_model",
// "usage_daily_key_model", "usage_daily_key_prompt" or "usage_daily".
std::string_view usage_daily_table(const UsageQuery& q);

}  // namespace ondo::store
