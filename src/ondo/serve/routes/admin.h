// The admin API (/v1/admin/*, --admin-key): the gateway's API keys in the store.
// Layer: serve (routes). Talks to the store only through store/api_keys.h and store.h.
#pragma once

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "ondo/core/result.h"
#include "ondo/store/store.h"

namespace ondo::serve {

class ServerState;

// A key as the admin API and `ondo admin keys` show it: every field but the hash (the
// secret itself is never stored). Times are Unix seconds (null when unset); "status" is
// "active", "revoked" or "expired" at `now`.
nlohmann::json api_key_json(const store::ApiKey& key, int64_t now);

// The fields of a create request (name, models, rpm, tpm, max_concurrent, budget_tokens,
// budget_period, expires_at or expires_in seconds, metadata: an object of strings).
// Errors: InvalidArgument naming the field.
Result<store::ApiKey> api_key_fields_from_json(const nlohmann::ordered_json& body, int64_t now);

void handle_admin_list_keys(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_admin_create_key(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_admin_get_key(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_admin_revoke_key(ServerState& state, const httplib::Request& req, httplib::Response& res);

}  // namespace ondo::serve
