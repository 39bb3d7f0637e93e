// Scheduler: continuous batching of many generation requests over one model (DESIGN "The
// path of one request"). Layer: infer.
//
// One loop thread owns every sequence slot and the KV cache; each step it builds one batch
// from the decode token of every running sequence plus a bounded chunk of waiting prompt
// tokens (long prompts are processed over several steps, so running streams keep flowing),
// runs one forward pass, samples, and posts events. HTTP threads only submit() and wait on
// their RequestHandle (they never run model code). A shared prompt prefix is reused from the
// prefix cache (KV blocks keyed by a cryptographic hash of model identity and tokens), or
// copied from another slot whose tokens start with it, running or freed but not yet reused
// (the choices of an n > 1 request).
// Determinism: a request's tokens and logprobs do not depend on what else is batched, on
// prompt chunking, or on whether its prefix came from the cache.
// Compute: the scheduler borrows the process's ComputePool and holds a Serving lease for each
// forward pass only, so several schedulers (models) share -t threads.
// Robustness: an exception while handling one request (a bug) fails that request with
// FinishReason::Error ("internal error: ...") and the loop goes on; one thrown by a forward
// pass fails the requests of that batch. In the steady state (running requests decoding,
// without grammar or top_logprobs alternatives) a step allocates no memory.
// Model kinds: a scheduler over a generator takes GenerationRequests; over an encoder it takes
// EmbeddingRequests, batching the sequences of every waiting request (whole sequences,
// attention over each one both ways) into encode() passes; the prefix cache is not involved.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ondo/core/compute_pool.h"
#include "ondo/core/result.h"
#include "ondo/infer/request_context.h"
#include "ondo/infer/sampler/sampler.h"
#include "ondo/model/lora/adapter.h"
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
};

struct GenerationRequest;

// Called on the loop thread with every generated token before it is posted (tracing, tests).
// Must be cheap; an exception it throws fails that request only.
using TokenHook = std::function<void(const GenerationRequest& request, int32_t token)>;

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
  std::vector<int32_t> prompt;   // non-empty, shorter than n_ctx
  // Completion tokens at most. prompt + max_tokens may exceed n_ctx: generation then ends
  // with FinishReason::Length when the sequence fills the context (prompt + completion =
  // n_ctx), as it would at max_tokens.
  int32_t max_tokens = 256;
  SamplerParams sampling;
  bool ignore_eos = false;
  int32_t n_logprobs = -1;       // -1: none; 0: the chosen token's; k: plus k alternatives (<= 20)
  std::shared_ptr<const grammar::Grammar> grammar;  // optional constraint (token mask each step)
  std::shared_ptr<const RequestContext> context;     // optional: who/what the request is for
  // Optional: the LoRA adapters (and scales) this request runs with, each bound to the
  // scheduler's model; null or empty: the base model. Held until the request ends, so an
  // adapter unloaded meanwhile stays alive for it. Requests with different sets (or none)
  // share forward passes; the prefix cache and K/V sharing between slots key on the set.
  std::shared_ptr<const model::LoraSet> lora;
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

// Token sequences in, one pooled vector per sequence out (encoder models).
struct EmbeddingRequest {
  // Non-empty; each input non-empty, at most min(n_ctx, max_batch_tokens) tokens.
  std::vector<std::vector<int32_t>> inputs;
};

// The waiting side of one embedding request. Thread contract: wait()/cancel() from one
// client thread; the loop thread completes it.
class EmbeddingHandle {
 public:
  virtual ~EmbeddingHandle() = default;
  // Blocks until the request is done (or `timeout_ms` passes: nullopt). Then: one vector of
  // the model's n_embd_out() floats per input, in input order (pooled as the model defines,
  // not normalised); or Cancelled (cancel(), shutdown) or Internal (a failed pass).
  virtual std::optional<Result<std::vector<std::vector<float>>>> wait(int timeout_ms = -1) = 0;
  // Drops the request at the loop's next pass (its wait() then returns Cancelled).
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
  uint64_t prompt_tokens_evaluated = 0;  // prompt tokens run through a forward pass
  uint64_t prompt_tokens_shared = 0;     // prompt tokens whose K/V were copied from another slot
};

class Scheduler {
 public:
  // Allocates the KV cache for n_parallel slots and starts the loop thread. `model`,
  // `tokenizer` and `pool` are borrowed and must outlive the scheduler.
  static Result<std::unique_ptr<Scheduler>> create(const model::Model& model, const text::Tokenizer& tokenizer,
                                                   const SchedulerOptions& options, core::ComputePool& pool,
                                                   TokenHook on_token = nullptr);
  virtual ~Scheduler() = default;

  // Validates (InvalidArgument: empty prompt, a prompt of n_ctx tokens or more, bad sampling,
  // a LoRA adapter bound to another model; Overloaded: queue full; Unavailable: shutting
  // down) and queues the request.
  // InvalidArgument too when the model is an encoder.
  virtual Result<std::shared_ptr<RequestHandle>> submit(GenerationRequest request) = 0;
  // Validates (InvalidArgument: a generator model, no inputs, an empty or too long input, a
  // token id out of range; Overloaded; Unavailable) and queues the request.
  virtual Result<std::shared_ptr<EmbeddingHandle>> submit_embedding(EmbeddingRequest request) = 0;
  virtual SchedulerStats stats() const = 0;
  virtual const SchedulerOptions& options() const = 0;
  // Stops accepting; lets running and queued requests finish for up to `grace_ms`, then
  // cancels the rest and joins the loop thread. Idempotent.
  virtual void shutdown(int grace_ms) = 0;
};

}  // namespace ondo::infer
