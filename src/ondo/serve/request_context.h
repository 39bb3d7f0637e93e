// RequestRecord: the context of one HTTP request, made at the HTTP edge before routing and
// completed after the response body has been sent: its id (the x-request-id header), the
// caller, the model, and for generations the tokens and times that really happened, however
// the request ended (finished, stop string, client gone, timed out). The access log line,
// the request metrics and the usage hook are all written from the final record, once.
// Layer: serve. Plain data and pure functions; ServerState does the bookkeeping.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ondo/infer/request_context.h"

namespace ondo::serve {

struct LimitTicket;  // serve/limits.h

struct RequestRecord {
  infer::RequestContext context;  // id, caller, model (empty until a route names one), adapter
  std::string method;
  std::string route;              // the route table's path template, or "other"
  int status = 0;                 // the HTTP status sent
  // The models the caller's store key may use (none: any); lookup_model() enforces it.
  std::optional<std::vector<std::string>> allowed_models;
  std::chrono::steady_clock::time_point start;
  // The registry prompt that served the request, "name@version" ("" when none; issue 15.5).
  std::string prompt_ref;
  // A store key with limits: its admission, settled when the record finishes (serve/limits.h).
  std::shared_ptr<LimitTicket> limits;

  // Set once the request reached the scheduler (generated is then true).
  bool generated = false;
  bool streamed = false;
  int32_t prompt_tokens = 0;
  int32_t cached_tokens = 0;      // prompt tokens reused from the prefix cache
  int32_t completion_tokens = 0;  // tokens received from the scheduler, up to the end
  double queue_s = -1.0;          // submit -> first scheduled (< 0: unknown)
  double first_token_s = -1.0;    // submit -> first token (< 0: no token came)
  double total_s = 0.0;           // request start -> response body sent
  // How the generation ended: "stop", "length", "tool_calls", "cancelled" (server shutdown),
  // "disconnected" (the client went away), "timeout" (--timeout), "error"; "" before/without one.
  std::string finish_reason;
  // Answered from the response cache (serve/response_cache.h): the model did not run;
  // generated stays false and the token counts are those served (usage prices hits at zero).
  bool cache_hit = false;
  bool finished = false;  // set when the log line, metrics and hook have been written
};

// Called once per finished request (every route, errors included) on the HTTP thread that
// served it, after the response body was sent and the access log line written. Must be
// thread-safe; exceptions are caught and logged.
using RequestHook = std::function<void(const RequestRecord&)>;

// A new request id: "req_" and 32 hex digits (128 random bits).
std::string new_request_id();

// The access log line (no trailing newline):
// "ondo serve: POST /v1/chat/completions 200 id=req_.. caller=local model=m stream=1 finish=stop
//  prompt_tokens=5 completion_tokens=9 cached_tokens=0 queue_ms=0.1 ttft_ms=2.0 total_ms=9.5"
// and " prompt=name@version" when a registry prompt served it, " adapter=a+b@0.5" when LoRA
// adapters did.
std::string access_log_line(const RequestRecord& r);

}  // namespace ondo::serve
