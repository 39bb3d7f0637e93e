// Sizing the activation buffers of a batch step (forward_scratch.h). Layer: model.
#include "ondo/model/forward_scratch.h"

namespace ondo::model {

ForwardScratch::ForwardScratch(const HParams& hp, int32_t max_tokens_, int32_t n_ctx_, int n_threads)
    : max_tokens(max_tokens_), n_ctx(n_ctx_) {
  const size_t T = size_t(max_tokens_);
  x.resize(T * size_t(hp.n_embd));
  xn.resize(T * size_t(hp.n_embd));
  q.resize(T * size_t(hp.q_dim()));
  k.resize(T * size_t(hp.kv_dim()));
  v.resize(T * size_t(hp.kv_dim()));
  attn.resize(T * size_t(hp.q_dim()));
  gate.resize(T * size_t(hp.n_ff));
  up.resize(T * size_t(hp.n_ff));
  proj.resize(T * size_t(hp.n_embd));
  scores.resize(size_t(n_threads) * size_t(n_ctx_));
  out_rows.reserve(T);
  seq_starts.reserve(T + 1);
}

}  // namespace ondo::model
