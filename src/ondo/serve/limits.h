// The gateway's limits on a store key (issue 15.3): admission of a generation (requests and
// tokens per minute, requests in flight, budget in tokens and nano-USD per period), its
// settlement when the request's record finishes, and OpenAI's x-ratelimit-* headers on every
// response of a limited key. The counters are the store's (store/limits.h): in memory on
// SQLite, one transactional counter on PostgreSQL shared by every replica. Layer: serve.
// Thread contract: every function is safe from any HTTP thread (one record per thread).
#pragma once

#include <httplib.h>

#include <cstdint>
#include <string>

#include "ondo/serve/request_context.h"
#include "ondo/store/limits.h"
#include "ondo/store/store.h"

namespace ondo::serve {

class ServerState;

// One request's part in its key's limits.
struct LimitTicket {
  std::string key_id;
  store::LimitRules rules;
  bool admitted = false;
  store::LimitState state;       // the counters as admission left them
  int64_t reserved_tokens = 0;   // prompt + max_tokens (of every choice)
  int64_t reserved_nano_usd = 0; // the reservation's cost at the model's prices
};

store::LimitRules limit_rules(const store::ApiKey& key);

// A duration as OpenAI's reset headers write it: "1s", "59s", "1m0s", "6m0s", "250ms".
std::string format_reset(int64_t ms);

// Before routing, for a caller that is a store key: when the key has limits, puts a ticket on
// the record and sets the key's current x-ratelimit-* headers on `res`.
void start_limits(ServerState& state, RequestRecord& record, const store::ApiKey& key, httplib::Response& res);

// Admits a generation that reserves `tokens` (prompt + max_tokens) costing at most `nano_usd`.
// Returns false when it is refused: the 429 (Retry-After; insufficient_quota for a budget) or,
// when the store fails, its error has been written in the route family's shape. The
// x-ratelimit-* headers are set either way. A record without a ticket is always admitted.
bool admit_limits(ServerState& state, RequestRecord& record, int64_t tokens, int64_t nano_usd, httplib::Response& res);

// At the end of the record: corrects the reservation to prompt + completion tokens really
// used (and their cost) and releases the lease. Does nothing for a record never admitted.
void settle_limits(ServerState& state, const RequestRecord& record);

}  // namespace ondo::serve
