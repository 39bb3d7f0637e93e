// Single-sequence evaluation over the model's forward pass. Layer: infer.
#include "ondo/infer/session.h"

#include <algorithm>
#include <string>

namespace ondo::infer {

Result<std::unique_ptr<Session>> Session::create(const model::Model& model, core::ComputePool& pool,
                                                 const SessionOptions& options) {
  const model::HParams& hp = model.hparams();
  int32_t n_ctx = options.n_ctx > 0 ? options.n_ctx : std::min(hp.n_ctx_train, 4096);
  if (n_ctx < 1 || n_ctx > (1 << 22)) {
    return make_error(ErrorCode::InvalidArgument, "context size " + std::to_string(n_ctx) + " is out of range");
  }
  const int32_t max_batch = std::clamp(options.max_batch, 1, n_ctx);
  ONDO_ASSIGN_OR_RETURN(KvCache kv, KvCache::create(hp, 1, n_ctx));
  return std::unique_ptr<Session>(new Session(model, pool, std::move(kv), n_ctx, max_batch));
}

Session::Session(const model::Model& model, core::ComputePool& pool, KvCache kv, int32_t n_ctx, int32_t max_batch)
    : model_(model),
      pool_(pool),
      kv_(std::move(kv)),
      n_ctx_(n_ctx),
      max_batch_(max_batch),
      scratch_(model.hparams(), max_batch, n_ctx, pool.size()) {}

Result<std::span<const float>> Session::eval(std::span<const int32_t> tokens, bool all_logits) {
  const int64_t V = model_.hparams().n_vocab;
  if (tokens.empty()) return make_error(ErrorCode::InvalidArgument, "eval: no tokens");
  if (int64_t(n_past_) + int64_t(tokens.size()) > n_ctx_) {
    return make_error(ErrorCode::InvalidArgument, "eval: " + std::to_string(n_past_ + tokens.size()) +
                                                      " tokens exceed the context size " + std::to_string(n_ctx_));
  }
  logits_.resize(size_t(all_logits ? tokens.size() : 1) * size_t(V));
  size_t done = 0;
  while (done < tokens.size()) {
    const size_t n = std::min(tokens.size() - done, size_t(max_batch_));
    batch_.clear();
    for (size_t i = 0; i < n; ++i) {
      const bool last = done + i + 1 == tokens.size();
      batch_.push_back({tokens[done + i], n_past_ + int32_t(i), 0, all_logits || last});
    }
    float* out = all_logits ? logits_.data() + done * size_t(V) : logits_.data();
    {
      const core::ComputePool::Lease lease = pool_.acquire(core::Priority::Serving);
      ONDO_TRY(model_.forward(batch_, kv_.store(), scratch_, lease.pool(), out));
    }
    n_past_ += int32_t(n);
    tokens_.insert(tokens_.end(), tokens.begin() + long(done), tokens.begin() + long(done + n));
    done += n;
  }
  return std::span<const float>(logits_);
}

void Session::truncate(int32_t n) {
  if (n < 0) n = 0;
  if (n > n_past_) n = n_past_;
  n_past_ = n;
  tokens_.resize(size_t(n));
}

}  // namespace ondo::infer
