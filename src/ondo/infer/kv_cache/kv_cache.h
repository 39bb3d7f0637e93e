// KvCache: owns the K/V memory of a model's sequence slots (F32, as the reference runs).
// Layer: infer. Hands the model a plain KvStore view.
// Thread contract: owned by one session or the scheduler's loop thread.
#pragma once

#include <cstdint>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/model/batch.h"
#include "ondo/model/hparams.h"

namespace ondo::infer {

class KvCache {
 public:
  // Allocates n_seq slots of n_ctx positions. Error (ResourceExhausted) when the size
  // overflows or exceeds `max_bytes`.
  static Result<KvCache> create(const model::HParams& hp, int32_t n_seq, int32_t n_ctx,
                                uint64_t max_bytes = uint64_t(64) << 30);

  model::KvStore& store() { return store_; }
  uint64_t bytes() const { return uint64_t(k_.size() + v_.size()) * sizeof(float); }

 private:
  KvCache() = default;
  std::vector<float> k_, v_;
  model::KvStore store_;
};

}  // namespace ondo::infer
