// The usage API's routes (see usage.h). Layer: serve.
#include "ondo/serve/routes/usage.h"

#include <ctime>

#include "ondo/serve/routes/routes.h"
#include "ondo/serve/usage.h"
#include "ondo/store/store.h"

namespace ondo::serve {
namespace {

int64_t today() { return int64_t(std::time(nullptr)) / 86400; }

// The key whose usage the caller may read: nullopt (every key) for the admin key, the key's
// own id for a store key. `asked`: the key= parameter. Errors: PermissionDenied.
Result<std::optional<std::string>> readable_key(const std::optional<std::string>& asked) {
  const auto& record = current_request();
  const std::string caller = record ? record->context.caller : std::string();
  if (caller == "admin") return asked;
  if (caller.rfind("key:", 0) == 0) {
    const std::string own = usage_key_of(caller);
    if (asked && *asked != own) {
      return field_error(ErrorCode::PermissionDenied, "key", "an API key may read only its own usage (" + own + ")");
    }
    return std::optional<std::string>(own);
  }
  return make_error(ErrorCode::PermissionDenied, "usage: needs the admin key or a store API key (seen caller '" + caller + "')");
}

Result<store::Store*> usage_store(ServerState& state) {
  if (!state.options().store) return make_error(ErrorCode::Unavailable, "usage API: the server has no store");
  return state.options().store;
}

void send_csv(httplib::Response& res, const std::string& body, const char* file) {
  res.status = 200;
  res.set_header("Content-Disposition", std::string("attachment; filename=\"") + file + "\"");
  res.set_content(body, "text/csv; charset=utf-8");
}

}  // namespace

void handle_usage(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  auto store = usage_store(state);
  if (!store.ok()) return send_error(res, store.error());
  const QueryParams params(req.params.begin(), req.params.end());
  auto q = parse_usage_query(params, today());
  if (!q.ok()) return send_error(res, q.error());
  auto key = readable_key(q->key_id);
  if (!key.ok()) return send_error(res, key.error());
  q->key_id = *key;
  auto totals = (*store)->usage_totals(*q);
  if (!totals.ok()) return send_error(res, totals.error());
  if (wants_csv(params, req.get_header_value("Accept"))) return send_csv(res, usage_totals_csv(*q, *totals), "usage.csv");
  send_json(res, 200, usage_totals_json(*q, *totals));
}

void handle_usage_requests(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  auto store = usage_store(state);
  if (!store.ok()) return send_error(res, store.error());
  const QueryParams params(req.params.begin(), req.params.end());
  auto q = parse_usage_rows_query(params, today());
  if (!q.ok()) return send_error(res, q.error());
  auto key = readable_key(q->key_id);
  if (!key.ok()) return send_error(res, key.error());
  q->key_id = *key;
  auto rows = (*store)->usage_rows(*q);
  if (!rows.ok()) return send_error(res, rows.error());
  const int64_t limit = q->limit - 1;
  if (wants_csv(params, req.get_header_value("Accept"))) return send_csv(res, usage_rows_csv(*rows, limit), "usage-requests.csv");
  send_json(res, 200, usage_rows_json(*rows, limit));
}

}  // namespace ondo::serve
