// `ondo admin usage` (see admin_usage.h). Layer: cli.
#include "ondo/cli/admin_usage.h"

#include <cstdio>
#include <ctime>

#include "ondo/cli/commands.h"
#include "ondo/serve/usage.h"

namespace ondo::cli {

std::vector<OptionSpec> admin_usage_options() {
  return {
      {"--from", "YYYY-MM-DD", "30 days before --to", "usage: the first UTC day"},
      {"--to", "YYYY-MM-DD", "today", "usage: the last UTC day (included)"},
      {"--group-by", "G[,G]", "none (one total)", "usage: key, model, day and/or prompt"},
      {"--key", "ID", "every key", "usage: one key's usage only"},
      {"--model", "ALIAS", "every model", "usage requests: one model's rows only"},
      {"--after", "SEQ", "0", "usage requests: rows after this seq (the last page's next_after)"},
      {"--limit", "N", "100", "usage requests: rows at most (1 to 1000)"},
      {"--format", "json|csv", "json", "usage: the output format"},
  };
}

int admin_usage(store::Store& store, const std::string& what, const Args& args) {
  // The same parameters as the HTTP routes, so both check them alike.
  serve::QueryParams params;
  const std::pair<const char*, const char*> names[] = {{"--from", "from"}, {"--to", "to"},       {"--group-by", "group_by"},
                                                       {"--key", "key"},   {"--model", "model"}, {"--after", "after"},
                                                       {"--limit", "limit"}, {"--format", "format"}};
  for (const auto& [option, param] : names) {
    if (auto v = args.get(option)) params.emplace(param, *v);
  }
  const int64_t today = int64_t(std::time(nullptr)) / 86400;
  const bool csv = serve::wants_csv(params, "");
  if (what.empty()) {
    if (params.count("model") || params.count("after") || params.count("limit")) {
      return report("admin", make_error(ErrorCode::InvalidArgument, "usage: --model, --after and --limit are for 'usage requests'"));
    }
    auto q = serve::parse_usage_query(params, today);
    if (!q.ok()) return report("admin", q.error().with_context("usage"));
    auto totals = store.usage_totals(*q);
    if (!totals.ok()) return report("admin", totals.error());
    std::fputs(csv ? serve::usage_totals_csv(*q, *totals).c_str() : (serve::usage_totals_json(*q, *totals).dump(2) + "\n").c_str(),
               stdout);
    return 0;
  }
  if (params.count("group_by")) {
    return report("admin", make_error(ErrorCode::InvalidArgument, "usage requests: --group-by is for 'usage'"));
  }
  auto q = serve::parse_usage_rows_query(params, today);
  if (!q.ok()) return report("admin", q.error().with_context("usage requests"));
  auto rows = store.usage_rows(*q);
  if (!rows.ok()) return report("admin", rows.error());
  const int64_t limit = q->limit - 1;
  std::fputs(csv ? serve::usage_rows_csv(*rows, limit).c_str() : (serve::usage_rows_json(*rows, limit).dump(2) + "\n").c_str(),
             stdout);
  return 0;
}

}  // namespace ondo::cli
