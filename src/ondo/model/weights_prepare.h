// Preparing a unit's matmul weights at load: copies in the row-interleaved layout where this
// CPU has kernels for it (core/quant/interleave.h, core/kernels/gemm.h). Layer: model.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "ondo/core/tensor.h"
#include "ondo/gguf/reader.h"

namespace ondo::model {

// Copies of weights in a kernel's layout, owned by the model.
struct PreparedCopies {
  struct Free {
    void operator()(uint8_t* p) const;
  };
  std::vector<std::unique_ptr<uint8_t, Free>> buffers;
};

// Rewrites every tensor of `ws` whose type has a row-interleaved kernel on this CPU as an
// interleaved copy owned by `copies`, and releases the mapped original's pages, so resident
// memory stays one copy. Entries sharing their bytes are copied once. Results are unchanged
// bit for bit; only speed differs.
void prepare_weights(const gguf::GgufFile& file, const std::vector<core::Tensor*>& ws, PreparedCopies& copies);

}  // namespace ondo::model
