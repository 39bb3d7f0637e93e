// Copying weights into the kernel-private layouts of this CPU (prepare.h). Layer: core.
#include "ondo/core/kernels/prepare.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>

#include <sys/mman.h>

#include "ondo/core/check.h"
#include "ondo/core/kernels/gemm.h"
#include "ondo/core/quant/interleave.h"

namespace ondo::core {

void PreparedStore::Free::operator()(uint8_t* p) const { std::free(p); }

bool has_prepared_layout(DType t, int64_t rows) {
  return interleave_defined(t, rows) && kernels::gemm_kernel_interleaved(t) != nullptr;
}

void prepare_weights(std::span<PreparedTensor* const> ws, ThreadPool* pool, PreparedStore& store,
                     const std::function<void(const void*, size_t)>& release) {
  // the distinct tensors to copy (entries sharing bytes are one copy), and their aliases
  std::vector<PreparedTensor*> todo, aliases;
  for (PreparedTensor* t : ws) {
    if (t == nullptr || t->layout() != WeightLayout::File || !has_prepared_layout(t->type(), t->rows())) continue;
    const bool seen = std::any_of(todo.begin(), todo.end(), [&](const PreparedTensor* u) { return u->data() == t->data(); });
    (seen ? aliases : todo).push_back(t);
  }
  if (todo.empty()) return;
  std::vector<std::unique_ptr<uint8_t, PreparedStore::Free>> bufs(todo.size());
  // 2 MiB aligned and advised as huge pages: the kernels stream every byte each step, and
  // with 4 KiB pages that is a TLB miss every 4 KiB
  constexpr size_t kHuge = size_t(2) << 20;
  for (size_t i = 0; i < todo.size(); ++i) {
    const size_t n = (todo[i]->nbytes() + kHuge - 1) / kHuge * kHuge;
    bufs[i].reset(static_cast<uint8_t*>(std::aligned_alloc(kHuge, n)));
    ONDO_CHECK(bufs[i] != nullptr);
    madvise(bufs[i].get(), n, MADV_HUGEPAGE);
  }
  // slices of 64 row groups handed out from a counter; each slice is read once from the
  // source, then released, so at most a few slices are resident twice
  constexpr int64_t kSliceRows = 64 * kInterleaveRows;
  std::vector<std::pair<size_t, int64_t>> slices;  // (tensor, first row)
  for (size_t i = 0; i < todo.size(); ++i) {
    for (int64_t r = 0; r < todo[i]->rows(); r += kSliceRows) slices.emplace_back(i, r);
  }
  std::atomic<size_t> next{0};
  auto work = [&](int, int) {
    for (size_t k; (k = next.fetch_add(1)) < slices.size();) {
      const auto [i, r0] = slices[k];
      const PreparedTensor& t = *todo[i];
      const int64_t rows = std::min(kSliceRows, t.rows() - r0);
      const size_t off = size_t(r0) * t.row_bytes(), n = size_t(rows) * t.row_bytes();
      const uint8_t* src = static_cast<const uint8_t*>(t.data()) + off;
      interleave_rows(t.type(), src, bufs[i].get() + off, rows, t.cols());
      if (release) release(src, n);
    }
  };
  if (pool) {
    pool->run([&](int ith, int nth) { work(ith, nth); });
  } else {
    work(0, 1);
  }
  auto moved = [&](const PreparedTensor& t, const uint8_t* to) {
    Tensor v;
    v.name = t.name();
    v.type = t.type();
    v.ne[0] = t.cols();
    v.ne[1] = t.rows();
    v.data = to;
    v.row_bytes = t.row_bytes();
    return PreparedTensor::in_layout(v, WeightLayout::Rows16);
  };
  for (PreparedTensor* a : aliases) {
    for (size_t i = 0; i < todo.size(); ++i) {
      if (a->data() == todo[i]->data()) *a = moved(*a, bufs[i].get());
    }
  }
  for (size_t i = 0; i < todo.size(); ++i) {
    *todo[i] = moved(*todo[i], bufs[i].get());
    store.buffers_.push_back(std::move(bufs[i]));
  }
}

}  // namespace ondo::core
