// Session: the single-sequence path used by the command line (run, logits, bench, chat).
// Layer: infer. A Session owns one KV slot and the scratch for its batch steps; it evaluates
// tokens in order on the process's ComputePool (one Serving lease per forward step).
// Thread contract: a Session is used by one thread at a time; sessions sharing a pool may
// evaluate from different threads (the leases serialise them).
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "ondo/core/compute_pool.h"
#include "ondo/infer/kv_cache/kv_cache.h"
#include "ondo/model/model.h"

namespace ondo::infer {

struct SessionOptions {
  int32_t n_ctx = 0;        // 0: the model's training context, capped at 4096
  int32_t max_batch = 512;  // tokens per forward step (longer inputs are chunked)
};

class Session {
 public:
  // `pool` is borrowed and must outlive the session.
  static Result<std::unique_ptr<Session>> create(const model::Model& model, core::ComputePool& pool,
                                                 const SessionOptions& options = {});

  // Appends `tokens` at the current position, in chunks of max_batch. Returns the logits of
  // the last token, or of every token when `all_logits` ([n][n_vocab] row-major).
  // Error when the context would overflow (nothing is evaluated then).
  Result<std::span<const float>> eval(std::span<const int32_t> tokens, bool all_logits = false);

  int32_t n_past() const { return n_past_; }
  int32_t n_ctx() const { return n_ctx_; }
  const model::Model& model() const { return model_; }
  // The tokens evaluated so far (n_past of them), so callers can reuse a common prefix.
  const std::vector<int32_t>& tokens() const { return tokens_; }
  void reset() { truncate(0); }
  // Forgets every position from `n` on (their KV entries are overwritten later).
  // Requires: 0 <= n <= n_past().
  void truncate(int32_t n);

 private:
  Session(const model::Model& model, core::ComputePool& pool, KvCache kv, int32_t n_ctx, int32_t max_batch);
  const model::Model& model_;
  core::ComputePool& pool_;
  KvCache kv_;
  int32_t n_ctx_;
  int32_t max_batch_;
  int32_t n_past_ = 0;
  model::ForwardScratch scratch_;
  std::vector<model::BatchToken> batch_;
  std::vector<int32_t> tokens_;
  std::vector<float> logits_;
};

}  // namespace ondo::infer
