// KV cache allocation. Layer: infer.
#include "ondo/infer/kv_cache/kv_cache.h"

#include <string>

namespace ondo::infer {

Result<KvCache> KvCache::create(const model::HParams& hp, int32_t n_seq, int32_t n_ctx, uint64_t max_bytes) {
  if (n_seq < 1 || n_ctx < 1) {
    return make_error(ErrorCode::InvalidArgument, "KV cache: needs at least one slot and one position");
  }
  const uint64_t per_side = uint64_t(hp.n_layer) * uint64_t(n_seq) * uint64_t(n_ctx) * uint64_t(hp.kv_dim());
  const uint64_t bytes = per_side * 2 * sizeof(float);
  if (bytes > max_bytes) {
    return make_error(ErrorCode::ResourceExhausted,
                      "KV cache: " + std::to_string(n_seq) + " slots x " + std::to_string(n_ctx) + " positions need " +
                          std::to_string(bytes >> 20) + " MiB (limit " + std::to_string(max_bytes >> 20) + " MiB)");
  }
  KvCache c;
  c.k_.assign(per_side, 0.0f);
  c.v_.assign(per_side, 0.0f);
  c.store_ = model::KvStore{hp.n_layer, n_seq, n_ctx, hp.kv_dim(), c.k_.data(), c.v_.data()};
  return c;
}

}  // namespace ondo::infer
