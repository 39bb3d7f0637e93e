// Scheduler: continuous batching of many generation requests over one model (DESIGN "The
// path of one request"). Layer: infer.
//
// One loop thread owns every sequence slot and the KV cache; each step it builds one batch
// from the decode token of every running sequence plus a bounded chunk of waiting prompt
// tokens (long prompts are processed over several steps, so running streams keep flowing),
// runs one forward pass, samples, and posts events. HTTP threads only submit() and wait on
// their RequestHandle (they never run model code). A shared prompt prefix is reused from the
// prefix cache (KV blocks keyed by a cryptographic hash of model identity and tokens).
// Determinism: a request's tokens and logprobs do not depend on what else is batched, on
// prompt chunking, or on whether its prefix came from the cache.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/infer/request_context.h"
#include "ondo/infer/sampler/sampler.h"
#include "ondo/model/model.h"
#include "ondo/text/tokenizer.h"

namespace ondo::infer {

namespace grammar {
class Grammar;
class TokenTable;
}  // namespace grammar

struct SchedulerOptions {
  int32_t n_parallel = 4;          // sequence slots running at once
  int32_t n_ctx = 4096;            // positions per slot (prompt + completion)
  int32_t max_queue = 64;          // waiting requests beyond the running ones; more -> Overloaded
  int32_t max_batch_tokens = 512;  // tokens per forward step (decode tokens + prompt chunks)
  uint64_t cache_mem_bytes = uint64_t(256) << 20;  // prefix cache budget (0: off)
  int n_threads = 1;
};

enum class FinishReason { None, Stop, Length, Cancelled, Error };

struct TokenLogprob {
  int32_t token = 0;
  float logprob = 0.0f;
};

// One generated token, as the loop thread posts it.
struct TokenEvent {
  int32_t token = -1;            // -1 for the final event when nothing was generated with it
  float logprob = 0.0f;          // log-softmax of the raw logits (after logit_bias), if asked
  std::vector<TokenLogprob> top;  // top_logprobs alternatives, best first
  FinishReason finish = FinishReason::None;  // set on the last event of the request
  std::string error;             // FinishReason::Error only
};

struct GenerationRequest {
  std::vector<int32_t> prompt;   // non-empty; prompt + max_tokens must fit n_ctx
  int32_t max_tokens = 256;
  SamplerParams sampling;
  bool ignore_eos = false;
  int32_t n_logprobs = -1;       // -1: none; 0: the chosen token's; k: plus k alternatives (<= 20)
  std::shared_ptr<const grammar::Grammar> grammar;  // optional constraint (token mask each step)
  std::shared_ptr<const RequestContext> context;     // optional: who/what the request is for
};

struct RequestTiming {
  double queue_seconds = 0.0;        // submit -> first scheduled
  double first_token_seconds = 0.0;  // submit -> first token
  int32_t cached_prompt_tokens = 0;  // prompt tokens reused from the prefix cache
};

// The waiting side of one request. Thread contract: next()/cancel() from one client thread;
// the loop thread posts.
class RequestHandle {
 public:
  virtual ~RequestHandle() = default;
  // Blocks until an event is ready (or `timeout_ms` passes: nullopt). After the event with
  // finish != None, returns nullopt immediately.
  virtual std::optional<TokenEvent> next(int timeout_ms = -1) = 0;
  // Stops generation and frees the slot at the next step (client disconnected, stop string).
  virtual void cancel() = 0;
  virtual RequestTiming timing() const = 0;
};

struct SchedulerStats {
  int32_t running = 0;
  int32_t waiting = 0;
  double kv_usage_ratio = 0.0;           // positions in use / all positions
  uint64_t prefix_cache_queries = 0;
  uint64_t prefix_cache_hits = 0;
  uint64_t prefix_cache_bytes = 0;
};

class Scheduler {
 public:
  // Allocates the KV cache for n_parallel slots and starts the loop thread.
  static Result<std::unique_ptr<Scheduler>> create(const model::Model& model, const text::Tokenizer& tokenizer,
                                                   const SchedulerOptions& options);
  virtual ~Scheduler() = default;

  // Validates (InvalidArgument: empty prompt, prompt + max_tokens over n_ctx, bad sampling;
  // Overloaded: queue full; Unavailable: shutting down) and queues the request.
  virtual Result<std::shared_ptr<RequestHandle>> submit(GenerationRequest request) = 0;
  virtual SchedulerStats stats() const = 0;
  virtual const SchedulerOptions& options() const = 0;
  // Stops accepting; lets running and queued requests finish for up to `grace_ms`, then
  // cancels the rest and joins the loop thread. Idempotent.
  virtual void shutdown(int grace_ms) = 0;
};

}  // namespace ondo::infer
