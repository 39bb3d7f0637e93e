// The usage API: GET /v1/usage (sums from the daily rollups) and GET /v1/usage/requests (raw
// rows, paged), JSON or CSV. The admin key reads every key's usage; a store key reads only
// its own. Layer: serve (routes). Talks to the store only through store.h.
#pragma once

#include <httplib.h>

namespace ondo::serve {

class ServerState;

void handle_usage(ServerState& state, const httplib::Request& req, httplib::Response& res);
void handle_usage_requests(ServerState& state, const httplib::Request& req, httplib::Response& res);

}  // namespace ondo::serve
