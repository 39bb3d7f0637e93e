// Interleaving the matmul weights at load (weights_prepare.h). Layer: model.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <thread>

#include <sys/mman.h>

#include "ondo/core/check.h"
#include "ondo/core/kernels/gemm.h"
#include "ondo/core/quant/interleave.h"
#include "ondo/model/weights_prepare.h"

namespace ondo::model {

void PreparedCopies::Free::operator()(uint8_t* p) const { std::free(p); }

void prepare_weights(const gguf::GgufFile& file, const std::vector<core::Tensor*>& ws, PreparedCopies& copies) {
  // the distinct tensors (entries sharing bytes are one copy), with their aliases
  std::vector<core::Tensor*> todo, aliases;
  for (core::Tensor* t : ws) {
    if (!t->valid() || t->interleaved || !core::interleave_defined(t->type, t->rows()) ||
        core::kernels::gemm_kernel_interleaved(t->type) == nullptr) {
      continue;
    }
    const bool seen = std::any_of(todo.begin(), todo.end(), [&](const core::Tensor* u) { return u->data == t->data; });
    (seen ? aliases : todo).push_back(t);
  }
  if (todo.empty()) return;
  std::vector<std::unique_ptr<uint8_t, PreparedCopies::Free>> bufs(todo.size());
  // 2 MiB aligned and advised as huge pages: the kernels stream every byte each step, and
  // with 4 KiB pages that is a TLB miss every 4 KiB
  constexpr size_t kHuge = size_t(2) << 20;
  for (size_t i = 0; i < todo.size(); ++i) {
    const size_t n = (todo[i]->nbytes() + kHuge - 1) / kHuge * kHuge;
    bufs[i].reset(static_cast<uint8_t*>(std::aligned_alloc(kHuge, n)));
    ONDO_CHECK(bufs[i] != nullptr);
    madvise(bufs[i].get(), n, MADV_HUGEPAGE);
  }
  // slices of 64 row groups spread over the cores; each slice is read once from the mapping,
  // then its pages are released, so at most a few slices are resident twice
  constexpr int64_t kSliceRows = 64 * core::kInterleaveRows;
  std::vector<std::pair<size_t, int64_t>> slices;  // (tensor, first row)
  for (size_t i = 0; i < todo.size(); ++i) {
    for (int64_t r = 0; r < todo[i]->rows(); r += kSliceRows) slices.emplace_back(i, r);
  }
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t k; (k = next.fetch_add(1)) < slices.size();) {
      const auto [i, r0] = slices[k];
      const core::Tensor& t = *todo[i];
      const int64_t rows = std::min(kSliceRows, t.rows() - r0);
      const size_t off = size_t(r0) * t.row_bytes, n = size_t(rows) * t.row_bytes;
      core::interleave_rows(t.type, static_cast<const uint8_t*>(t.data) + off, bufs[i].get() + off, rows, t.cols());
      file.release_pages(static_cast<const uint8_t*>(t.data) + off, n);
    }
  };
  const unsigned nth = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> threads;
  for (unsigned k = 1; k < nth; ++k) threads.emplace_back(work);
  work();
  for (std::thread& th : threads) th.join();
  for (core::Tensor* a : aliases) {
    for (size_t i = 0; i < todo.size(); ++i) {
      if (a->data == todo[i]->data) a->data = bufs[i].get(), a->interleaved = true;
    }
  }
  for (size_t i = 0; i < todo.size(); ++i) {
    core::Tensor& t = *todo[i];
    t.data = bufs[i].get();
    t.interleaved = true;
    copies.buffers.push_back(std::move(bufs[i]));
  }
}

}  // namespace ondo::model
