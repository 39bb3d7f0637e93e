// The response cache (issue 15.7): an exact repeat of a deterministic generation (temperature
// 0, or a fixed seed) is answered from the store without running the model. What is kept is
// the API-neutral result (each choice's raw text, finish reason and stop string, and the
// token counts), so any API family re-renders it through its own WireFormat: a blocking
// answer can come back as a stream and /v1/chat/completions and /v1/completions share
// entries when their prompts are the same tokens.
// Layer: serve (internal to it). The store calls are the only side effects.
// Thread contract: pure functions and store calls; safe from any HTTP thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/serve/routes/routes.h"
#include "ondo/store/store.h"

namespace ondo::serve {

// What the cache does for one request; the x-ondo-cache header says it ("" : no header, the
// cache is off).
enum class CacheDecision {
  Off,     // no --cache-ttl or no store
  Bypass,  // "cache": false, not deterministic, or asks for logprobs
  Lookup,  // look up `key`: a hit answers, a miss runs the model and keeps the answer
};

struct CachePlan {
  CacheDecision decision = CacheDecision::Off;
  std::string key;     // Lookup: hex SHA-256 of the canonical request
  std::string reason;  // Bypass: why, for the access log and docs
};

// One choice of a kept answer: what the generation runner had before it parsed tool calls
// (those are parsed again, and get fresh call ids, when the answer is served).
struct CachedChoice {
  std::string text;
  std::string finish_reason;  // "stop" or "length"
  std::string stop_sequence;  // the stop string that ended it ("": none)
  bool operator==(const CachedChoice&) const = default;
};

struct CachedGeneration {
  std::vector<CachedChoice> choices;  // in response order (prompt * n + sample)
  int32_t prompt_tokens = 0;
  int32_t completion_tokens = 0;
  int32_t cached_tokens = 0;
  bool operator==(const CachedGeneration&) const = default;
};

// The canonical request: the fields that decide the output, after defaults and after the
// prompt was built (model alias, file and its modification time, adapter, prompt tokens of
// every prompt, max_tokens, sampling (the seed only when temperature > 0), stop strings,
// n, ignore_eos, response_format / grammar, tools and tool_choice). Not `user`, `stream`,
// stream_options, the API family or the request id. Compact JSON.
std::string canonical_request(const PreparedRequest& p, const std::string& adapter);

// Off without a store or with options.cache.ttl_s == 0; Bypass for "cache": false, a
// non-deterministic request (temperature > 0 without a seed), logprobs, or output guardrail
// policies (a replay would not pass their stream filter); else Lookup.
CachePlan plan_response_cache(const ServerOptions& options, const PreparedRequest& p, const std::string& adapter);

// The header value for a decision and its outcome: "hit", "miss", "bypass" ("" when Off).
std::string cache_header(CacheDecision decision, bool hit);

// The answer kept under `key`, when there is a live one (the store counts the hit).
// Errors: the store's, and Internal for an entry this binary cannot read.
Result<std::optional<CachedGeneration>> cache_lookup(store::Store& store, const std::string& key, int64_t now_ms);

// Keeps `g` under `key` for options.ttl_s seconds within the size budget.
Status cache_save(store::Store& store, const ResponseCacheOptions& options, const std::string& key,
                  const std::string& model, const CachedGeneration& g, int64_t now_ms);

// The stored form of a CachedGeneration (JSON) and back. Errors: Internal naming the entry.
std::string encode_generation(const CachedGeneration& g);
Result<CachedGeneration> decode_generation(const std::string& body, const std::string& what);

// Unix milliseconds now.
int64_t unix_ms_now();

}  // namespace ondo::serve
