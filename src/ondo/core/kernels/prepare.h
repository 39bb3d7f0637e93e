// Preparing weights for this CPU's kernels: "copy this weight into the layout the fastest
// kernel for its type reads", decided from the dtype's traits row (dtype.h: a repack layout
// and a kernel for it at this CPU's level). Today that is the row-interleaved Q4_K / Q6_K
// layout for the AVX-512 kernels. Results are bit for bit those of the file layout; only
// speed differs. Layer: core. Must not touch anything above core.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "ondo/core/prepared_tensor.h"
#include "ondo/core/thread_pool.h"

namespace ondo::core {

// Owns the prepared copies (2 MiB aligned, advised as huge pages). Move-only.
class PreparedStore {
 public:
  size_t n_buffers() const { return buffers_.size(); }

 private:
  friend void prepare_weights(std::span<PreparedTensor* const>, ThreadPool*, PreparedStore&,
                              const std::function<void(const void*, size_t)>&);
  struct Free {
    void operator()(uint8_t* p) const;
  };
  std::vector<std::unique_ptr<uint8_t, Free>> buffers_;
};

// Whether weights of type t with this many rows get a private layout on this CPU.
bool has_prepared_layout(DType t, int64_t rows);

// Rewrites each tensor of `ws` (in the file layout) whose type has a private layout on this
// CPU as a copy in that layout owned by `store`. Entries sharing their bytes (a tied output
// and the embedding) are copied once and all point at the copy. The copying is split over
// `pool` in slices (single-threaded when pool is nullptr; never its own threads); after each
// slice `release(src, n)` (if set) is called with the source bytes just read, e.g. to drop a
// mapped file's pages so resident memory stays one copy. `release` may run on several pool
// threads at once.
// Requires: every non-null entry is valid; pool not inside another run().
void prepare_weights(std::span<PreparedTensor* const> ws, ThreadPool* pool, PreparedStore& store,
                     const std::function<void(const void*, size_t)>& release = {});

}  // namespace ondo::core
